import Foundation

/// The templates compiled into the binary from the package's `Templates/` directory.
package enum BuiltinTemplates {
    /// The template `init` uses without `--template`.
    package static let defaultName = "ml-research"

    /// Built-in template names, sorted; only those with a manifest count.
    package static var names: [String] { all.keys.sorted().filter { tree(named: $0)?.manifestName != nil } }

    /// One built-in template, or nil when there is none of that name.
    package static func tree(named name: String) -> TemplateTree? {
        guard let entries = all[name] else { return nil }
        var tree = TemplateTree(source: name, origin: "built-in:\(name)", entries: entries)
        tree.precomputedHash = hashes[name]
        return tree
    }

    /// Name and one-line description of each template: `_description`, else the manifest's
    /// first comment line.
    package static func catalogue() -> [(name: String, description: String)] {
        names.map { name in
            let description = (try? tree(named: name)?.manifest().description) ?? nil
            return (name, description ?? "")
        }
    }

    private static let all: [String: [TemplateEntry]] = {
        let contents = UnsafeBufferPointer(start: EmbeddedTemplateData.contents.utf8Start,
                                           count: EmbeddedTemplateData.contents.utf8CodeUnitCount)
        var records = EmbeddedTemplateData.records
        return records.withUTF8 { parse(records: $0, contents: contents) }
    }()

    /// `contentHash` of each template, as the embedder computed it from the files.
    private static let hashes: [String: String] = {
        var result: [String: String] = [:]
        for line in EmbeddedTemplateData.hashes.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let name = Data(base64Encoded: String(fields[0])) else { continue }
            result[String(decoding: name, as: UTF8.self)] = String(fields[1])
        }
        return result
    }()

    /// Reads the embedder's records, one per line: `kind mode base64(template) base64(path)
    /// start length`, where a file's base64 contents are `contents[start..<start+length]`
    /// (`-` for a folder). Works on the bytes: splitting the literal as Swift characters costs
    /// tens of milliseconds at every start. Malformed records are skipped.
    static func parse(records: UnsafeBufferPointer<UInt8>, contents: UnsafeBufferPointer<UInt8>) -> [String: [TemplateEntry]] {
        var result: [String: [TemplateEntry]] = [:]
        var start = 0
        while start < records.count {
            var end = start
            while end < records.count && records[end] != UInt8(ascii: "\n") { end += 1 }
            if let (template, entry) = record(UnsafeBufferPointer(rebasing: records[start..<end]), contents: contents) {
                result[template, default: []].append(entry)
            }
            start = end + 1
        }
        return result
    }

    private static func record(_ line: UnsafeBufferPointer<UInt8>, contents: UnsafeBufferPointer<UInt8>) -> (String, TemplateEntry)? {
        var fields: [UnsafeBufferPointer<UInt8>] = []
        var start = 0
        for index in 0...line.count where index == line.count || line[index] == UInt8(ascii: " ") {
            fields.append(UnsafeBufferPointer(rebasing: line[start..<index]))
            start = index + 1
        }
        func text(_ field: UnsafeBufferPointer<UInt8>) -> String { String(decoding: field, as: UTF8.self) }
        guard fields.count == 6, fields[0].count == 1,
              let mode = UInt16(text(fields[1]), radix: 8),
              let template = decode(fields[2]), let path = decode(fields[3]) else { return nil }
        let name = String(decoding: path, as: UTF8.self)
        if fields[0][0] == UInt8(ascii: "d") {
            return (String(decoding: template, as: UTF8.self), TemplateEntry(path: name, isDirectory: true, mode: mode))
        }
        guard let offset = Int(text(fields[4])), let length = Int(text(fields[5])), offset >= 0, length >= 0,
              offset + length <= contents.count else { return nil }
        let base64 = EmbeddedBase64(UnsafeBufferPointer(rebasing: contents[offset..<offset + length]))
        return (String(decoding: template, as: UTF8.self), TemplateEntry(path: name, mode: mode, embedded: base64))
    }

    private static func decode(_ field: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        Data(base64Encoded: Data(field)).map { [UInt8]($0) }
    }
}

/// Base64 text inside the binary's embedded-template literal (a `StaticString`, valid for the
/// whole run), decoded when a file's contents are read.
struct EmbeddedBase64: @unchecked Sendable {
    private let text: UnsafeBufferPointer<UInt8>

    init(_ text: UnsafeBufferPointer<UInt8>) { self.text = text }

    var decoded: [UInt8] {
        Data(base64Encoded: Data(buffer: text)).map { [UInt8]($0) } ?? []
    }
}
