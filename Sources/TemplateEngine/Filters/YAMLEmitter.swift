// YAML as jinja2-ansible-filters writes it: PyYAML's `yaml.dump` (allow_unicode, sort_keys, width 80).
// `to_yaml` lets PyYAML choose the style (flow for collections holding only scalars), `to_nice_yaml`
// asks for block style. The emitter keeps PyYAML's column, indent and whitespace state so that long
// scalars fold and flow collections wrap exactly where PyYAML's do.

/// `flowLeaves`: write collections of scalars in flow style (`[1, 2]`), as `default_flow_style=None` does.
func yamlText(_ v: Value, indent: Int, flowLeaves: Bool, limit: Int) throws -> String {
    var e = YAMLEmitter(best: (2...9).contains(indent) ? indent : 2, flowLeaves: flowLeaves, limit: limit)
    e.meter = RenderMeter.current
    try e.document(v)
    return e.out
}

struct YAMLEmitter {
    let best: Int
    let width = 80
    let flowLeaves: Bool
    let limit: Int
    var out = ""
    var column = 0
    var whitespace = true
    var indention = true
    var indent: Int? = nil
    var indents: [Int?] = []
    var flowLevel = 0
    var openEnded = false
    var bytes = 0
    /// Charged for every list and dict item written (see ValueWalks.swift).
    var meter: RenderMeter? = nil

    init(best: Int, flowLeaves: Bool, limit: Int) {
        self.best = best
        self.flowLeaves = flowLeaves
        self.limit = limit
    }

    // MARK: - writing

    mutating func write(_ s: String) throws {
        bytes += s.utf8.count
        if bytes > limit { throw EvalError("YAML output exceeds \(limit) bytes", .limit) }
        out += s
    }

    mutating func writeIndicator(_ indicator: String, needWhitespace: Bool, whitespace ws: Bool = false,
                                 indention ind: Bool = false) throws {
        let data = whitespace || !needWhitespace ? indicator : " " + indicator
        whitespace = ws
        indention = indention && ind
        column += data.unicodeScalars.count
        try write(data)
    }

    mutating func writeIndent() throws {
        let target = indent ?? 0
        if !indention || column > target || (column == target && !whitespace) { try writeLineBreak() }
        if column < target {
            whitespace = true
            try write(String(repeating: " ", count: target - column))
            column = target
        }
    }

    mutating func writeLineBreak(_ data: String = "\n") throws {
        whitespace = true
        indention = true
        column = 0
        try write(data)
    }

    mutating func increaseIndent(flow: Bool, indentless: Bool = false) {
        indents.append(indent)
        if let current = indent {
            if !indentless { indent = current + best }
        } else {
            indent = flow ? best : 0
        }
    }

    mutating func popIndent() { indent = indents.popLast() ?? nil }

    // MARK: - nodes

    mutating func document(_ v: Value) throws {
        try node(v, root: true, mapping: false, simpleKey: false)
        try writeIndent()
        if openEnded {
            try writeIndicator("...", needWhitespace: true)
            try writeIndent()
        }
    }

    func isScalar(_ v: Value) -> Bool {
        switch v {
        case .list, .dict: return false
        default: return true
        }
    }

    func sortedPairs(_ d: OrderedMapping) -> [(key: String, value: Value)] {
        d.pairs.sorted { Operators.compareUTF8($0.key, $1.key) < 0 }
    }

    mutating func node(_ v: Value, root: Bool, mapping: Bool, simpleKey: Bool) throws {
        switch v {
        case .list(let items):
            try meter?.visit(items.count + 1)
            try ValueNesting.enter()
            defer { ValueNesting.leave() }
            let flow = flowLevel > 0 || items.isEmpty || (flowLeaves && items.allSatisfy(isScalar))
            if flow { try flowSequence(items) } else { try blockSequence(items, mappingContext: mapping) }
        case .dict(let d):
            try meter?.visit(d.count + 1)
            try ValueNesting.enter()
            defer { ValueNesting.leave() }
            let flow = flowLevel > 0 || d.count == 0 || (flowLeaves && d.values.allSatisfy(isScalar))
            if flow { try flowMapping(d) } else { try blockMapping(d) }
        default:
            increaseIndent(flow: true)
            try scalar(v, root: root, simpleKey: simpleKey)
            popIndent()
        }
    }

    mutating func blockSequence(_ items: [Value], mappingContext: Bool) throws {
        increaseIndent(flow: false, indentless: mappingContext && !indention)
        for item in items {
            try writeIndent()
            try writeIndicator("-", needWhitespace: true, indention: true)
            try node(item, root: false, mapping: false, simpleKey: false)
        }
        popIndent()
    }

