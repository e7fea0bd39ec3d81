import Foundation
import TemplateEngine

/// `render FILE`: one template file rendered against answers (a file, then `--data` values read
/// as YAML), with includes resolved next to the file and never outside its folder.
public enum SingleFileRendering {
    public static func render(file: String, answers: AnswersFile?, data: [(key: String, value: String)]) throws -> String {
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

/// A file given to `render` that cannot be used.
public struct InputError: Error, CustomStringConvertible, Sendable {
    public let description: String
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
