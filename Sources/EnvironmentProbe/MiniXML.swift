import Foundation

/// A small XML reader for the documents `nvidia-smi -q -x` prints: elements, attributes, text,
/// entities, comments, processing instructions and a DOCTYPE line. No namespaces, no DTD.
struct XMLNode: Sendable, Equatable {
    var name: String
    var attributes: [String: String] = [:]
    var children: [XMLNode] = []
    var text: String = ""

    /// First child with this name.
    func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }
    func all(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }
    /// Text of the element at a path of child names, trimmed.
    func value(_ path: String...) -> String? {
        var node: XMLNode? = self
        for name in path { node = node?.child(name) }
        return node.map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}

struct XMLSyntaxError: Error, Sendable, CustomStringConvertible {
    var offset: Int
    var message: String
    var description: String { "XML syntax error at byte \(offset): \(message)" }
}

enum MiniXML {
    static func parse(_ text: String) throws -> XMLNode {
        var reader = Reader(bytes: Array(text.utf8))
        return try reader.document()
    }

    private struct Reader {
        let bytes: [UInt8]
        var i = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func document() throws -> XMLNode {
            var root: XMLNode?
            while i < bytes.count {
                skipWhitespace()
                guard i < bytes.count else { break }
                guard bytes[i] == UInt8(ascii: "<") else { throw XMLSyntaxError(offset: i, message: "text outside the root element") }
                if starts("<?") { try skip(past: "?>") }
                else if starts("<!--") { try skip(past: "-->") }
                else if starts("<!") { try skip(past: ">") }
                else if root == nil { root = try element() }
                else { throw XMLSyntaxError(offset: i, message: "a second root element") }
            }
            guard let root else { throw XMLSyntaxError(offset: i, message: "no root element") }
            return root
        }

        mutating func element() throws -> XMLNode {
            i += 1 // "<"
            var node = XMLNode(name: name())
            while true {
                skipWhitespace()
                guard i < bytes.count else { throw XMLSyntaxError(offset: i, message: "unterminated tag <\(node.name)>") }
                if starts("/>") { i += 2; return node }
                if bytes[i] == UInt8(ascii: ">") { i += 1; break }
                let key = name()
                guard !key.isEmpty else { throw XMLSyntaxError(offset: i, message: "bad attribute in <\(node.name)>") }
                skipWhitespace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else {
                    throw XMLSyntaxError(offset: i, message: "attribute \(key) without a value")
                }
                i += 1
                skipWhitespace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                    throw XMLSyntaxError(offset: i, message: "unquoted attribute \(key)")
                }
                let quote = bytes[i]
                i += 1
                let start = i
                while i < bytes.count, bytes[i] != quote { i += 1 }
                guard i < bytes.count else { throw XMLSyntaxError(offset: start, message: "unterminated attribute") }
                node.attributes[key] = MiniXML.decodeEntities(String(decoding: bytes[start..<i], as: UTF8.self))
                i += 1
            }
            var text: [UInt8] = []
            while true {
                guard i < bytes.count else { throw XMLSyntaxError(offset: i, message: "<\(node.name)> is never closed") }
                if starts("</") {
                    i += 2
                    let closing = name()
                    guard closing == node.name else {
                        throw XMLSyntaxError(offset: i, message: "</\(closing)> closes <\(node.name)>")
                    }
                    skipWhitespace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else {
                        throw XMLSyntaxError(offset: i, message: "bad closing tag </\(closing)")
                    }
                    i += 1
                    node.text = MiniXML.decodeEntities(String(decoding: text, as: UTF8.self))
                    return node
                }
                if starts("<!--") { try skip(past: "-->"); continue }
                if starts("<![CDATA[") {
                    i += 9
                    let start = i
                    try skip(past: "]]>")
                    text += bytes[start..<(i - 3)]
                    continue
                }
                if starts("<?") { try skip(past: "?>"); continue }
                if bytes[i] == UInt8(ascii: "<") { node.children.append(try element()); continue }
                text.append(bytes[i])
                i += 1
            }
        }

        mutating func name() -> String {
            let start = i
            while i < bytes.count {
                let b = bytes[i]
                let isNameByte = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                    || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
                    || b == UInt8(ascii: ":") || b >= 0x80
                if !isNameByte { break }
                i += 1
            }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        func starts(_ prefix: String) -> Bool {
            let p = Array(prefix.utf8)
            guard i + p.count <= bytes.count else { return false }
            return Array(bytes[i..<(i + p.count)]) == p
        }

        mutating func skip(past terminator: String) throws {
            let start = i
            while i < bytes.count {
                if starts(terminator) { i += terminator.utf8.count; return }
                i += 1
            }
            throw XMLSyntaxError(offset: start, message: "missing \(terminator)")
        }

        mutating func skipWhitespace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }
    }

    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "lt": out += "<"
            case "gt": out += ">"
            case "amp": out += "&"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                if entity.hasPrefix("#x"), let v = UInt32(entity.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) {
                    out.unicodeScalars.append(u)
                } else if entity.hasPrefix("#"), let v = UInt32(entity.dropFirst()), let u = Unicode.Scalar(v) {
                    out.unicodeScalars.append(u)
                } else {
                    out += "&\(entity);"
                }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
