import Foundation
import TemplateEngine
import Yams

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

/// mlrepro's own manifest, `mlrepro.yml`: copier's question schema and settings, strict about
/// answers (a key no question asks is an error) and recording answers in `.mlrepro/`.
package struct MLReproManifestFormat: TemplateFormat {
    package init() {}

    package var name: String { "mlrepro" }
    package var manifestFileNames: [String] { ["mlrepro.yml"] }

    package func manifest(named fileName: String, in tree: TemplateTree) throws -> TemplateManifest {
        try YAMLManifest.read(fileName, in: tree, lastKeyWins: false)
    }
}

/// copier's manifest, `copier.yml` or `copier.yaml`, with copier's conventions: the answers
/// file defaults to `.copier-answers.yml` (rendered from the template when it ships
/// `{{ _copier_conf.answers_file }}.jinja`), answers no question asks are kept for the
/// templates with a warning, and undefined names are Jinja2's lenient `Undefined`.
package struct CopierManifestFormat: TemplateFormat {
    package init() {}

    package var name: String { "copier" }
    package var manifestFileNames: [String] { ["copier.yml", "copier.yaml"] }

    package func manifest(named fileName: String, in tree: TemplateTree) throws -> TemplateManifest {
        // copier reads whichever root `copier.*` has a YAML suffix, and refuses a template with two.
        let configs = tree.entries.filter { !$0.isDirectory && Self.isConfigFileName($0.path) }.map(\.path).sorted()
        if configs.count > 1 {
            throw ManifestError(location: SourceLocation(file: tree.displayPath(fileName), line: 1, column: 1),
                                message: "multiple config files (\(configs.joined(separator: ", "))): copier refuses such a template; keep one")
        }
        // PyYAML, which copier reads its manifest with, keeps a repeated key's last value.
        var manifest = try YAMLManifest.read(fileName, in: tree, lastKeyWins: true)
        if manifest.answersFile == nil { manifest.answersFile = ".copier-answers.yml" }
        manifest.keepsUnknownAnswers = true
        manifest.recordsGivenAnswersFirst = true
        manifest.skipsHiddenQuestionsWithoutDefault = true
        manifest.answersFileNamedAnywhere = true
        // copier's environment has `{% now %}` only through jinja2-time's extension.
        manifest.environmentOptions.nowTag = manifest.jinjaExtensions.contains { PythonExtensions.timeExtensions.contains($0) }
        // copier's `cleanup_on_error`: a DEST it made is removed when a task fails.
        manifest.removesProjectWhenTasksFail = true
        // copier renders with Jinja2's default Undefined: a name nothing defines prints empty.
        manifest.environmentOptions.undefined = manifest.undefinedSetting ?? .lenient
        // copier copies its own manifest unless `_exclude` drops it (the default list does).
        manifest.formatFiles = []
        return manifest
    }

    /// A root file copier takes for its manifest: `copier.` and a suffix that starts with `.yml` or
    /// `.yaml`, in any case (copier's `glob("copier.*")` and `re.match(r"\.ya?ml", suffix, re.I)`).
    static func isConfigFileName(_ path: String) -> Bool {
        guard !path.contains("/"), path.hasPrefix("copier.") else { return false }
        let suffix = path.split(separator: ".", omittingEmptySubsequences: false).last.map { "." + $0.lowercased() } ?? ""
        return suffix.hasPrefix(".yml") || suffix.hasPrefix(".yaml")
    }
}

/// The YAML manifest both formats share.
enum YAMLManifest {
    /// Reads the manifest `fileName` and the files it `!include`s. With `lastKeyWins`, a key
    /// repeated in one mapping keeps its last value (with a warning) instead of being an error.
    static func read(_ fileName: String, in tree: TemplateTree, lastKeyWins: Bool) throws -> TemplateManifest {
        let file = tree.displayPath(fileName)
        guard let entry = tree.entry(at: fileName), let text = String(validating: try entry.read(shownAs: file), as: UTF8.self) else {
            throw ManifestError(location: SourceLocation(file: file, line: 1, column: 1),
                                message: "the manifest is not valid UTF-8")
        }
        let reader = YAMLValueReader(file: file)
        var documents: [ManifestDocument] = []
        var budget = IncludeBudget(lastKeyWins: lastKeyWins)
        try expand(try budget.parse(text, with: reader), reader: reader, in: tree, into: &documents, depth: 0, budget: &budget)
        var manifest = try TemplateManifest.parse(documents: documents, description: TemplateManifest.firstComment(text),
                                                  fileName: fileName)
        manifest.warnings += budget.duplicates.map {
            "\($0.location): warning: key '\($0.key)' is given twice in one mapping; the last value is used"
        }
        // A template that ships both kinds of manifest copies neither.
        manifest.formatFiles = TemplateFormats.manifestFileNames
        manifest.rendersSubdirectory = true
        return manifest
    }

    /// What the `!include`s of one manifest may read together: a manifest whose included files
    /// include several files each would otherwise parse exponentially many documents.
    struct IncludeBudget {
        /// Documents in the manifest and all its included files (an `!include` counts as one).
        static let maxDocuments = 1_000
        /// Bytes of all included files together (each read counts, however often it is included).
        static let maxBytes = 16 << 20
        /// Includes inside included files.
        static let maxDepth = 16
        var documents = 0
        var bytes = 0
        /// Repeated keys keep their last value (copier) instead of being an error.
        var lastKeyWins = false
        /// The repeated keys found so far, when `lastKeyWins`.
        var duplicates: [YAMLDuplicateKey] = []

