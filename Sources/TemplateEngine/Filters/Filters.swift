// Built-in filters: strings and numbers. Collections and serialisation live in sibling files.
import Foundation

extension FilterRegistry {
    static let strings = table([
        "default": 2, "d": 2, "upper": 0, "lower": 0, "capitalize": 0, "title": 0, "trim": 1, "string": 0,
        "e": 0, "escape": 0, "safe": 0, "quote": 0, "replace": 3, "center": 1, "indent": 3, "truncate": 4,
        "wordcount": 0, "wordwrap": 4, "format": nil, "urlencode": 0, "pprint": 0, "abs": 0, "int": 2,
        "float": 1, "round": 2, "bool": 0, "attr": 1,
    ]) { try $0.stringFilter($1, $2, $3) }
}

/// Positional-or-keyword arguments of one filter call.
struct FilterArgs {
    let args: [Value]
    let kwargs: [(String, Value)]

    func get(_ i: Int, _ name: String) -> Value? {
        if i < args.count { return args[i] }
        return kwargs.last(where: { $0.0 == name })?.1
    }
    func int(_ i: Int, _ name: String, _ dflt: Int) throws -> Int {
        guard let v = get(i, name), v != .none else { return dflt }
        guard v.isInteger else { throw EvalError("'\(name)' must be an integer, not \(v.typeName)") }
        return v.intValue
    }
    func bool(_ i: Int, _ name: String, _ dflt: Bool) -> Bool { get(i, name)?.isTruthy ?? dflt }
    func string(_ i: Int, _ name: String, _ dflt: String?) throws -> String? {
        guard let v = get(i, name), v != .none else { return dflt }
        guard case .string(let s) = v.unmarked else { throw EvalError("'\(name)' must be a string, not \(v.typeName)") }
        return s
    }
}

extension Renderer {
    func applyFilter(_ name: String, _ value: Value, _ args: [Value], _ kwargs: [(String, Value)], at offset: Int) throws -> Value {
        if let host = hostFilter(name) {
            return try positioned(offset) { try account(try callHost(host, [value] + args, kwargs)) }
        }
        if let most = FilterRegistry.filters[name]?.maxPositional, args.count > most {
            throw source.error("filter '\(name)' takes at most \(most) argument(s), got \(args.count)", at: offset, kind: .type)
        }
        return try positioned(offset) { try account(try builtinFilter(name, value, FilterArgs(args: args, kwargs: kwargs))) }
    }

    /// The host's filter of that name; looked up only when the host added any (the common case
    /// has none, and this runs for every filter applied).
    func hostFilter(_ name: String) -> NativeFunction? {
        environment.filters.isEmpty ? nil : environment.filters[name]
    }

    /// A host filter or test: what it throws is reported where the template uses it.
    func callHost(_ function: NativeFunction, _ args: [Value], _ kwargs: [(String, Value)]) throws -> Value {
        try checkHandable(args, kwargs)
        do {
            return try function.call(args, kwargs)
        } catch let e as EvalError {
            throw e
        } catch let e as TemplateError where !e.file.isEmpty {
            throw e
        } catch let e as TemplateError {
            throw EvalError("\(function.name): \(e.message)", e.kind)
        } catch {
            throw EvalError("\(function.name): \(error)", .value)
        }
    }

    /// Walks what a host function is about to be handed (it may print or serialise it: the
    /// Python extensions' bridge writes it as JSON), charging the render and refusing values
    /// whose text would exceed one string's limit.
    func checkHandable(_ args: [Value], _ kwargs: [(String, Value)]) throws {
        for value in args { try value.checkHandable(limit: limits.maxOutputBytes) }
        for (_, value) in kwargs { try value.checkHandable(limit: limits.maxOutputBytes) }
    }

    /// `account` for operators: repetition always (it makes large strings from small ones);
    /// `+` and `~` only for strings of 1 MiB or more, so building text in a loop stays free.
    func accountLarge(_ value: Value, always: Bool) throws -> Value {
        if always { return try account(value) }
        if case .string(let text) = value, text.utf8.count >= 1 << 20 { return try account(value) }
        return value
    }

