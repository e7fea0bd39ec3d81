// Python string formatting: `'%s' % x`, `'{}'.format(x)`, and format specs.
import Foundation

/// Widths beyond this are refused so a template cannot request gigabytes of padding.
let maxPadWidth = 1 << 24

/// The largest string an operation may build (the default output limit): checked against the
/// size a result will have before it is allocated, so no template can exhaust memory.
let maxBuiltStringBytes = 64 << 20

/// Throws when an operation is about to build a string of more than `maxBuiltStringBytes`.
func checkBuiltSize(_ bytes: Int, _ operation: String) throws {
    guard bytes <= maxBuiltStringBytes else {
        throw EvalError("\(operation) would build a string of \(bytes) bytes, over the limit of \(maxBuiltStringBytes)", .limit)
    }
}

/// The UTF-8 size of `parts` joined by `separator`, saturating instead of overflowing.
func joinedSize(_ parts: [String], separator: String) -> Int {
    var total = 0
    for part in parts {
        let (sum, overflow) = total.addingReportingOverflow(part.utf8.count)
        total = overflow ? Int.max : sum
    }
    let separators = separator.utf8.count.multipliedReportingOverflow(by: max(0, parts.count - 1))
    let (sum, overflow) = total.addingReportingOverflow(separators.overflow ? Int.max : separators.partialValue)
    return overflow || separators.overflow ? Int.max : sum
}

func checkWidth(_ width: Int) throws -> Int {
    guard width <= maxPadWidth else { throw EvalError("width \(width) exceeds the limit of \(maxPadWidth)", .limit) }
    return width
}

func pad(_ s: String, width: Int, fill: String, align: Character) throws -> String {
    _ = try checkWidth(width)
    let n = s.unicodeScalars.count
    guard width > n else { return s }
    let total = width - n
    let f = fill.isEmpty ? " " : fill
    switch align {
    case "<": return s + String(repeating: f, count: total)
    case "^":
        // Python's str.center puts the extra space on the right when the text length is odd... as CPython does.
        let left = total / 2 + (total & width & 1)
        return String(repeating: f, count: left) + s + String(repeating: f, count: total - left)
    default: return String(repeating: f, count: total) + s
    }
}

func cFormat(_ format: String, _ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    return String(format: format, d)
}

