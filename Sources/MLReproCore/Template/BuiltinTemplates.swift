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
        var records = EmbeddedTemplateData.records
        return records.withUTF8 { parse(records: $0) }
    }()

    /// Reads the embedder's records, one per line: `kind mode base64(template) base64(path)
    /// base64(contents)`. Works on the bytes: splitting the literal as Swift characters costs
    /// tens of milliseconds at every start. Malformed records are skipped.
    static func parse(records: UnsafeBufferPointer<UInt8>) -> [String: [TemplateEntry]] {
        var result: [String: [TemplateEntry]] = [:]
        var start = 0
        while start < records.count {
            var end = start
            while end < records.count && records[end] != UInt8(ascii: "\n") { end += 1 }
            if let (template, entry) = record(UnsafeBufferPointer(rebasing: records[start..<end])) {
                result[template, default: []].append(entry)
            }
            start = end + 1
        }
        return result
    }

    private static func record(_ line: UnsafeBufferPointer<UInt8>) -> (String, TemplateEntry)? {
        var fields: [UnsafeBufferPointer<UInt8>] = []
        var start = 0
        for index in 0...line.count where index == line.count || line[index] == UInt8(ascii: " ") {
            fields.append(UnsafeBufferPointer(rebasing: line[start..<index]))
            start = index + 1
        }
        guard fields.count == 5, fields[0].count == 1,
              let mode = UInt16(String(decoding: fields[1], as: UTF8.self), radix: 8),
              let template = decode(fields[2]), let path = decode(fields[3]) else { return nil }
        let isDirectory = fields[0][0] == UInt8(ascii: "d")
        guard let bytes = isDirectory ? [] : decode(fields[4]) else { return nil }
        let entry = TemplateEntry(path: String(decoding: path, as: UTF8.self), isDirectory: isDirectory,
                                  mode: mode, bytes: bytes)
        return (String(decoding: template, as: UTF8.self), entry)
    }

    private static func decode(_ field: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        Data(base64Encoded: Data(field)).map { [UInt8]($0) }
    }
}
