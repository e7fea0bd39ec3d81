// JSON (Python's json.dumps) and YAML (PyYAML's safe_dump, block style) text of values.

/// Charged to the current render as it goes (see ValueWalks.swift), and stops past
/// `RenderLimits.maxOutputBytes`.
func jsonText(_ v: Value, indent: Int?, sortKeys: Bool, asciiOnly: Bool) throws -> String {
    var out = ""
    let meter = RenderMeter.current
    let writer = JSONWriter(indent: indent, sortKeys: sortKeys, asciiOnly: asciiOnly, meter: meter,
                            limit: meter?.maxString ?? .max)
    try writer.write(v, &out, level: 0)
    return out
}

/// Jinja2's `tojson`: sorted keys, then `<`, `>`, `&`, `'` escaped for HTML.
func htmlSafeJSON(_ v: Value, indent: Value?) throws -> String {
    var width: Int? = nil
    if let indent, indent != .none { width = indent.intValue }
    let json = try jsonText(v, indent: width, sortKeys: true, asciiOnly: true)
    // Each escaped character grows by five bytes.
    let escaped = json.utf8.reduce(0) { $0 + ($1 == 0x3C || $1 == 0x3E || $1 == 0x26 || $1 == 0x27 ? 5 : 0) }
    if let limit = RenderMeter.current?.maxString, json.utf8.count + escaped > limit {
        throw EvalError("JSON output exceeds \(limit) bytes", .limit)
    }
    var out = ""
    for c in json.unicodeScalars {
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

private struct JSONWriter {
    let indent: Int?
    let sortKeys: Bool
    let asciiOnly: Bool
    let meter: RenderMeter?
    let limit: Int

    func write(_ v: Value, _ out: inout String, level: Int) throws {
        func newline(_ l: Int) throws {
            guard let indent else { return }
            let width = indent.multipliedReportingOverflow(by: l)
            guard !width.overflow, width.partialValue <= limit - out.utf8.count else {
                throw EvalError("JSON output exceeds \(limit) bytes", .limit)
            }
            out += "\n" + String(repeating: " ", count: max(0, width.partialValue))
        }
        let itemSep = indent == nil ? ", " : ","
        switch v {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d < 0 ? "-Infinity" : "Infinity" } else { out += formatPythonFloat(d) }
        case .string(let s), .markup(let s): jsonString(s, asciiOnly: asciiOnly, into: &out)
        case .list(let items):
            if items.isEmpty { out += "[]"; return }
            try meter?.visit(items.count + 1)
            try ValueNesting.enter()
            defer { ValueNesting.leave() }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += itemSep }
                try newline(level + 1)
                try write(item, &out, level: level + 1)
            }
            try newline(level)
            out += "]"
        case .dict(let map):
            if map.count == 0 { out += "{}"; return }
            try meter?.visit(map.count + 1)
            try ValueNesting.enter()
            defer { ValueNesting.leave() }
            var pairs = map.pairs
            if sortKeys { pairs.sort { Operators.compareUTF8($0.key, $1.key) < 0 } }
            out += "{"
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out += itemSep }
                try newline(level + 1)
                jsonString(pair.key, asciiOnly: asciiOnly, into: &out)
                out += ": "
                try write(pair.value, &out, level: level + 1)
            }
            try newline(level)
            out += "}"
        case .callable(let f):
            throw EvalError("Object of type \(f.macro != nil ? "Macro" : "function") is not JSON serializable")
        case .undefined(let message):
            throw EvalError(message, .undefined)
        }
        if out.utf8.count > limit { throw EvalError("JSON output exceeds \(limit) bytes", .limit) }
    }
}

// MARK: YAML (the emitter is in YAMLEmitter.swift)

/// True when plain text would load back as something other than a string (YAML 1.1 resolvers).
func yamlResolvesToNonString(_ s: String) -> Bool {
    for r in yamlResolverPatterns where (try? r.wholeMatch(in: s)) != nil { return true }
    return false
}

/// Compiled once: the emitter asks for every scalar it writes.
nonisolated(unsafe) private let yamlResolverPatterns: [Regex<AnyRegexOutput>] = {
    let patterns = [
        #"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"#,
        #"^(?:~|null|Null|NULL|)$"#,
        #"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"#,
        #"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"#,
        #"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"#,
        #"^(?:<<|=)$"#,
    ]
    return patterns.compactMap { try? Regex($0) }
}()

/// PyYAML's `analyze_scalar` (with allow_unicode): which styles can write `s`.
struct YAMLScalarAnalysis {
    var empty = false, multiline = false
    var allowFlowPlain = true, allowBlockPlain = true, allowSingleQuoted = true
    var length: Int

    init(_ s: String) {
        let cps = Array(s.unicodeScalars)
        length = cps.count
        if cps.isEmpty {
            empty = true
            allowFlowPlain = false
            return
        }
        var flowInd = false, blockInd = false, lineBreaks = false, special = false
        var leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false
        var breakSpace = false, spaceBreak = false
        if s.hasPrefix("---") || s.hasPrefix("...") { flowInd = true; blockInd = true }
        var precededByWS = true
        var prevSpace = false, prevBreak = false
        let ws: Set<Unicode.Scalar> = ["\0", " ", "\t", "\r", "\n", "\u{85}", "\u{2028}", "\u{2029}"]
        for (i, c) in cps.enumerated() {
            let followedByWS = i + 1 >= cps.count || ws.contains(cps[i + 1])
            if i == 0 {
                if "#,[]{}&*!|>'\"%@`".unicodeScalars.contains(c) { flowInd = true; blockInd = true }
                if c == "?" || c == ":" { flowInd = true; if followedByWS { blockInd = true } }
                if c == "-" && followedByWS { flowInd = true; blockInd = true }
            } else {
                if ",?[]{}".unicodeScalars.contains(c) { flowInd = true }
                if c == ":" { flowInd = true; if followedByWS { blockInd = true } }
                if c == "#" && precededByWS { flowInd = true; blockInd = true }
            }
            if yamlLineBreaks.contains(c) { lineBreaks = true }
            let v = c.value
            let printable = v == 0x0A || (v >= 0x20 && v <= 0x7E) || v == 0x85 || (v >= 0xA0 && v <= 0xD7FF)
                || (v >= 0xE000 && v <= 0xFFFD && v != 0xFEFF) || v >= 0x10000
            if !printable { special = true }
            if c == " " {
                if i == 0 { leadingSpace = true }
                if i == cps.count - 1 { trailingSpace = true }
                if prevBreak { breakSpace = true }
                prevSpace = true; prevBreak = false
            } else if yamlLineBreaks.contains(c) {
                if i == 0 { leadingBreak = true }
                if i == cps.count - 1 { trailingBreak = true }
                if prevSpace { spaceBreak = true }
                prevSpace = false; prevBreak = true
            } else {
                prevSpace = false; prevBreak = false
            }
            precededByWS = ws.contains(c)
        }
        if leadingSpace || leadingBreak || trailingSpace || trailingBreak { allowFlowPlain = false; allowBlockPlain = false }
        if breakSpace { allowFlowPlain = false; allowBlockPlain = false; allowSingleQuoted = false }
        if spaceBreak || special { allowFlowPlain = false; allowBlockPlain = false; allowSingleQuoted = false }
        if lineBreaks { allowFlowPlain = false; allowBlockPlain = false }
        if flowInd { allowFlowPlain = false }
        if blockInd { allowBlockPlain = false }
        multiline = lineBreaks
    }
}