    /// Counts the strings in a built value (one level deep) against the budget's bytes.
    @discardableResult
    func account(_ value: Value) throws -> Value {
        var bytes = 0
        switch value {
        case .string(let text): bytes = text.utf8.count
        case .list(let items):
            for case .string(let text) in items { bytes += text.utf8.count }
        default: return value
        }
        try meter.spend(bytes: bytes)
        return value
    }

    func stringArg(_ v: Value) throws -> String {
        guard case .string(let s) = v else { return try v.text() }
        return s
    }

    /// A filter by name, the host's first (what `map('name')` applies).
    func filter(_ name: String, _ value: Value, _ a: FilterArgs) throws -> Value {
        if let host = hostFilter(name) { return try callHost(host, [value] + a.args, a.kwargs) }
        return try builtinFilter(name, value, a)
    }

    func stringFilter(_ name: String, _ value: Value, _ a: FilterArgs) throws -> Value {
        switch name {
        case "default", "d":
            let dflt = a.get(0, "default_value") ?? .string("")
            if a.bool(1, "boolean", false) && !value.isTruthy { return dflt }
            return value
        case "upper": return .string(try value.text().uppercased())
        case "lower": return .string(pythonLower(try value.text()))
        case "capitalize": return .string(pythonCapitalize(try value.text()))
        case "title": return .string(pythonTitle(try value.text()))
        case "trim": return .string(pythonStrip(try value.text(), chars: try a.string(0, "chars", nil)))
        case "string": return .string(try value.text())
        case "e", "escape": return try value.escapedMarkup()
        case "safe": return .markup(try value.text())
        case "quote": return .string(shellQuote(try value.text()))
        case "replace":
            let old = try a.get(0, "old")?.text() ?? "", new = try a.get(1, "new")?.text() ?? ""
            return .string(try pythonReplace(value.text(), old, new, count: try a.int(2, "count", -1)))
        case "center":
            return .string(try pad(value.text(), width: try a.int(0, "width", 80), fill: " ", align: "^"))
        case "indent": return .string(try indentFilter(value.text(), a))
        case "truncate": return .string(try truncateFilter(value.text(), a))
        case "wordcount":
            return .int(wordRuns(try value.text()))
        case "wordwrap": return .string(try wordwrapFilter(value.text(), a))
        case "format":
            if !a.kwargs.isEmpty { return .string(try percentFormat(value.text(), [.dict(OrderedMapping(a.kwargs))])) }
            return .string(try percentFormat(value.text(), a.args))
        case "urlencode": return .string(try urlencode(value))
        case "pprint": return .string(try value.prettyText())
        case "abs":
            switch value {
            case .int(let i):
                guard i != Int.min else { throw EvalError("integer overflow", .value) }
                return .int(abs(i))
            case .float(let d): return .float(abs(d))
            case .bool(let b): return .int(b ? 1 : 0)
            default: throw EvalError("bad operand type for abs(): '\(value.typeName)'")
            }
        case "int": return try intFilter(value, a)
        case "float":
            let dflt = a.get(0, "default") ?? .float(0)
            switch value {
            case .float: return value
            case .int, .bool: return .float(value.asDouble)
            case .string(let s):
                let t = pythonStrip(s, chars: nil).replacingOccurrences(of: "_", with: "")
                if let d = Double(t), !t.lowercased().hasPrefix("0x") { return .float(d) }
                let lower = t.lowercased()
                if ["inf", "+inf", "infinity", "+infinity"].contains(lower) { return .float(.infinity) }
                if ["-inf", "-infinity"].contains(lower) { return .float(-.infinity) }
                if ["nan", "+nan", "-nan"].contains(lower) { return .float(.nan) }
                return dflt
            default: return dflt
            }
        case "round": return try roundFilter(value, a)
        case "bool":
            // jinja2-ansible-filters: None and booleans pass through unchanged.
            if value == .none { return .none }
            return .bool(ansibleBool(value))
        case "attr":
            guard let attr = try a.string(0, "name", nil) else { throw EvalError("attr() needs an attribute name") }
            // Jinja2's attr looks up attributes only, never mapping keys.
            if let m = Methods.bound(value, attr) { return .callable(m) }
            let message = "'\(describeObject(value))' has no attribute '\(attr)'"
            if lenient { return .undefined(message: message) }
            throw EvalError(message, .undefined)
        default:
            throw EvalError(unknown: .filter(name))
        }
    }

