import Foundation

/// The templates compiled into the binary from the package's `Templates/` directory.
public enum BuiltinTemplates {
    /// The template `init` uses without `--template`.
    public static let defaultName = "ml-research"

    /// Built-in template names, sorted; only those with a manifest count.
    public static var names: [String] { all.keys.sorted().filter { tree(named: $0)?.manifestName != nil } }

    /// One built-in template, or nil when there is none of that name.
    public static func tree(named name: String) -> TemplateTree? {
        guard let entries = all[name] else { return nil }
        return TemplateTree(source: name, origin: "built-in:\(name)", entries: entries)
    }

    /// Name and one-line description of each template: `_description`, else the manifest's
    /// first comment line.
    public static func catalogue() -> [(name: String, description: String)] {
        names.map { name in
            let description = (try? tree(named: name)?.manifest().description) ?? nil
            return (name, description ?? "")
        }
    }

    private static let all: [String: [TemplateEntry]] = {
        var result: [String: [TemplateEntry]] = [:]
        for line in EmbeddedTemplateData.records.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 5, let mode = UInt16(fields[1], radix: 8),
                  let template = decode(fields[2]), let path = decode(fields[3]) else { continue }
            let isDirectory = fields[0] == "d"
            let bytes = isDirectory ? [] : [UInt8](Data(base64Encoded: String(fields[4])) ?? Data())
            result[String(decoding: template, as: UTF8.self), default: []]
                .append(TemplateEntry(path: String(decoding: path, as: UTF8.self), isDirectory: isDirectory, mode: mode, bytes: bytes))
        }
        return result
    }()

    private static func decode(_ field: Substring) -> [UInt8]? {
        Data(base64Encoded: String(field)).map { [UInt8]($0) }
    }
}
