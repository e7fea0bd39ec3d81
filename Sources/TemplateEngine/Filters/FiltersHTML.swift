// Jinja2's HTML and size filters: filesizeformat, forceescape, striptags, xmlattr (as Jinja2 3.1.6).
import Foundation

/// MarkupSafe's `escape` of a text: `& < > " '` as entities.
func htmlEscape(_ text: String) -> String {
    var out = ""
    for c in text.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&#34;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}

extension FilterRegistry {
    static let html = table(["filesizeformat": 1, "forceescape": 0, "striptags": 0, "xmlattr": 1]) {
        try $0.htmlFilter($1, $2, $3)
    }
}

extension Renderer {
    func htmlFilter(_ name: String, _ value: Value, _ a: FilterArgs) throws -> Value {
        switch name {
        case "filesizeformat": return .string(try fileSizeFormat(value, binary: a.bool(0, "binary", false)))
        case "forceescape": return .markup(htmlEscape(try value.text()))
        case "striptags": return .string(stripTags(try value.text()))
        case "xmlattr": return .string(try xmlAttributes(value, autospace: a.bool(0, "autospace", true)))
        default: throw EvalError(unknown: .filter(name))
        }
    }

    /// Jinja2's `filesizeformat`: `float(value)`, then decimal (kB, MB…) or binary (KiB, MiB…) units.
    func fileSizeFormat(_ value: Value, binary: Bool) throws -> String {
        let bytes: Double
        switch value {
        case .int, .float, .bool: bytes = value.asDouble
        case .string(let s):
            guard let d = pythonFloat(s) else { throw EvalError("could not convert string to float: \((try Value.string(s).reprText()))", .value) }
            bytes = d
        default:
            throw EvalError("float() argument must be a string or a real number, not '\(value.typeName)'")
        }
        let base = binary ? 1024.0 : 1000.0
        let prefixes = binary ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
                              : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
        if bytes == 1 { return "1 Byte" }
        if bytes < base {
            guard bytes.isFinite else { throw EvalError("cannot convert float infinity to integer", .value) }
            guard let whole = Int(exactly: bytes.rounded(.towardZero)) else {
                throw EvalError("filesizeformat: \(bytes) is outside the supported range", .value)
            }
            return "\(whole) Bytes"
        }
        var unit = 0.0
        for (i, prefix) in prefixes.enumerated() {
            // base ** (i + 2) as Python's int-to-float conversion gives it (correctly rounded).
            unit = binary ? pow(2.0, Double(10 * (i + 2))) : (Double("1e\(3 * (i + 2))") ?? 0)
            // Python compares the float with the exact integer: of these powers only 10**24 is
            // above its nearest double, so a value equal to that double is still below it.
            let below = !binary && i + 2 == 8 ? bytes <= unit : bytes < unit
            if below { return String(format: "%.1f %@", base * bytes / unit, prefix) }
        }
        return String(format: "%.1f %@", base * bytes / unit, prefixes[prefixes.count - 1])
    }

    /// Jinja2's `xmlattr`: `key="value"` pairs of a mapping, values escaped, none/undefined skipped.
    func xmlAttributes(_ value: Value, autospace: Bool) throws -> String {
        guard case .dict(let d) = value else {
            throw EvalError("'\(value.typeName)' object has no attribute 'items'")
        }
        var items: [String] = []
        for (key, v) in d.pairs {
            switch v {
            case .none, .undefined: continue
            default: break
            }
            if key.unicodeScalars.contains(where: { " \t\n\r\u{0B}\u{0C}/>=".unicodeScalars.contains($0) }) {
                throw EvalError("Invalid character in attribute name: \((try Value.string(key).reprText()))", .value)
            }
            items.append("\(htmlEscape(key))=\"\(htmlEscape(try v.text()))\"")
        }
        let joined = items.joined(separator: " ")
        return autospace && !joined.isEmpty ? " " + joined : joined
    }
}

/// Python's `float(str)` for the forms it accepts (surrounding whitespace, `_` between digits,
/// inf/nan); nil where Python raises ValueError.
func pythonFloat(_ s: String) -> Double? {
    let t = pythonStrip(s, chars: nil)
    let lower = t.lowercased()
    if ["inf", "+inf", "infinity", "+infinity"].contains(lower) { return .infinity }
    if ["-inf", "-infinity"].contains(lower) { return -.infinity }
    if ["nan", "+nan", "-nan"].contains(lower) { return .nan }
    let scalars = Array(t.unicodeScalars)
    for (i, c) in scalars.enumerated() where c == "_" {
        let isDigit = { (j: Int) in j >= 0 && j < scalars.count && ("0"..."9").contains(scalars[j]) }
        if !isDigit(i - 1) || !isDigit(i + 1) { return nil }
    }
    let plain = t.replacingOccurrences(of: "_", with: "")
    guard !plain.isEmpty, plain.unicodeScalars.allSatisfy({ "0123456789+-.eE".unicodeScalars.contains($0) }) else { return nil }
    return Double(plain)
}

/// MarkupSafe's `Markup.striptags`: drop comments and tags, collapse whitespace, then unescape.
func stripTags(_ input: String) -> String {
    let value = Array(input.unicodeScalars)
    var parts = String.UnicodeScalarView()
    var pos = 0
    var found = false
    func find(_ needle: String, from: Int) -> Int? {
        let n = Array(needle.unicodeScalars)
        guard n.count <= value.count else { return nil }
        var i = from
        while i + n.count <= value.count {
            if value[i] == n[0] && (1..<n.count).allSatisfy({ value[i + $0] == n[$0] }) { return i }
            i += 1
        }
        return nil
    }
    while let start = find("<", from: pos) {
        var end: Int
        if find("<!--", from: start) == start {
            guard let e = find("-->", from: start + 4) else { break }
            end = e + 3
        } else {
            guard let e = find(">", from: start) else { break }
            end = e + 1
        }
        parts.append(contentsOf: value[pos..<start])
        pos = end
        found = true
    }
    var text: String
    if found && pos > 0 {
        parts.append(contentsOf: value[pos...])
        text = String(parts)
    } else {
        text = input
    }
    text = pythonSplit(text, sep: nil, maxsplit: -1).joined(separator: " ")
    return htmlUnescape(text)
}

private let html5Entities: [String: String] = {
    var table: [String: String] = [:]
    for line in html5EntityTable.split(separator: "\n") {
        guard let eq = line.firstIndex(of: "=") else { continue }
        var value = String.UnicodeScalarView()
        for hex in line[line.index(after: eq)...].split(separator: " ") {
            if let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) { value.append(scalar) }
        }
        table[String(line[..<eq])] = String(value)
    }
    return table
}()

