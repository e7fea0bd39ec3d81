// JSON (Python's json.dumps) and YAML (PyYAML's safe_dump, block style) text of values.

func jsonText(_ v: Value, indent: Int?, sortKeys: Bool, asciiOnly: Bool) throws -> String {
    var out = ""
    try writeJSON(v, &out, indent: indent, level: 0, sortKeys: sortKeys, asciiOnly: asciiOnly)
    return out
}

/// Jinja2's `tojson`: sorted keys, then `<`, `>`, `&`, `'` escaped for HTML.
func htmlSafeJSON(_ v: Value, indent: Value?) throws -> String {
    var width: Int? = nil
    if let indent, indent != .none { width = indent.intValue }
    var out = ""
    for c in try jsonText(v, indent: width, sortKeys: true, asciiOnly: true).unicodeScalars {
        switch c {
        case "<": out += "\\u003c"
        case ">": out += "\\u003e"
        case "&": out += "\\u0026"
        case "'": out += "\\u0027"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}

private func jsonString(_ s: String, asciiOnly: Bool, into out: inout String) {
    out += "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        default:
            if c.value < 0x20 || (asciiOnly && c.value > 0x7E) {
                if c.value > 0xFFFF {
                    let v = c.value - 0x10000
                    out += "\\u" + String(0xD800 + (v >> 10), radix: 16).leftPadded(4)
                    out += "\\u" + String(0xDC00 + (v & 0x3FF), radix: 16).leftPadded(4)
                } else {
                    out += "\\u" + String(c.value, radix: 16).leftPadded(4)
                }
            } else {
                out.unicodeScalars.append(c)
            }
        }
    }
    out += "\""
}

private func writeJSON(_ v: Value, _ out: inout String, indent: Int?, level: Int, sortKeys: Bool, asciiOnly: Bool) throws {
    func newline(_ l: Int) {
        if let indent { out += "\n" + String(repeating: " ", count: indent * l) }
    }
    let itemSep = indent == nil ? ", " : ","
    switch v {
    case .none: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .float(let d):
        if d.isNaN { out += "NaN" } else if d.isInfinite { out += d < 0 ? "-Infinity" : "Infinity" } else { out += formatPythonFloat(d) }
    case .string(let s): jsonString(s, asciiOnly: asciiOnly, into: &out)
    case .list(let items):
        if items.isEmpty { out += "[]"; return }
        out += "["
        for (i, item) in items.enumerated() {
            if i > 0 { out += itemSep }
            newline(level + 1)
            try writeJSON(item, &out, indent: indent, level: level + 1, sortKeys: sortKeys, asciiOnly: asciiOnly)
        }
        newline(level)
        out += "]"
    case .dict(let map):
        if map.count == 0 { out += "{}"; return }
        var pairs = map.pairs
        if sortKeys { pairs.sort { Operators.compareUTF8($0.key, $1.key) < 0 } }
        out += "{"
        for (i, pair) in pairs.enumerated() {
            if i > 0 { out += itemSep }
            newline(level + 1)
            jsonString(pair.key, asciiOnly: asciiOnly, into: &out)
            out += ": "
            try writeJSON(pair.value, &out, indent: indent, level: level + 1, sortKeys: sortKeys, asciiOnly: asciiOnly)
        }
        newline(level)
        out += "}"
    case .callable(let f):
        throw EvalError("Object of type \(f.macro != nil ? "Macro" : "function") is not JSON serializable")
    }
}

// MARK: YAML

func yamlText(_ v: Value, indent: Int, sortKeys: Bool) throws -> String {
    var w = YAMLWriter(best: max(2, min(indent, 9)), sortKeys: sortKeys)
    try w.root(v)
    return w.out
}

private struct YAMLWriter {
    let best: Int
    let sortKeys: Bool
    var out = ""

