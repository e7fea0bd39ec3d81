import TemplateEngine

/// The seam between a template on disk and the rest of the pipeline: a format recognises its
/// manifest at a template's root and reads it into the format-neutral `TemplateManifest`
/// (questions, settings, file rules, engine options, answers file). Nothing after this seam asks
/// which format a template is; a new format is one more conforming type in `TemplateFormats.all`.
package protocol TemplateFormat: Sendable {
    /// The format's name, as messages show it (`copier`).
    var name: String { get }
    /// Root file names that mark a template of this format, in preference order.
    var manifestFileNames: [String] { get }
    /// Reads the manifest file `fileName` (one of `manifestFileNames`) of `tree`.
    func manifest(named fileName: String, in tree: TemplateTree) throws -> TemplateManifest
}

/// The formats mlrepro reads, in the order they are tried on a template's root.
package enum TemplateFormats {
    package static let all: [any TemplateFormat] = [MLReproManifestFormat(), CopierManifestFormat(), CookiecutterFormat()]

    /// Every manifest file name any format recognises, in preference order.
    package static var manifestFileNames: [String] { all.flatMap(\.manifestFileNames) }

    /// The names `--format` accepts.
    package static var names: [String] { all.map(\.name) }

    /// The format of `tree` and the manifest file that says so; nil when no format recognises it
    /// (or, with the tree's `formatPreference`, when that format has no manifest there).
    package static func detect(_ tree: TemplateTree) -> (format: any TemplateFormat, fileName: String)? {
        choose(preference: tree.formatPreference) { tree.entry(at: $0)?.isDirectory == false }.first
    }

    /// The formats whose manifest `exists` at a template's root, in preference order, each with
    /// the manifest file that says so; only `preference` when one is given.
    package static func choose(preference: String?, exists: (String) -> Bool) -> [(format: any TemplateFormat, fileName: String)] {
        var found: [(format: any TemplateFormat, fileName: String)] = []
        for format in all where preference == nil || format.name == preference {
            if let name = format.manifestFileNames.first(where: exists) { found.append((format, name)) }
        }
        return found
    }

    /// Every format with a manifest at `tree`'s root, whatever the preference.
    package static func present(in tree: TemplateTree) -> [(format: any TemplateFormat, fileName: String)] {
        choose(preference: nil) { tree.entry(at: $0)?.isDirectory == false }
    }

    /// A line for the user when `tree` holds manifests of several formats and none was chosen:
    /// which one is read and how to pick another (nil when there is nothing to say).
    package static func choiceNote(for tree: TemplateTree) -> String? {
        guard tree.formatPreference == nil else { return nil }
        let found = present(in: tree)
        guard found.count > 1 else { return nil }
        let others = found.dropFirst().map { "--format \($0.format.name)" }.joined(separator: " or ")
        return "template \(tree.origin) has \(found.map(\.fileName).joined(separator: " and ")); reading \(found[0].fileName) "
            + "as a \(found[0].format.name) template (choose the other with \(others))"
    }
}