private let invalidCharrefs: [UInt32: UInt32] = [
    0: 0xFFFD, 13: 0x0D, 128: 0x20AC, 129: 0x81, 130: 0x201A, 131: 0x0192, 132: 0x201E, 133: 0x2026,
    134: 0x2020, 135: 0x2021, 136: 0x02C6, 137: 0x2030, 138: 0x0160, 139: 0x2039, 140: 0x0152, 141: 0x8D,
    142: 0x017D, 143: 0x8F, 144: 0x90, 145: 0x2018, 146: 0x2019, 147: 0x201C, 148: 0x201D, 149: 0x2022,
    150: 0x2013, 151: 0x2014, 152: 0x02DC, 153: 0x2122, 154: 0x0161, 155: 0x203A, 156: 0x0153, 157: 0x9D,
    158: 0x017E, 159: 0x0178,
]

private func isInvalidCodepoint(_ n: UInt32) -> Bool {
    (0x1...0x8).contains(n) || n == 0xB || (0xE...0x1F).contains(n) || (0x7F...0x9F).contains(n)
        || (0xFDD0...0xFDEF).contains(n) || (n & 0xFFFE) == 0xFFFE
}

/// Python's `html.unescape`.
func htmlUnescape(_ input: String) -> String {
    guard input.contains("&") else { return input }
    let s = Array(input.unicodeScalars)
    var out = String.UnicodeScalarView()
    var i = 0
    func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
    func isHex(_ c: Unicode.Scalar) -> Bool { isDigit(c) || ("a"..."f").contains(c) || ("A"..."F").contains(c) }
    while i < s.count {
        guard s[i] == "&", i + 1 < s.count else { out.append(s[i]); i += 1; continue }
        var j = i + 1
        if s[j] == "#" {
            let hex = j + 1 < s.count && (s[j + 1] == "x" || s[j + 1] == "X")
            var k = hex ? j + 2 : j + 1
            let digitsStart = k
            while k < s.count && (hex ? isHex(s[k]) : isDigit(s[k])) { k += 1 }
            guard k > digitsStart else { out.append(s[i]); i += 1; continue }
            var num: UInt32 = 0
            var huge = false
            for c in s[digitsStart..<k] {
                let d = UInt32(hex ? Int(String(c), radix: 16) ?? 0 : Int(String(c)) ?? 0)
                let (m, o1) = num.multipliedReportingOverflow(by: hex ? 16 : 10)
                let (a, o2) = m.addingReportingOverflow(d)
                if o1 || o2 || a > 0x10FFFF { huge = true } else { num = a }
            }
            if k < s.count && s[k] == ";" { k += 1 }
            if huge || (0xD800...0xDFFF).contains(num) {
                out.append("\u{FFFD}")
            } else if let r = invalidCharrefs[num], let scalar = Unicode.Scalar(r) {
                out.append(scalar)
            } else if !isInvalidCodepoint(num), let scalar = Unicode.Scalar(num) {
                out.append(scalar)
            }
            i = k
            continue
        }
        // Named: up to 32 characters other than \t \n \f space < & # ;, then an optional ';'.
        while j < s.count && j - (i + 1) < 32 && !"\t\n\u{0C} <&#;".unicodeScalars.contains(s[j]) { j += 1 }
        guard j > i + 1 else { out.append(s[i]); i += 1; continue }
        if j < s.count && s[j] == ";" { j += 1 }
        let name = String(String.UnicodeScalarView(s[(i + 1)..<j]))
        if let v = html5Entities[name] {
            out.append(contentsOf: v.unicodeScalars)
        } else {
            let nameScalars = Array(name.unicodeScalars)
            var matched = false
            var x = nameScalars.count - 1
            while x > 1 {
                if let v = html5Entities[String(String.UnicodeScalarView(nameScalars[..<x]))] {
                    out.append(contentsOf: v.unicodeScalars)
                    out.append(contentsOf: nameScalars[x...])
                    matched = true
                    break
                }
                x -= 1
            }
            if !matched { out.append("&"); out.append(contentsOf: nameScalars) }
        }
        i = j
    }
    return String(out)
}
