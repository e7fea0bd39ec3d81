// Python str/dict/list methods that templates call (`name.upper()`, `d.items()`).

enum Methods {
    static func bound(_ obj: Value, _ name: String) -> NativeFunction? {
        if let dunder = dunderMethod(obj, name) { return dunder }
        switch obj {
        case .string(let s): return stringMethod(s, name)
        case .markup(let s): return markupMethod(s, name)
        case .dict(let d): return dictMethod(d, name)
        case .list(let l): return listMethod(l, name)
        default: return nil
        }
    }

    /// `__len__` and `__contains__`, which `str`, `list` and `dict` share (`name.__len__()`).
    static func dunderMethod(_ obj: Value, _ name: String) -> NativeFunction? {
        // Every method lookup passes here first: the name decides before anything is counted.
        guard name == "__len__" || name == "__contains__" else { return nil }
        switch obj {
        case .string, .markup, .list, .dict: break
        default: return nil
        }
        switch name {
        case "__len__":
            return NativeFunction(builtin: name) { a, k in
                guard a.isEmpty, k.isEmpty else { throw EvalError("__len__() takes no arguments (\(a.count + k.count) given)", .type) }
                switch obj {
                case .string(let s), .markup(let s): return .int(s.unicodeScalars.count)
                case .list(let items): return .int(items.count)
                case .dict(let map): return .int(map.count)
                default: return .int(0)
                }
            }
        case "__contains__":
            return NativeFunction(builtin: name) { a, k in
                guard a.count == 1, k.isEmpty else { throw EvalError("__contains__() takes exactly one argument (\(a.count + k.count) given)", .type) }
                return .bool(try Operators.contains(obj, a[0]))
            }
        default: return nil
        }
    }

    static func arg(_ args: [Value], _ i: Int, _ kwargs: [(String, Value)] = [], _ key: String = "") -> Value? {
        if i < args.count { return args[i] }
        return kwargs.first(where: { $0.0 == key })?.1
    }

    static func str(_ v: Value?, _ what: String) throws -> String {
        guard case .string(let s)? = v?.unmarked else {
            throw EvalError("\(what) must be str, not \(v?.typeName ?? "nothing")")
        }
        return s
    }