    func intFilter(_ value: Value, _ a: FilterArgs) throws -> Value {
        let dflt = a.get(0, "default") ?? .int(0)
        let base = try a.int(1, "base", 10)
        switch value {
        case .int: return value
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d):
            guard d.isFinite, let i = Int(exactly: d.rounded(.towardZero)) else { return dflt }
            return .int(i)
        case .string(let s):
            var t = pythonStrip(s, chars: nil).replacingOccurrences(of: "_", with: "")
            var sign = 1
            if t.hasPrefix("-") { sign = -1; t.removeFirst() } else if t.hasPrefix("+") { t.removeFirst() }
            var radix = base
            let lower = t.lowercased()
            if base == 10 || base == 16 || base == 8 || base == 2 {
                for (prefix, r) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) && base == r {
                    t = String(t.dropFirst(2)); radix = r
                }
            }
            if !t.isEmpty, t.allSatisfy({ $0.isASCII && $0.isHexDigit }), let i = Int(t, radix: radix) { return .int(sign * i) }
            if base == 10, let d = Double(pythonStrip(s, chars: nil)), d.isFinite, let i = Int(exactly: d.rounded(.towardZero)) { return .int(i) }
            return dflt
        default: return dflt
        }
    }

    func roundFilter(_ value: Value, _ a: FilterArgs) throws -> Value {
        let precision = try a.int(0, "precision", 0)
        let method = try a.string(1, "method", "common") ?? "common"
        guard let n = value.numeric else { throw EvalError("type \(value.typeName) doesn't define __round__ method") }
        switch method {
        case "common":
            if case .int = n { return n }
            let d = n.asDouble
            guard d.isFinite else { return .float(d) }
            return .float(Double(String(format: "%.\(max(0, precision))f", d)) ?? d)
        case "ceil", "floor":
            let scale = pow(10.0, Double(precision))
            let x = n.asDouble * scale
            return .float((method == "ceil" ? x.rounded(.up) : x.rounded(.down)) / scale)
        default:
            throw EvalError("method must be common, ceil or floor", .value)
        }
    }

    func indentFilter(_ s: String, _ a: FilterArgs) throws -> String {
        let widthValue = a.get(0, "width") ?? .int(4)
        let indent: String
        if case .string(let w) = widthValue { indent = w } else { indent = String(repeating: " ", count: max(0, try checkWidth(widthValue.intValue))) }
        let first = a.bool(1, "first", false), blank = a.bool(2, "blank", false)
        // Jinja2 appends a newline first so a trailing newline yields an (indentable) empty line.
        let lines = pythonSplitlines(s + "\n")
        let indented = indent.utf8.count.multipliedReportingOverflow(by: lines.count + 1)
        try checkBuiltSize(indented.overflow ? Int.max : s.utf8.count + indented.partialValue, "indent")
        var out: String
        if blank {
            out = lines.joined(separator: "\n" + indent)
        } else {
            out = lines.first ?? ""
            if lines.count > 1 {
                out += "\n" + lines.dropFirst().map { $0.isEmpty ? $0 : indent + $0 }.joined(separator: "\n")
            }
        }
        return first ? indent + out : out
    }

    func truncateFilter(_ s: String, _ a: FilterArgs) throws -> String {
        let length = try a.int(0, "length", 255)
        let killwords = a.bool(1, "killwords", false)
        let end = try a.string(2, "end", "...") ?? "..."
        let leeway = try a.int(3, "leeway", 5)
        let cps = codePoints(s)
        if cps.count <= length + leeway { return s }
        let keep = max(0, length - end.unicodeScalars.count)
        if killwords { return stringFrom(cps.prefix(keep)) + end }
        var head = stringFrom(cps.prefix(keep))
        if let space = head.lastIndex(of: " ") { head = String(head[..<space]) } else { head = "" }
        return head + end
    }

    func wordRuns(_ s: String) -> Int {
        var count = 0, inWord = false
        for c in s.unicodeScalars {
            let w = c.properties.isAlphabetic || c.properties.numericType != nil || c == "_"
            if w && !inWord { count += 1 }
            inWord = w
        }
        return count
    }

    func urlencode(_ value: Value) throws -> String {
        func formQuote(_ s: String) -> String { quote(s, safe: " ").replacingOccurrences(of: " ", with: "+") }
        func quote(_ s: String, safe: String) -> String {
            var out = ""
            for b in s.utf8 {
                let c = Character(Unicode.Scalar(b))
                if b < 0x80 && (c.isLetter || c.isNumber || "_.-~".contains(c) || safe.contains(c)) { out.append(c) } else {
                    out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
                }
            }
            return out
        }
        switch value {
        case .string(let s): return quote(s, safe: "/")
        case .dict(let d): return try d.pairs.map { formQuote($0.key) + "=" + formQuote(try $0.value.text()) }.joined(separator: "&")
        case .list(let l):
            return try l.map { item -> String in
                guard case .list(let kv) = item, kv.count == 2 else { throw EvalError("urlencode expects pairs") }
                return formQuote(try kv[0].text()) + "=" + formQuote(try kv[1].text())
            }.joined(separator: "&")
        default: return quote(try value.text(), safe: "/")
        }
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}