    mutating func root(_ v: Value) throws {
        switch v {
        case .list(let l) where !l.isEmpty: try sequence(l, indent: 0, firstInline: false)
        case .dict(let d) where d.count > 0: try mapping(d, indent: 0, firstInline: false)
        default:
            let (text, plain) = try scalar(v, indent: 0, isKey: false)
            out += text + "\n"
            if plain { out += "...\n" }
        }
    }

    mutating func sequence(_ items: [Value], indent: Int, firstInline: Bool) throws {
        for (i, item) in items.enumerated() {
            if i > 0 || !firstInline { out += String(repeating: " ", count: indent) }
            out += "-" + String(repeating: " ", count: best - 1)
            try node(item, indent: indent + best, inline: true)
        }
    }

    mutating func mapping(_ map: OrderedMapping, indent: Int, firstInline: Bool) throws {
        var pairs = map.pairs
        if sortKeys { pairs.sort { Operators.compareUTF8($0.key, $1.key) < 0 } }
        for (i, pair) in pairs.enumerated() {
            if i > 0 || !firstInline { out += String(repeating: " ", count: indent) }
            out += try scalar(.string(pair.key), indent: indent, isKey: true).0 + ":"
            switch pair.value {
            case .list(let l) where !l.isEmpty:
                out += "\n"
                try sequence(l, indent: indent, firstInline: false)
            case .dict(let d) where d.count > 0:
                out += "\n"
                try mapping(d, indent: indent + best, firstInline: false)
            default:
                out += " "
                try node(pair.value, indent: indent + best, inline: true)
            }
        }
    }

    mutating func node(_ v: Value, indent: Int, inline: Bool) throws {
        switch v {
        case .list(let l) where !l.isEmpty: try sequence(l, indent: indent, firstInline: inline)
        case .dict(let d) where d.count > 0: try mapping(d, indent: indent, firstInline: inline)
        default: out += try scalar(v, indent: indent - best, isKey: false).0 + "\n"
        }
    }

    /// Text of a scalar and whether it is plain.
    func scalar(_ v: Value, indent: Int, isKey: Bool) throws -> (String, Bool) {
        switch v {
        case .none: return ("null", true)
        case .bool(let b): return (b ? "true" : "false", true)
        case .int(let i): return (String(i), true)
        case .float(let d):
            if d.isNaN { return (".nan", true) }
            if d.isInfinite { return (d < 0 ? "-.inf" : ".inf", true) }
            var r = formatPythonFloat(d)
            if !r.contains("."), let e = r.firstIndex(of: "e") { r = r[..<e] + ".0" + r[e...] }
            return (r, true)
        case .list: return ("[]", false)
        case .dict: return ("{}", false)
        case .callable: throw EvalError("cannot represent a function as YAML")
        case .string(let s): return yamlString(s, indent: max(indent, 0), isKey: isKey)
        }
    }
}

private let yamlBreaks: Set<Unicode.Scalar> = ["\n", "\u{85}", "\u{2028}", "\u{2029}"]

private func yamlPrintable(_ c: Unicode.Scalar) -> Bool {
    let v = c.value
    return v == 0x09 || v == 0x0A || v == 0x0D || (v >= 0x20 && v <= 0x7E) || v == 0x85
        || (v >= 0xA0 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD && v != 0xFEFF) || v >= 0x10000
}

/// True when plain text would load back as something other than a string (YAML 1.1 resolvers).
private func resolvesToNonString(_ s: String) -> Bool {
    let patterns = [
        #"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"#,
        #"^(?:~|null|Null|NULL|)$"#,
        #"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"#,
        #"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"#,
        #"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"#,
        #"^(?:<<|=)$"#,
    ]
    for p in patterns {
        if let r = try? Regex(p), (try? r.wholeMatch(in: s)) != nil { return true }
    }
    return false
}

