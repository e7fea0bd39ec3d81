// Python's `pprint.pformat(value)` (width 80, indent 1, sorted dicts), which Jinja2's `pprint`
// filter prints: a value whose repr does not fit breaks across lines as Python's PrettyPrinter
// breaks it (Python 3.11's pprint.py: `_format`, `_format_items`, `_format_dict_items`, `_pprint_str`).

extension Value {
    /// `pprint.pformat(value)`, charged to the current render as `reprText()` is.
    func prettyText() throws -> String {
        let meter = RenderMeter.current
        var printer = PrettyPrinter(meter: meter, limit: meter?.maxString ?? .max)
        try printer.format(self, indent: 0, allowance: 0, level: 0)
        try meter?.spend(bytes: printer.out.utf8.count)
        return printer.out
    }
}

struct PrettyPrinter {
    static let width = 80
    let meter: RenderMeter?
    /// The most bytes the text may hold.
    let limit: Int
    var out = ""

    /// PrettyPrinter's `_safe_repr`: Python's repr, with the keys of (plain) dicts sorted.
    func repr(_ value: Value) throws -> String {
        var text = ""
        try appendRepr(value, to: &text)
        return text
    }

    private func appendRepr(_ value: Value, to text: inout String) throws {
        switch value {
        case .list(let items):
            try meter?.visit(items.count + 1)
            try ValueNesting.enter()
            defer { ValueNesting.leave() }
            text += "["
            for (i, item) in items.enumerated() {
                if i > 0 { text += ", " }
                try appendRepr(item, to: &text)
            }
            text += "]"
        case .dict(let map) where !map.printsAsOrderedDict:
            try meter?.visit(map.count + 1)
            try ValueNesting.enter()
            defer { ValueNesting.leave() }
            text += "{"
            for (i, pair) in Self.sortedPairs(map).enumerated() {
                if i > 0 { text += ", " }
                text += pythonQuoted(pair.key) + ": "
                try appendRepr(pair.value, to: &text)
            }
            text += "}"
        default:
            // An OrderedDict prints with its own repr, unsorted, as in Python.
            try value.appendRepr(to: &text, meter: meter, limit: limit)
        }
        if text.utf8.count > limit {
            throw EvalError("printing the value would build more than \(limit) bytes", .limit)
        }
    }

    /// Python's `sorted(d.items())` for string keys: by code points.
    static func sortedPairs(_ map: OrderedMapping) -> [(key: String, value: Value)] {
        map.pairs.map { (key: $0.key, value: $0.value) }
            .sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
    }

    private mutating func write(_ text: String) throws {
        out += text
        if out.utf8.count > limit {
            throw EvalError("printing the value would build more than \(limit) bytes", .limit)
        }
    }

    /// `PrettyPrinter._format`.
    mutating func format(_ value: Value, indent: Int, allowance: Int, level: Int) throws {
        let rep = try repr(value)
        if rep.unicodeScalars.count > Self.width - indent - allowance {
            switch value {
            case .list(let items):
                try write("[")
                try formatItems(items, indent: indent, allowance: allowance + 1, level: level + 1)
                try write("]")
                return
            case .dict(let map) where !map.printsAsOrderedDict:
                try write("{")
                try formatDictItems(Self.sortedPairs(map), indent: indent, allowance: allowance + 1, level: level + 1)
                try write("}")
                return
            case .dict(let map) where map.count > 0:
                // `_pprint_ordered_dict`: `OrderedDict(` and its items as a list of pairs.
                try write("OrderedDict(")
                try formatPairs(map.pairs.map { (key: $0.key, value: $0.value) }, indent: indent + 12, allowance: allowance + 1, level: level + 1)
                try write(")")
                return
            case .string(let text) where !text.isEmpty:
                try formatString(text, indent: indent, allowance: allowance, level: level + 1)
                return
            default:
                break
            }
        }
        try write(rep)
    }

    /// `_format_items`: one item a line, each but the last leaving room for its comma.
    private mutating func formatItems(_ items: [Value], indent: Int, allowance: Int, level: Int) throws {
        let indent = indent + 1
        let delimiter = ",\n" + String(repeating: " ", count: indent)
        for (i, item) in items.enumerated() {
            let last = i == items.count - 1
            if i > 0 { try write(delimiter) }
            try format(item, indent: indent, allowance: last ? allowance : 1, level: level)
        }
    }

    /// `_format_dict_items`: `key: value` a line, the value indented past its key.
    private mutating func formatDictItems(_ pairs: [(key: String, value: Value)], indent: Int, allowance: Int, level: Int) throws {
        let indent = indent + 1
        let delimiter = ",\n" + String(repeating: " ", count: indent)
        for (i, pair) in pairs.enumerated() {
            let last = i == pairs.count - 1
            let rep = pythonQuoted(pair.key)
            try write(rep + ": ")
            try format(pair.value, indent: indent + rep.unicodeScalars.count + 2, allowance: last ? allowance : 1, level: level)
            if !last { try write(delimiter) }
        }
    }