    mutating func blockMapping(_ d: OrderedMapping) throws {
        increaseIndent(flow: false)
        for (key, value) in sortedPairs(d) {
            try writeIndent()
            if isSimpleKey(key) {
                try node(.string(key), root: false, mapping: true, simpleKey: true)
                try writeIndicator(":", needWhitespace: false)
            } else {
                try writeIndicator("?", needWhitespace: true, indention: true)
                try node(.string(key), root: false, mapping: true, simpleKey: false)
                try writeIndent()
                try writeIndicator(":", needWhitespace: true, indention: true)
            }
            try node(value, root: false, mapping: true, simpleKey: false)
        }
        popIndent()
    }

    mutating func flowSequence(_ items: [Value]) throws {
        try writeIndicator("[", needWhitespace: true, whitespace: true)
        flowLevel += 1
        increaseIndent(flow: true)
        for (i, item) in items.enumerated() {
            if i > 0 { try writeIndicator(",", needWhitespace: false) }
            if column > width { try writeIndent() }
            try node(item, root: false, mapping: false, simpleKey: false)
        }
        popIndent()
        flowLevel -= 1
        try writeIndicator("]", needWhitespace: false)
    }

    mutating func flowMapping(_ d: OrderedMapping) throws {
        try writeIndicator("{", needWhitespace: true, whitespace: true)
        flowLevel += 1
        increaseIndent(flow: true)
        for (i, pair) in sortedPairs(d).enumerated() {
            if i > 0 { try writeIndicator(",", needWhitespace: false) }
            if column > width { try writeIndent() }
            if isSimpleKey(pair.key) {
                try node(.string(pair.key), root: false, mapping: true, simpleKey: true)
                try writeIndicator(":", needWhitespace: false)
            } else {
                try writeIndicator("?", needWhitespace: true)
                try node(.string(pair.key), root: false, mapping: true, simpleKey: false)
                if column > width { try writeIndent() }
                try writeIndicator(":", needWhitespace: true)
            }
            try node(pair.value, root: false, mapping: true, simpleKey: false)
        }
        popIndent()
        flowLevel -= 1
        try writeIndicator("}", needWhitespace: false)
    }

    func isSimpleKey(_ key: String) -> Bool {
        let a = YAMLScalarAnalysis(key)
        return a.length < 128 && !a.empty && !a.multiline
    }

    // MARK: - scalars

    mutating func scalar(_ v: Value, root: Bool, simpleKey: Bool) throws {
        let text: String
        var implicit = true
        switch v {
        case .none: text = "null"
        case .bool(let b): text = b ? "true" : "false"
        case .int(let i): text = String(i)
        case .float(let d):
            if d.isNaN { text = ".nan" } else if d.isInfinite { text = d < 0 ? "-.inf" : ".inf" } else {
                var r = formatPythonFloat(d)
                if !r.contains("."), let e = r.firstIndex(of: "e") { r = r[..<e] + ".0" + r[e...] }
                text = r
            }
        case .string(let s):
            text = s
            implicit = !yamlResolvesToNonString(s)
        case .callable: throw EvalError("cannot represent a function as YAML")
        case .markup: throw EvalError("cannot represent a markup-safe string (Markup) as YAML: PyYAML tags it as a Python object; apply `|string` first", .type)
        case .undefined(let message): throw EvalError(message, .undefined)
        case .list, .dict: throw EvalError("internal: collection as scalar")
        }
        let a = YAMLScalarAnalysis(text)
        let split = !simpleKey
        if implicit && !(simpleKey && (a.empty || a.multiline))
            && (flowLevel > 0 ? a.allowFlowPlain : a.allowBlockPlain) {
            try writePlain(Array(text.unicodeScalars), root: root, split: split)
        } else if a.allowSingleQuoted && !(simpleKey && a.multiline) {
            try writeSingleQuoted(Array(text.unicodeScalars), split: split)
        } else {
            try writeDoubleQuoted(Array(text.unicodeScalars), split: split)
        }
    }

    private func text(_ s: ArraySlice<Unicode.Scalar>) -> String { String(String.UnicodeScalarView(s)) }