        init(lastKeyWins: Bool) { self.lastKeyWins = lastKeyWins }

        /// The documents of one manifest file, read by `reader`.
        mutating func parse(_ text: String, with reader: YAMLValueReader) throws -> [Node] {
            guard lastKeyWins else { return try reader.parseAll(text) }
            let (nodes, found) = try reader.parseAllLastKeyWins(text)
            duplicates += found
            return nodes
        }
    }

    /// Replaces each `!include PATTERN` document by the documents of the template files the glob
    /// matches (sorted; `*` within one folder, `**` across folders), as copier does. A pattern
    /// must be relative and stay inside the template; `budget` bounds the work of all includes.
    static func expand(_ nodes: [Node], reader: YAMLValueReader, in tree: TemplateTree,
                       into documents: inout [ManifestDocument], depth: Int, budget: inout IncludeBudget) throws {
        for node in nodes {
            budget.documents += 1
            if budget.documents > IncludeBudget.maxDocuments {
                throw ManifestError(location: reader.location(node),
                                    message: "the manifest and its !include files hold more than \(IncludeBudget.maxDocuments) documents")
            }
            guard node.tag.description == "!include" else {
                if case .sequence(let items) = node, items.allSatisfy({ if case .mapping = $0 { true } else { false } }) {
                    documents += items.map { ManifestDocument(reader: reader, node: $0) }
                } else {
                    documents.append(ManifestDocument(reader: reader, node: node))
                }
                continue
            }
            let location = reader.location(node)
            guard case .scalar(let scalar) = node else {
                throw ManifestError(location: location, message: "!include takes a file path or glob pattern")
            }
            let pattern = scalar.string
            let parts = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            if pattern.hasPrefix("/") || parts.contains("..") || parts.isEmpty {
                throw ManifestError(location: location, message: "!include '\(pattern)': the path must be relative and inside the template")
            }
            guard parts.count <= TemplateManifest.maxPatternComponents, pattern.utf8.count <= 4000 else {
                throw ManifestError(location: location, message: "!include: a pattern may have at most \(TemplateManifest.maxPatternComponents) components and 4000 bytes")
            }
            guard depth < IncludeBudget.maxDepth else {
                throw ManifestError(location: location, message: "!include '\(pattern)': includes nest deeper than \(IncludeBudget.maxDepth) (a cycle?)")
            }
            let glob = IncludeGlob(parts)
            let matches = tree.entries.filter { !$0.isDirectory && glob.matches($0.path) }
            for entry in matches {
                budget.bytes += entry.bytes.count
                if budget.bytes > IncludeBudget.maxBytes {
                    throw ManifestError(location: location, message: "!include '\(pattern)': the included files hold more than \(IncludeBudget.maxBytes >> 20) MiB together")
                }
                let included = YAMLValueReader(file: tree.displayPath(entry.path))
                guard let text = String(validating: try entry.read(shownAs: tree.displayPath(entry.path)), as: UTF8.self) else {
                    throw ManifestError(location: included.location(line: 1, column: 1), message: "the included file is not valid UTF-8")
                }
                try expand(try budget.parse(text, with: included), reader: included, in: tree, into: &documents, depth: depth + 1,
                           budget: &budget)
            }
        }
    }
}

/// An `!include` glob (Python's `Path.glob`: `**` matches any number of folders), matched the way `PathPatterns` matches `_exclude` patterns: one pass over
/// the path's components carrying the set of pattern positions reached, so the time is linear in
/// the path's depth times the pattern's length, however many `**` the pattern holds.
struct IncludeGlob {
    /// Components as scalars; nil stands for `**` (repeats collapsed to one).
    let components: [[Unicode.Scalar]?]

    init(_ parts: [String]) {
        var components: [[Unicode.Scalar]?] = []
        for part in parts where part != "." {
            if part == "**" {
                if let last = components.last, last == nil { continue }
                components.append(nil)
            } else {
                components.append(Array(part.unicodeScalars))
            }
        }
        self.components = components
    }

    func matches(_ path: String) -> Bool {
        let count = components.count
        var states = [Bool](repeating: false, count: count + 1)
        func close(_ states: inout [Bool]) {
            for position in 0..<count where states[position] && components[position] == nil {
                states[position + 1] = true
            }
        }
        states[0] = true
        close(&states)
        for name in path.split(separator: "/") {
            let part = Array(name.unicodeScalars)
            var next = [Bool](repeating: false, count: count + 1)
            var any = false
            for position in 0..<count where states[position] {
                if let component = components[position] {
                    // A hidden name matches only a pattern that starts with a dot, as in Python's glob.
                    if part.first == "." && component.first != "." { continue }
                    if PathPatterns.wildcard(component[...], part[...]) { next[position + 1] = true; any = true }
                } else {
                    next[position] = true
                    any = true
                }
            }
            guard any else { return false }
            close(&next)
            states = next
        }
        return states[count]
    }
}