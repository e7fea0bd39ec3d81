import TemplateEngine

/// A small JSON reader that keeps object key order (conformance contexts depend on it).
struct OrderedJSON {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let bytes: [UInt8]
    private var i = 0

    static func parse(_ text: String) throws -> Value {
        var p = OrderedJSON(bytes: Array(text.utf8))
        let v = try p.value()
        p.skip()
        guard p.i == p.bytes.count else { throw Failure(description: "trailing data at \(p.i)") }
        return v
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func skip() {
        while i < bytes.count, [32, 9, 10, 13].contains(bytes[i]) { i += 1 }
    }

    private mutating func value() throws -> Value {
        skip()
        guard i < bytes.count else { throw Failure(description: "unexpected end") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var map = OrderedMapping()
            skip()
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .dict(map) }
            while true {
                skip()
                guard case .string(let k) = try value() else { throw Failure(description: "object key must be a string") }
                skip()
                guard bytes[i] == UInt8(ascii: ":") else { throw Failure(description: "expected ':' at \(i)") }
                i += 1
                map[k] = try value()
                skip()
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                guard bytes[i] == UInt8(ascii: "}") else { throw Failure(description: "expected '}' at \(i)") }
                i += 1
                return .dict(map)
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [Value] = []
            skip()
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .list(items) }
            while true {
                items.append(try value())
                skip()
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                guard bytes[i] == UInt8(ascii: "]") else { throw Failure(description: "expected ']' at \(i)") }
                i += 1
                return .list(items)
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): i += 4; return .bool(true)
        case UInt8(ascii: "f"): i += 5; return .bool(false)
        case UInt8(ascii: "n"): i += 4; return .none
        default:
            let start = i
            var isFloat = false
            while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) {
                if [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[i]) { isFloat = true }
                i += 1
            }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            if !isFloat, let n = Int(text) { return .int(n) }
            guard let d = Double(text) else { throw Failure(description: "bad number '\(text)'") }
            return .float(d)
        }
    }

    private mutating func string() throws -> String {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if b == UInt8(ascii: "\\") {
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    var code = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) ?? 0xFFFD
                    i += 4
                    if code >= 0xD800 && code < 0xDC00, bytes[i] == UInt8(ascii: "\\") {
                        let low = UInt32(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16) ?? 0xDC00
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8))
                default: out.append(e)
                }
                continue
            }
            out.append(b)
            i += 1
        }
        throw Failure(description: "unterminated string")
    }
}