    static func stringMethod(_ s: String, _ name: String) -> NativeFunction? {
        let body: (@Sendable ([Value], [(String, Value)]) throws -> Value)?
        switch name {
        case "upper": body = { _, _ in .string(s.uppercased()) }
        case "lower": body = { _, _ in .string(pythonLower(s)) }
        case "capitalize": body = { _, _ in .string(pythonCapitalize(s)) }
        case "strip", "lstrip", "rstrip":
            body = { a, _ in
                let chars = a.first.flatMap { if case .string(let c) = $0.unmarked { return c } else { return nil } }
                return .string(pythonStrip(s, chars: chars, left: name != "rstrip", right: name != "lstrip"))
            }
        case "split", "rsplit":
            body = { a, k in
                var sep: String? = nil
                if case .string(let x)? = arg(a, 0, k, "sep")?.unmarked { sep = x }
                let maxsplit = arg(a, 1, k, "maxsplit")?.intValue ?? -1
                if sep == "" { throw EvalError("empty separator", .value) }
                return .list(pythonSplit(s, sep: sep, maxsplit: maxsplit, fromRight: name == "rsplit").map { .string($0) })
            }
        case "splitlines":
            body = { _, _ in .list(pythonSplitlines(s).map { .string($0) }) }
        case "replace":
            body = { a, _ in
                let old = try str(arg(a, 0), "replace() argument 1"), new = try str(arg(a, 1), "replace() argument 2")
                return .string(try pythonReplace(s, old, new, count: arg(a, 2)?.intValue ?? -1))
            }
        case "startswith", "endswith":
            body = { a, _ in
                let options: [Value]
                if case .list(let l)? = a.first { options = l } else { options = a.first.map { [$0] } ?? [] }
                for o in options {
                    let p = try str(o, "\(name) argument")
                    if name == "startswith" ? s.utf8.starts(with: p.utf8) : s.utf8.reversed().starts(with: p.utf8.reversed()) {
                        return .bool(true)
                    }
                }
                return .bool(false)
            }
        case "join":
            body = { a, _ in
                guard let x = a.first else { throw EvalError("join() takes exactly one argument (0 given)") }
                let parts = try iterate(x).map { v -> String in
                    guard case .string(let p) = v.unmarked else { throw EvalError("sequence item: expected str instance, \(v.typeName) found") }
                    return p
                }
                try checkBuiltSize(joinedSize(parts, separator: s), "join")
                return .string(parts.joined(separator: s))
            }
        case "format": body = { a, k in .string(try pythonFormat(s, a, k)) }
        case "count": body = { a, _ in .int(countOccurrences(s, try str(arg(a, 0), "count() argument"))) }
        case "isdigit": body = { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal || $0.properties.numericType == .digit }) }
        case "isalpha": body = { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic }) }
        case "isalnum": body = { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil }) }
        case "isupper": body = { _, _ in .bool(s.contains { $0.isCased } && s == s.uppercased()) }
        case "islower": body = { _, _ in .bool(s.contains { $0.isCased } && s == s.lowercased()) }
        case "isspace": body = { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isWhitespace }) }
        case "zfill":
            body = { a, _ in
                let w = try checkWidth(arg(a, 0)?.intValue ?? 0)
                let n = s.unicodeScalars.count
                guard w > n else { return .string(s) }
                let pad = String(repeating: "0", count: w - n)
                if let f = s.first, f == "-" || f == "+" { return .string(String(f) + pad + s.dropFirst()) }
                return .string(pad + s)
            }
        case "center", "ljust", "rjust":
            body = { a, _ in
                let w = arg(a, 0)?.intValue ?? 0
                var fill = " "
                if case .string(let f)? = arg(a, 1)?.unmarked { fill = f }
                guard fill.unicodeScalars.count == 1 else {
                    throw EvalError("The fill character must be exactly one character long", .type)
                }
                return .string(try pad(s, width: w, fill: fill, align: name == "center" ? "^" : name == "ljust" ? "<" : ">"))
            }
        default: body = moreStringMethods(s, name)
        }
        return body.map { NativeFunction(builtin: name, $0) } ?? refused("str", name)
    }

    static func dictMethod(_ d: OrderedMapping, _ name: String) -> NativeFunction? {
        switch name {
        case "items": return NativeFunction(builtin: name) { _, _ in .list(d.pairs.map { .list([.string($0.key), $0.value]) }) }
        case "keys": return NativeFunction(builtin: name) { _, _ in .list(d.keys.map { .string($0) }) }
        case "values": return NativeFunction(builtin: name) { _, _ in .list(d.values) }
        case "get":
            return NativeFunction(builtin: name) { a, _ in
                guard case .string(let k)? = a.first?.unmarked else { return a.count > 1 ? a[1] : .none }
                return d[k] ?? (a.count > 1 ? a[1] : .none)
            }
        case "copy": return NativeFunction(builtin: name) { _, _ in .dict(d) }
        case "fromkeys": return NativeFunction(builtin: name) { a, _ in try fromKeys(a) }
        default: return refused("dict", name)
        }
    }

    static func listMethod(_ l: [Value], _ name: String) -> NativeFunction? {
        switch name {
        case "index":
            return NativeFunction(builtin: name) { a, _ in
                guard let x = a.first else { throw EvalError("index expected at least 1 argument, got 0") }
                let (start, end) = try sliceBounds(arg(a, 1), arg(a, 2), count: l.count)
                if start < end, let i = try Array(l[start..<end]).firstIndex(ofValue: x) { return .int(start + i) }
                throw EvalError("\(x.pythonRepr) is not in list", .value)
            }
        case "count": return NativeFunction(builtin: name) { a, _ in .int(try l.filter { v in try a.first.map { try v.equals($0) } ?? false }.count) }
        case "copy": return NativeFunction(builtin: name) { _, _ in .list(l) }
        default: return refused("list", name)
        }
    }
}

extension Array where Element == Value {
    func dropLastIfEmpty(_ s: String) -> [Value] {
        if s.isEmpty { return [] }
        if s.hasSuffix("\n"), last == .string("") { return Array(dropLast()) }
        return self
    }
}

/// Python's str.splitlines(): every line-break kind, no empty piece after a final break.
func pythonSplitlines(_ s: String) -> [String] {
    var lines: [String] = []
    var current = String.UnicodeScalarView()
    var previousCR = false
    for c in s.unicodeScalars {
        if previousCR && c == "\n" { previousCR = false; continue }
        previousCR = c == "\r"
        switch c.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
            lines.append(String(current))
            current = .init()
        default:
            current.append(c)
        }
    }
    if !current.isEmpty { lines.append(String(current)) }
    return lines
}

/// Python's str.lower(), including the final-sigma rule.
func pythonLower(_ s: String) -> String {
    guard s.unicodeScalars.contains("\u{03A3}") else { return s.lowercased() }
    let cps = codePoints(s)
    func cased(_ c: Unicode.Scalar) -> Bool { c.properties.isCased }
    var out = String.UnicodeScalarView()
    for (i, c) in cps.enumerated() {
        if c == "\u{03A3}" {
            let before = cps[..<i].reversed().first { !$0.properties.isCaseIgnorable }.map(cased) ?? false
            let after = cps[(i + 1)...].first { !$0.properties.isCaseIgnorable }.map(cased) ?? false
            out.append(before && !after ? "\u{03C2}" : "\u{03C3}")
        } else {
            out.append(contentsOf: String(c).lowercased().unicodeScalars)
        }
    }
    return String(out)
}

func isPythonSpace(_ c: Unicode.Scalar) -> Bool {
    switch c.value {
    case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0: return true
    default: return c.value > 0x7F && c.properties.isWhitespace
    }
}