private func yamlString(_ s: String, indent: Int, isKey: Bool) -> (String, Bool) {
    let cps = codePoints(s)
    if cps.isEmpty { return ("''", false) }
    var flowInd = false, blockInd = false, lineBreaks = false, special = false
    var leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false
    var breakSpace = false, spaceBreak = false
    if s.hasPrefix("---") || s.hasPrefix("...") { flowInd = true; blockInd = true }
    var precededByWS = true
    var prevSpace = false, prevBreak = false
    for (i, c) in cps.enumerated() {
        let followedByWS = i + 1 >= cps.count || cps[i + 1] == " " || cps[i + 1] == "\t" || yamlBreaks.contains(cps[i + 1]) || cps[i + 1] == "\0"
        if i == 0 {
            if "#,[]{}&*!|>'\"%@`".unicodeScalars.contains(c) { flowInd = true; blockInd = true }
            if c == "?" || c == ":" { flowInd = true; if followedByWS { blockInd = true } }
            if c == "-" && followedByWS { flowInd = true; blockInd = true }
        } else {
            if ",?[]{}".unicodeScalars.contains(c) { flowInd = true }
            if c == ":" { flowInd = true; if followedByWS { blockInd = true } }
            if c == "#" && precededByWS { flowInd = true; blockInd = true }
        }
        if yamlBreaks.contains(c) { lineBreaks = true }
        if !yamlPrintable(c) || c == "\u{FEFF}" { special = true }
        if c == " " {
            if i == 0 { leadingSpace = true }
            if i == cps.count - 1 { trailingSpace = true }
            if prevBreak { breakSpace = true }
            prevSpace = true; prevBreak = false
        } else if yamlBreaks.contains(c) {
            if i == 0 { leadingBreak = true }
            if i == cps.count - 1 { trailingBreak = true }
            if prevSpace { spaceBreak = true }
            prevSpace = false; prevBreak = true
        } else {
            prevSpace = false; prevBreak = false
        }
        precededByWS = c == " " || c == "\t" || yamlBreaks.contains(c) || c == "\0"
    }
    var plain = true, single = true
    if leadingSpace || leadingBreak || trailingSpace || trailingBreak { plain = false }
    if breakSpace { plain = false; single = false }
    if spaceBreak || special { plain = false; single = false }
    if lineBreaks { plain = false }
    if blockInd { plain = false }
    if plain && !(isKey && lineBreaks) && !resolvesToNonString(s) { return (s, true) }
    if single && !(isKey && lineBreaks) { return (singleQuoted(cps, indent: indent), false) }
    return (doubleQuoted(cps), false)
}

private func singleQuoted(_ cps: [Unicode.Scalar], indent: Int) -> String {
    var out = "'"
    var i = 0
    while i < cps.count {
        let c = cps[i]
        if yamlBreaks.contains(c) {
            var j = i
            while j < cps.count && yamlBreaks.contains(cps[j]) { j += 1 }
            if c == "\n" { out += "\n" }
            for k in i..<j { out.unicodeScalars.append(cps[k] == "\n" ? "\n" : cps[k]) }
            out += String(repeating: " ", count: indent)
            i = j
            continue
        }
        if c == "'" { out += "''" } else { out.unicodeScalars.append(c) }
        i += 1
    }
    return out + "'"
}

private func doubleQuoted(_ cps: [Unicode.Scalar]) -> String {
    var out = "\""
    let named: [UInt32: String] = [0: "0", 7: "a", 8: "b", 9: "t", 10: "n", 11: "v", 12: "f", 13: "r", 27: "e",
                                   0x22: "\"", 0x5C: "\\", 0x85: "N", 0xA0: "_", 0x2028: "L", 0x2029: "P"]
    for c in cps {
        if let n = named[c.value] {
            out += "\\" + n
        } else if yamlPrintable(c) && c != "\u{FEFF}" {
            out.unicodeScalars.append(c)
        } else if c.value <= 0xFF {
            out += "\\x" + String(c.value, radix: 16, uppercase: true).leftPadded(2)
        } else if c.value <= 0xFFFF {
            out += "\\u" + String(c.value, radix: 16, uppercase: true).leftPadded(4)
        } else {
            out += "\\U" + String(c.value, radix: 16, uppercase: true).leftPadded(8)
        }
    }
    return out + "\""
}