    mutating func writePlain(_ t: [Unicode.Scalar], root: Bool, split: Bool) throws {
        if root { openEnded = true }
        if t.isEmpty { return }
        if !whitespace { column += 1; try write(" ") }
        whitespace = false
        indention = false
        var spaces = false, breaks = false
        var start = 0, end = 0
        while end <= t.count {
            let ch: Unicode.Scalar? = end < t.count ? t[end] : nil
            if spaces {
                if ch != " " {
                    if start + 1 == end && column > width && split {
                        try writeIndent()
                        whitespace = false
                        indention = false
                    } else {
                        column += end - start
                        try write(text(t[start..<end]))
                    }
                    start = end
                }
            } else if breaks {
                if ch == nil || !yamlLineBreaks.contains(ch!) {
                    if t[start] == "\n" { try writeLineBreak() }
                    for br in t[start..<end] { try writeLineBreak(br == "\n" ? "\n" : String(br)) }
                    try writeIndent()
                    whitespace = false
                    indention = false
                    start = end
                }
            } else if ch == nil || ch == " " || yamlLineBreaks.contains(ch!) {
                column += end - start
                try write(text(t[start..<end]))
                start = end
            }
            if let ch {
                spaces = ch == " "
                breaks = yamlLineBreaks.contains(ch)
            }
            end += 1
        }
    }

    mutating func writeSingleQuoted(_ t: [Unicode.Scalar], split: Bool) throws {
        try writeIndicator("'", needWhitespace: true)
        var spaces = false, breaks = false
        var start = 0, end = 0
        while end <= t.count {
            let ch: Unicode.Scalar? = end < t.count ? t[end] : nil
            if spaces {
                if ch == nil || ch != " " {
                    if start + 1 == end && column > width && split && start != 0 && end != t.count {
                        try writeIndent()
                    } else {
                        column += end - start
                        try write(text(t[start..<end]))
                    }
                    start = end
                }
            } else if breaks {
                if ch == nil || !yamlLineBreaks.contains(ch!) {
                    if t[start] == "\n" { try writeLineBreak() }
                    for br in t[start..<end] { try writeLineBreak(br == "\n" ? "\n" : String(br)) }
                    try writeIndent()
                    start = end
                }
            } else if ch == nil || ch == " " || ch == "'" || yamlLineBreaks.contains(ch!) {
                if start < end {
                    column += end - start
                    try write(text(t[start..<end]))
                    start = end
                }
            }
            if ch == "'" {
                column += 2
                try write("''")
                start = end + 1
            }
            if let ch {
                spaces = ch == " "
                breaks = yamlLineBreaks.contains(ch)
            }
            end += 1
        }
        try writeIndicator("'", needWhitespace: false)
    }

    static let escapes: [UInt32: String] = [0: "0", 7: "a", 8: "b", 9: "t", 10: "n", 11: "v", 12: "f", 13: "r",
                                            27: "e", 0x22: "\"", 0x5C: "\\", 0x85: "N", 0xA0: "_",
                                            0x2028: "L", 0x2029: "P"]

    mutating func writeDoubleQuoted(_ t: [Unicode.Scalar], split: Bool) throws {
        try writeIndicator("\"", needWhitespace: true)
        var start = 0, end = 0
        while end <= t.count {
            let ch: Unicode.Scalar? = end < t.count ? t[end] : nil
            let plainChar: Bool = {
                guard let c = ch else { return false }
                if "\"\\\u{85}\u{2028}\u{2029}\u{FEFF}".unicodeScalars.contains(c) { return false }
                let v = c.value
                return (v >= 0x20 && v <= 0x7E) || (v >= 0xA0 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD)
            }()
            if !plainChar {
                if start < end {
                    column += end - start
                    try write(text(t[start..<end]))
                    start = end
                }
                if let c = ch {
                    let data: String
                    if let e = YAMLEmitter.escapes[c.value] {
                        data = "\\" + e
                    } else if c.value <= 0xFF {
                        data = "\\x" + String(c.value, radix: 16, uppercase: true).leftPadded(2)
                    } else if c.value <= 0xFFFF {
                        data = "\\u" + String(c.value, radix: 16, uppercase: true).leftPadded(4)
                    } else {
                        data = "\\U" + String(c.value, radix: 16, uppercase: true).leftPadded(8)
                    }
                    column += data.unicodeScalars.count
                    try write(data)
                    start = end + 1
                }
            }
            if end > 0 && end < t.count - 1 && (ch == " " || start >= end) && column + (end - start) > width && split {
                // Python's text[start:end] is empty when an escape has moved start past end.
                var data = (start < end ? text(t[start..<end]) : "") + "\\"
                if start < end { start = end }
                column += data.unicodeScalars.count
                try write(data)
                try writeIndent()
                whitespace = false
                indention = false
                if t[start] == " " {
                    data = "\\"
                    column += 1
                    try write(data)
                }
            }
            end += 1
        }
        try writeIndicator("\"", needWhitespace: false)
    }
}

let yamlLineBreaks: Set<Unicode.Scalar> = ["\n", "\u{85}", "\u{2028}", "\u{2029}"]