func pythonStrip(_ s: String, chars: String?, left: Bool = true, right: Bool = true) -> String {
    let cps = codePoints(s)
    let set = chars.map { Set($0.unicodeScalars) }
    func strippable(_ c: Unicode.Scalar) -> Bool { set?.contains(c) ?? isPythonSpace(c) }
    var lo = 0, hi = cps.count
    if left { while lo < hi && strippable(cps[lo]) { lo += 1 } }
    if right { while hi > lo && strippable(cps[hi - 1]) { hi -= 1 } }
    if lo == 0 && hi == cps.count { return s }
    return stringFrom(cps[lo..<hi])
}

func pythonSplit(_ s: String, sep: String?, maxsplit: Int, fromRight: Bool = false) -> [String] {
    if let sep {
        var parts = s.splitExact(sep)
        if maxsplit >= 0 && parts.count > maxsplit + 1 {
            if fromRight {
                let head = parts[0..<(parts.count - maxsplit)].joined(separator: sep)
                parts = [head] + parts[(parts.count - maxsplit)...]
            } else {
                let tail = parts[maxsplit...].joined(separator: sep)
                parts = Array(parts[0..<maxsplit]) + [tail]
            }
        }
        return parts
    }
    // From the right: split the reversed text from the left, then turn every piece back.
    let cps = fromRight ? Array(codePoints(s).reversed()) : codePoints(s)
    var words: [String] = []
    var current = String.UnicodeScalarView()
    var inWord = false
    func piece(_ scalars: some Collection<Unicode.Scalar>) -> String {
        fromRight ? stringFrom(scalars.reversed()) : stringFrom(scalars)
    }
    var i = 0
    while i < cps.count {
        let c = cps[i]
        if isPythonSpace(c) {
            if inWord { words.append(piece(current)); current = .init(); inWord = false }
        } else {
            if !inWord && maxsplit >= 0 && words.count == maxsplit {
                // The rest, as it is (Python keeps its whitespace on the far side).
                words.append(piece(cps[i...]))
                return fromRight ? words.reversed() : words
            }
            current.append(c); inWord = true
        }
        i += 1
    }
    if inWord { words.append(piece(current)) }
    return fromRight ? words.reversed() : words
}

extension String {
    /// Splits on every occurrence of `sep`, comparing code points.
    func splitExact(_ sep: String) -> [String] {
        let cps = codePoints(self), sc = codePoints(sep)
        var parts: [String] = []
        var start = 0, i = 0
        while i + sc.count <= cps.count {
            if cps[i] == sc[0] && Array(cps[i..<i + sc.count]) == sc {
                parts.append(stringFrom(cps[start..<i]))
                i += sc.count
                start = i
            } else { i += 1 }
        }
        parts.append(stringFrom(cps[start...]))
        return parts
    }
}

func pythonReplace(_ s: String, _ old: String, _ new: String, count: Int) throws -> String {
    let occurrences = min(countOccurrences(s, old), count < 0 ? Int.max : count)
    let growth = (new.utf8.count - old.utf8.count).multipliedReportingOverflow(by: occurrences)
    if growth.overflow || s.utf8.count + growth.partialValue > maxBuiltStringBytes {
        try checkBuiltSize(growth.overflow ? Int.max : s.utf8.count + growth.partialValue, "replace")
    }
    if old.isEmpty {
        var out = String.UnicodeScalarView()
        var n = 0
        for c in s.unicodeScalars {
            if count < 0 || n < count { out.append(contentsOf: new.unicodeScalars); n += 1 }
            out.append(c)
        }
        if count < 0 || n < count { out.append(contentsOf: new.unicodeScalars) }
        return String(out)
    }
    let parts = s.splitExact(old)
    if count < 0 || parts.count - 1 <= count { return parts.joined(separator: new) }
    return parts[0...count].joined(separator: new) + old + parts[(count + 1)...].joined(separator: old)
}

func countOccurrences(_ s: String, _ sub: String) -> Int {
    if sub.isEmpty { return s.unicodeScalars.count + 1 }
    // Non-overlapping occurrences, left to right, over the UTF-8 bytes (no substrings built).
    let text = Array(s.utf8), needle = Array(sub.utf8)
    guard needle.count <= text.count else { return 0 }
    var count = 0
    var index = 0
    let last = text.count - needle.count
    while index <= last {
        if text[index] == needle[0] && text[index..<index + needle.count].elementsEqual(needle) {
            count += 1
            index += needle.count
        } else {
            index += 1
        }
    }
    return count
}

func pythonCapitalize(_ s: String) -> String {
    guard let f = s.unicodeScalars.first else { return s }
    return String(f).uppercased() + stringFrom(s.unicodeScalars.dropFirst()).lowercased()
}

/// Jinja2's `title` filter: capitalise each word, words split at spaces, dashes and brackets.
func pythonTitle(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    var startOfWord = true
    for c in s.unicodeScalars {
        if isPythonSpace(c) || "-({[<".unicodeScalars.contains(c) {
            out.append(c); startOfWord = true
        } else if startOfWord {
            out.append(contentsOf: String(c).uppercased().unicodeScalars); startOfWord = false
        } else {
            out.append(contentsOf: String(c).lowercased().unicodeScalars)
        }
    }
    return String(out)
}