/// `'%s' % args` with flags, width, precision and `%(name)s`.
func percentFormat(_ format: String, _ args: [Value]) throws -> String {
    let cps = codePoints(format)
    var out = ""
    var i = 0
    var argIndex = 0
    var mapping: OrderedMapping? = nil
    if args.count == 1, case .dict(let d) = args[0] { mapping = d }
    func next() throws -> Value {
        guard argIndex < args.count else { throw EvalError("not enough arguments for format string") }
        defer { argIndex += 1 }
        return args[argIndex]
    }
    while i < cps.count {
        let c = cps[i]
        if c != "%" { out.unicodeScalars.append(c); i += 1; continue }
        i += 1
        guard i < cps.count else { throw EvalError("incomplete format", .value) }
        var key: String? = nil
        if cps[i] == "(" {
            var j = i + 1
            while j < cps.count && cps[j] != ")" { j += 1 }
            key = stringFrom(cps[(i + 1)..<min(j, cps.count)])
            i = j + 1
        }
        var flags = ""
        while i < cps.count && "-+ 0#".unicodeScalars.contains(cps[i]) { flags.unicodeScalars.append(cps[i]); i += 1 }
        var width = ""
        while i < cps.count && cps[i].properties.numericType == .decimal && cps[i].isASCII { width.unicodeScalars.append(cps[i]); i += 1 }
        var precision: Int? = nil
        if i < cps.count && cps[i] == "." {
            i += 1
            var p = ""
            while i < cps.count && cps[i].isASCII && cps[i].properties.numericType == .decimal { p.unicodeScalars.append(cps[i]); i += 1 }
            precision = Int(p) ?? 0
        }
        guard i < cps.count else { throw EvalError("incomplete format", .value) }
        let conv = cps[i]
        i += 1
        if conv == "%" { out += "%"; continue }
        let value: Value
        if let key {
            guard let m = mapping, let v = m[key] else { throw EvalError("format requires a mapping with key '\(key)'") }
            value = v
        } else {
            value = try next()
        }
        var text: String
        switch conv {
        case "s": text = try value.text(); if let p = precision { text = stringFrom(codePoints(text).prefix(p)) }
        case "r", "a": text = try value.reprText()
        case "d", "i", "u":
            guard let n = value.numeric else { throw EvalError("%d format: a real number is required, not \(value.typeName)") }
            if case .float(let d) = n {
                guard d.isFinite, let i = Int(exactly: d.rounded(.towardZero)) else {
                    throw EvalError("%d format: \(formatPythonFloat(d)) is out of the 64-bit integer range", .value)
                }
                text = String(i)
            } else { text = String(n.intValue) }
        case "f", "F", "e", "E", "g", "G":
            guard let n = value.numeric else { throw EvalError("must be real number, not \(value.typeName)") }
            text = cFormat("%\(flags.contains("#") ? "#" : "").\(precision ?? 6)\(Character(conv))", n.asDouble)
        case "x", "X", "o":
            guard value.isInteger else { throw EvalError("%\(conv) format: an integer is required, not \(value.typeName)") }
            let v = value.intValue
            text = String(v.magnitude, radix: conv == "o" ? 8 : 16, uppercase: conv == "X")
            if v < 0 { text = "-" + text }
        case "c":
            // Python: one code point, from a one-character string or an integer below 0x110000.
            switch value {
            case .string(let s) where s.unicodeScalars.count == 1, .markup(let s) where s.unicodeScalars.count == 1:
                text = s
            case .int, .bool:
                let code = value.intValue
                guard (0..<0x110000).contains(code) else { throw EvalError("%c arg not in range(0x110000)", .value) }
                guard let scalar = Unicode.Scalar(UInt32(code)) else {
                    throw EvalError("%c arg \(code) is a surrogate code point, which a string cannot hold", .value)
                }
                text = String(scalar)
            default:
                throw EvalError("%c requires int or char")
            }
        default:
            throw EvalError("unsupported format character '\(conv)'", .value)
        }
        if "difeEgGxXo".unicodeScalars.contains(conv), !text.hasPrefix("-") {
            if flags.contains("+") { text = "+" + text } else if flags.contains(" ") { text = " " + text }
        }
        let w = try checkWidth(Int(width) ?? (width.isEmpty ? 0 : maxPadWidth + 1))
        if flags.contains("-") {
            text = try pad(text, width: w, fill: " ", align: "<")
        } else if flags.contains("0") && "difeEgGxXo".unicodeScalars.contains(conv) && text.unicodeScalars.count < w {
            let sign = text.hasPrefix("-") || text.hasPrefix("+") || text.hasPrefix(" ") ? String(text.removeFirst()) : ""
            text = sign + String(repeating: "0", count: w - sign.count - text.unicodeScalars.count) + text
        } else {
            text = try pad(text, width: w, fill: " ", align: ">")
        }
        out += text
    }
    if mapping == nil && argIndex < args.count {
        throw EvalError("not all arguments converted during string formatting")
    }
    return out
}

/// `str.format` with `{}`, `{0}`, `{name}`, `{name.attr}`, `{{`, `}}` and format specs.
func pythonFormat(_ format: String, _ args: [Value], _ kwargs: [(String, Value)]) throws -> String {
    let cps = codePoints(format)
    var out = ""
    var i = 0
    var auto = 0
    while i < cps.count {
        let c = cps[i]
        if c == "{" {
            if i + 1 < cps.count && cps[i + 1] == "{" { out += "{"; i += 2; continue }
            var j = i + 1
            while j < cps.count && cps[j] != "}" { j += 1 }
            guard j < cps.count else { throw EvalError("Single '{' encountered in format string", .value) }
            let field = stringFrom(cps[(i + 1)..<j])
            i = j + 1
            let parts = field.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            var ref = String(parts[0])
            let spec = parts.count > 1 ? String(parts[1]) : ""
            var conversion: Character? = nil
            if let bang = ref.firstIndex(of: "!") {
                conversion = ref[ref.index(after: bang)...].first
                ref = String(ref[..<bang])
            }
            let path = ref.split(separator: ".").map(String.init)
            var value: Value
            if ref.isEmpty {
                guard auto < args.count else { throw EvalError("Replacement index \(auto) out of range for positional args tuple") }
                value = args[auto]; auto += 1
            } else if let n = Int(path[0]) {
                guard n < args.count else { throw EvalError("Replacement index \(n) out of range for positional args tuple") }
                value = args[n]
            } else {
                guard let v = kwargs.last(where: { $0.0 == path[0] })?.1 else { throw EvalError("KeyError: \(pythonQuoted(path[0]))") }
                value = v
            }
            for attr in path.dropFirst() {
                guard case .dict(let d) = value, let v = d[attr] else { throw EvalError("'\(value.typeName)' object has no attribute '\(attr)'") }
                value = v
            }
            if conversion == "r" { value = .string(try value.reprText()) } else if conversion == "s" { value = .string(try value.text()) }
            out += try formatSpec(value, spec)
        } else if c == "}" {
            guard i + 1 < cps.count && cps[i + 1] == "}" else { throw EvalError("Single '}' encountered in format string", .value) }
            out += "}"; i += 2
        } else {
            out.unicodeScalars.append(c); i += 1
        }
    }
    return out
}

/// Python's format-spec mini language: [[fill]align][sign][0][width][,][.precision][type].
func formatSpec(_ value: Value, _ spec: String) throws -> String {
    if spec.isEmpty { return try value.text() }
    var cps = codePoints(spec)[...]
    var fill = " ", align: Character? = nil
    if cps.count >= 2, "<>^=".unicodeScalars.contains(cps[cps.startIndex + 1]) {
        fill = String(cps.removeFirst()); align = Character(cps.removeFirst())
    } else if let f = cps.first, "<>^=".unicodeScalars.contains(f) {
        align = Character(cps.removeFirst())
    }
    var sign = ""
    if let f = cps.first, "+- ".unicodeScalars.contains(f) { sign = String(cps.removeFirst()) }
    var zero = false
    if cps.first == "0" { zero = true; cps.removeFirst() }
    var width = ""
    while let f = cps.first, f.isASCII, f.properties.numericType == .decimal { width.unicodeScalars.append(cps.removeFirst()) }
    var grouping = false
    if cps.first == "," { grouping = true; cps.removeFirst() }
    var precision: Int? = nil
    if cps.first == "." {
        cps.removeFirst()
        var p = ""
        while let f = cps.first, f.isASCII, f.properties.numericType == .decimal { p.unicodeScalars.append(cps.removeFirst()) }
        precision = Int(p)
    }
    let type = cps.first.map { Character($0) }
    var text: String
    let isNumber = value.numeric != nil && !(value == .none)
    switch (type, value.numeric) {
    case (nil, _) where !isNumber, ("s", _):
        guard case .string(let s) = value.unmarked else { throw EvalError("Unknown format code 's' for object of type '\(value.typeName)'", .value) }
        text = precision.map { stringFrom(codePoints(s).prefix($0)) } ?? s
    case ("d", .int(let i)?), (nil, .int(let i)?):
        text = String(i.magnitude)
        if grouping { text = groupThousands(text) }
        if i < 0 { text = "-" + text } else if sign == "+" { text = "+" + text } else if sign == " " { text = " " + text }
    case (let t?, let n?) where "fFeEgG%".contains(t):
        var d = n.asDouble
        var suffix = ""
        var conv = t
        if t == "%" { d *= 100; suffix = "%"; conv = "f" }
        text = cFormat("%.\(precision ?? 6)\(conv)", d.magnitude) + suffix
        if grouping, let dot = text.firstIndex(where: { !$0.isNumber }) {
            text = groupThousands(String(text[..<dot])) + text[dot...]
        } else if grouping { text = groupThousands(text) }
        if d.sign == .minus && d != 0 { text = "-" + text } else if sign == "+" { text = "+" + text } else if sign == " " { text = " " + text }
    case (nil, .float(let d)?):
        text = precision.map { cFormat("%.\($0)g", d) } ?? formatPythonFloat(d)
        if sign == "+" && d >= 0 { text = "+" + text }
    case (let t?, let n?) where "xXob".contains(t) && n.isInteger:
        let v = n.intValue
        text = String(v.magnitude, radix: t == "o" ? 8 : t == "b" ? 2 : 16, uppercase: t == "X")
        if v < 0 { text = "-" + text }
    default:
        throw EvalError("Unknown format code '\(type.map(String.init) ?? "")' for object of type '\(value.typeName)'", .value)
    }
    let w = try checkWidth(Int(width) ?? (width.isEmpty ? 0 : maxPadWidth + 1))
    if zero && align == nil && isNumber {
        let neg = text.hasPrefix("-") || text.hasPrefix("+") || text.hasPrefix(" ")
        let s = neg ? String(text.removeFirst()) : ""
        return s + String(repeating: "0", count: max(0, w - s.count - text.unicodeScalars.count)) + text
    }
    return try pad(text, width: w, fill: fill, align: align ?? (isNumber ? ">" : "<"))
}

func groupThousands(_ digits: String) -> String {
    var out = ""
    for (i, ch) in digits.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return String(out.reversed())
}