    /// `_format` of an OrderedDict's `list(d.items())`: a list of 2-tuples.
    private mutating func formatPairs(_ pairs: [(key: String, value: Value)], indent: Int, allowance: Int, level: Int) throws {
        let reps = try pairs.map { "(" + pythonQuoted($0.key) + ", " + (try repr($0.value)) + ")" }
        let rep = "[" + reps.joined(separator: ", ") + "]"
        guard rep.unicodeScalars.count > Self.width - indent - allowance else { return try write(rep) }
        try write("[")
        let inner = indent + 1
        let delimiter = ",\n" + String(repeating: " ", count: inner)
        for (i, pair) in pairs.enumerated() {
            let last = i == pairs.count - 1
            if i > 0 { try write(delimiter) }
            // `_pprint_tuple` for a pair that does not fit.
            if reps[i].unicodeScalars.count <= Self.width - inner - (last ? allowance + 1 : 1) {
                try write(reps[i])
                continue
            }
            try write("(")
            try format(.string(pair.key), indent: inner + 1, allowance: 1, level: level + 2)
            try write(",\n" + String(repeating: " ", count: inner + 1))
            try format(pair.value, indent: inner + 1, allowance: (last ? allowance + 1 : 1) + 1, level: level + 2)
            try write(")")
        }
        try write("]")
    }

    /// `_pprint_str`: each line of the text (its line break kept) as one literal, a line too long
    /// split after runs of whitespace; the pieces are adjacent literals, in parentheses at the top.
    private mutating func formatString(_ text: String, indent: Int, allowance: Int, level: Int) throws {
        var indent = indent, allowance = allowance
        if level == 1 {
            indent += 1
            allowance += 1
        }
        let maxWidth = Self.width - indent
        var maxWidth1 = maxWidth
        var chunks: [String] = []
        let lines = pythonLinesKeepingEnds(text)
        for (i, line) in lines.enumerated() {
            let lastLine = i == lines.count - 1
            if lastLine { maxWidth1 -= allowance }
            let whole = ReprLength(line)
            if whole.length <= maxWidth1 {
                chunks.append(pythonQuoted(stringFrom(line)))
                continue
            }
            let parts = wordsWithTrailingSpace(line)
            var maxWidth2 = maxWidth
            var current: [Unicode.Scalar] = [], currentLength = ReprLength([])
            for (j, part) in parts.enumerated() {
                let candidateLength = currentLength + ReprLength(part)
                if j == parts.count - 1 && lastLine { maxWidth2 -= allowance }
                if candidateLength.length > maxWidth2 {
                    if !current.isEmpty { chunks.append(pythonQuoted(stringFrom(current))) }
                    current = part
                    currentLength = ReprLength(part)
                } else {
                    current += part
                    currentLength = candidateLength
                }
            }
            if !current.isEmpty { chunks.append(pythonQuoted(stringFrom(current))) }
        }
        if chunks.count == 1 {
            try write(chunks[0])
            return
        }
        if level == 1 { try write("(") }
        let separator = "\n" + String(repeating: " ", count: indent)
        for (i, chunk) in chunks.enumerated() {
            if i > 0 { try write(separator) }
            try write(chunk)
        }
        if level == 1 { try write(")") }
    }
}

/// `str.splitlines(True)`: the lines of a text, each with its line break.
func pythonLinesKeepingEnds(_ text: String) -> [[Unicode.Scalar]] {
    let scalars = Array(text.unicodeScalars)
    var lines: [[Unicode.Scalar]] = [], start = 0, i = 0
    while i < scalars.count {
        switch scalars[i].value {
        case 0x0D where i + 1 < scalars.count && scalars[i + 1] == "\n":
            lines.append(Array(scalars[start...(i + 1)]))
            i += 2
            start = i
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
            lines.append(Array(scalars[start...i]))
            i += 1
            start = i
        default:
            i += 1
        }
    }
    if start < scalars.count { lines.append(Array(scalars[start...])) }
    return lines
}

/// `re.findall(r'\S*\s*', line)` less its final empty match: runs of non-space, each with the
/// whitespace after it.
private func wordsWithTrailingSpace(_ line: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
    var parts: [[Unicode.Scalar]] = [], i = 0
    while i < line.count {
        let start = i
        while i < line.count && !isPythonSpace(line[i]) { i += 1 }
        while i < line.count && isPythonSpace(line[i]) { i += 1 }
        parts.append(Array(line[start..<i]))
    }
    return parts
}

/// The length in code points of `repr(text)`, kept so that pieces add up without printing them
/// (`pythonQuoted` quotes with `"` only when the text holds `'` and no `"`).
private struct ReprLength {
    var body = 0, singles = 0, doubles = 0

    init(_ scalars: [Unicode.Scalar]) {
        for scalar in scalars {
            switch scalar {
            case "\\", "\n", "\r", "\t": body += 2
            case "'": body += 1; singles += 1
            case "\"": body += 1; doubles += 1
            default:
                if isPythonPrintable(scalar) {
                    body += 1
                } else {
                    body += scalar.value < 0x100 ? 4 : scalar.value < 0x10000 ? 6 : 10
                }
            }
        }
    }

    private init(body: Int, singles: Int, doubles: Int) {
        (self.body, self.singles, self.doubles) = (body, singles, doubles)
    }

    static func + (a: ReprLength, b: ReprLength) -> ReprLength {
        ReprLength(body: a.body + b.body, singles: a.singles + b.singles, doubles: a.doubles + b.doubles)
    }

    /// Quotes, characters, and a backslash before each quote like the enclosing ones.
    var length: Int { 2 + body + (singles > 0 && doubles == 0 ? 0 : singles) }
}
