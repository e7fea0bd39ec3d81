import Foundation
import TemplateEngine

/// `render FILE`: one template file rendered against answers (a file, then `--data` values read
/// as YAML), with includes resolved next to the file and never outside its folder.
package enum SingleFileRendering {
    package static func render(file: String, answers: AnswersFile?, data: [(key: String, value: String)]) throws -> String {
        guard let bytes = FileManager.default.contents(atPath: file) else { throw InputError("cannot read '\(file)'") }
        guard let source = String(data: bytes, encoding: .utf8) else { throw InputError("'\(file)' is not UTF-8 text") }
        var context = OrderedMapping()
        for entry in answers?.entries ?? [] { context[entry.key] = entry.value }
        for (key, text) in data {
            let reader = YAMLValueReader(file: "--data \(key)")
            context[key] = try reader.parse(text).map { try reader.value($0) } ?? Value.none
        }
        let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
        let environment = RenderingContext.environment(loader: DirectoryLoader(root: (absolute as NSString).deletingLastPathComponent))
        return try environment.render(source, name: file, context: context)
    }
}

extension SingleFileRendering {
    /// `render --template DIR FILE`: the template file `path` (relative to the template's root, or
    /// to its `_subdirectory`) rendered as `init` renders it: with the answers `prepared` resolved
    /// (defaults, answers file, `--data`), the rendering context, `env` and the template's include
    /// path. A file without the templates suffix is printed as `init` copies it.
    package static func render(path: String, of prepared: PreparedGeneration) throws -> [UInt8] {
        let tree = prepared.tree
        let base = try GenerationPlanner.base(of: prepared.manifest, in: tree)
        let candidates = base.isEmpty ? [path] : [base + "/" + path, path]
        guard let found = candidates.first(where: { tree.entry(at: $0).map { !$0.isDirectory } ?? false }),
              let entry = tree.entry(at: found) else {
            throw InputError("'\(path)' is not a file of template \(tree.source) (give its path inside the template)")
        }
        let bytes = try entry.read(shownAs: tree.displayPath(found))
        let suffix = prepared.manifest.templatesSuffix
        let rendered = suffix.isEmpty || (found.hasSuffix(suffix) && found.count > suffix.count)
        guard rendered else { return bytes }
        guard let source = String(validating: bytes, as: UTF8.self) else {
            throw InputError("'\(tree.displayPath(found))' is not UTF-8 text")
        }
        return Array(try prepared.environment.render(source, name: tree.displayPath(found), context: prepared.context).utf8)
    }
}

/// A file given to `render` that cannot be used.
package struct InputError: Error, CustomStringConvertible, Sendable {
    package let description: String
    init(_ message: String) { description = message }
}

/// Includes relative to one folder, never escaping it (symbolic links resolved first).
struct DirectoryLoader: TemplateLoader {
    let root: String

    func source(named name: String) throws -> String? {
        if name.hasPrefix("/") || name.split(separator: "/").contains("..") { return nil }
        let resolved = URL(fileURLWithPath: root + "/" + name).resolvingSymlinksInPath().path
        let base = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        guard resolved.hasPrefix(base + "/") else { return nil }
        return FileManager.default.contents(atPath: resolved).map { String(decoding: $0, as: UTF8.self) }
    }
}