func shellQuote(_ s: String) -> String {
    if !s.isEmpty && s.unicodeScalars.allSatisfy({ $0.isASCII && (Character($0).isLetter || Character($0).isNumber || "@%+=:,./-_".unicodeScalars.contains($0)) }) {
        return s
    }
    return "'" + s.replacingOccurrences(of: "'", with: "'\"'\"'") + "'"
}

/// Ansible's `bool` filter: true for True, 1, "yes", "on", "1", "true", "y", "t".
func ansibleBool(_ v: Value) -> Bool {
    switch v {
    case .bool(let b): return b
    case .none: return false
    case .int(let i): return i == 1
    case .float(let d): return d == 1
    case .string(let s): return ["yes", "on", "1", "true"].contains(pythonLower(s))
    default: return false
    }
}

extension Renderer {
    /// Jinja2's `wordwrap`: each line wrapped on its own, greedy like Python's textwrap
    /// (without splitting at hyphens).
    func wordwrapFilter(_ s: String, _ a: FilterArgs) throws -> String {
        let width = try a.int(0, "width", 79)
        guard width > 0 else { throw EvalError("invalid width \(width) (must be > 0)", .value) }
        let breakLong = a.bool(1, "break_long_words", true)
        let wrapString = try a.string(2, "wrapstring", "\n") ?? "\n"
        var paragraphs: [String] = []
        for line in s.split(separator: "\n", omittingEmptySubsequences: false).dropLastIfEmptyLine(s) {
            paragraphs.append(wrapLine(codePoints(String(line)), width: width, breakLong: breakLong).joined(separator: wrapString))
        }
        return paragraphs.joined(separator: wrapString)
    }

    func wrapLine(_ cps: [Unicode.Scalar], width: Int, breakLong: Bool) -> [String] {
        var chunks: [[Unicode.Scalar]] = []
        for c in cps {
            let ws = isPythonSpace(c)
            if let last = chunks.last?.last, isPythonSpace(last) == ws { chunks[chunks.count - 1].append(c) } else { chunks.append([c]) }
        }
        chunks.reverse()
        var lines: [String] = []
        while !chunks.isEmpty {
            var current: [[Unicode.Scalar]] = []
            var length = 0
            if let last = chunks.last, last.allSatisfy(isPythonSpace), !lines.isEmpty { chunks.removeLast() }
            while let chunk = chunks.last {
                if length + chunk.count <= width {
                    current.append(chunk); length += chunk.count; chunks.removeLast()
                } else { break }
            }
            if let chunk = chunks.last, chunk.count > width {
                let space = max(1, width - length)
                if breakLong {
                    current.append(Array(chunk.prefix(space)))
                    chunks[chunks.count - 1] = Array(chunk.dropFirst(space))
                } else if current.isEmpty {
                    current.append(chunk); chunks.removeLast()
                }
            }
            if let last = current.last, last.allSatisfy(isPythonSpace) { current.removeLast() }
            if !current.isEmpty { lines.append(stringFrom(current.joined())) }
        }
        return lines
    }
}

extension Array where Element == Substring {
    /// `str.splitlines()` drops the empty piece after a final newline.
    func dropLastIfEmptyLine(_ s: String) -> [Substring] {
        if s.hasSuffix("\n"), last == "" { return Array(dropLast()) }
        return self
    }
}
