// The rest of Python's `str`, `list` and `dict` methods (see Methods.swift for the common ones):
// every public method of the three types is either here, in Methods.swift, or refused by name
// with the reason (`Methods.unsupported`).

extension Methods {
    /// Methods refused when called: those that change a list or dict in place, where the change
    /// could not reach every name that holds the value (MethodsInPlace.swift says where it can),
    /// and those that make `bytes` or code-point tables, which templates have no type for.
    static let unsupported: [String: [String: String]] = [
        "str": [
            "encode": "it makes bytes, which templates have no type for",
            "maketrans": "it makes a code-point table, which templates have no type for",
            "translate": "it reads a code-point table, which templates have no type for; use replace()",
        ],
        "list": Dictionary(uniqueKeysWithValues: inPlaceList.map {
            ($0, "it changes the list in place, which works here only on a variable of the context or one set at the template's top level (`{% set _ = items.append(x) %}`), not on a loop variable, a macro argument or a value no variable holds; build a new list (`items + [x]`, `items|reverse|list`, `items|sort`)")
        }),
        "dict": Dictionary(uniqueKeysWithValues: inPlaceDict.map {
            ($0, "it changes the dict in place, which works here only on a variable of the context or one set at the template's top level (`{% set _ = d.update(x) %}`), not on a loop variable, a macro argument or a value no variable holds; build a new one (`d|combine({...})`)")
        }),
    ]

    static func refused(_ type: String, _ name: String) -> NativeFunction? {
        guard let reason = unsupported[type]?[name] else { return nil }
        return NativeFunction(builtin: name) { _, _ in throw EvalError("\(type).\(name)() is not supported: \(reason)") }
    }

    /// Python `str` methods beyond the common ones in `stringMethod`.
    static func moreStringMethods(_ s: String, _ name: String) -> (@Sendable ([Value], [(String, Value)]) throws -> Value)? {
        switch name {
        case "title": return { _, _ in .string(pythonStrTitle(s)) }
        case "casefold": return { _, _ in .string(pythonCasefold(s)) }
        case "swapcase": return { _, _ in .string(pythonSwapcase(s)) }
        case "istitle": return { _, _ in .bool(pythonIsTitle(s)) }
        case "isascii": return { _, _ in .bool(s.unicodeScalars.allSatisfy(\.isASCII)) }
        case "isdecimal": return { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal }) }
        case "isnumeric": return { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType != nil }) }
        case "isidentifier":
            return { _, _ in
                guard let first = s.unicodeScalars.first, first == "_" || first.properties.isXIDStart else { return .bool(false) }
                return .bool(s.unicodeScalars.dropFirst().allSatisfy { $0.properties.isXIDContinue })
            }
        case "isprintable": return { _, _ in .bool(s.unicodeScalars.allSatisfy(isPythonPrintable)) }
        case "removeprefix":
            return { a, _ in
                let prefix = try str(arg(a, 0), "removeprefix() argument")
                return .string(s.unicodeScalars.starts(with: prefix.unicodeScalars) ? stringFrom(s.unicodeScalars.dropFirst(prefix.unicodeScalars.count)) : s)
            }
        case "removesuffix":
            return { a, _ in
                let suffix = try str(arg(a, 0), "removesuffix() argument")
                let cps = codePoints(s), sc = codePoints(suffix)
                return .string(!sc.isEmpty && cps.count >= sc.count && Array(cps.suffix(sc.count)) == sc ? stringFrom(cps.dropLast(sc.count)) : s)
            }
        case "partition", "rpartition":
            return { a, _ in
                let sep = try str(arg(a, 0), "\(name)() argument")
                if sep.isEmpty { throw EvalError("empty separator", .value) }
                let cps = codePoints(s), sc = codePoints(sep)
                guard let at = pythonFind(cps, sc, start: 0, end: cps.count, fromRight: name == "rpartition") else {
                    return name == "partition" ? .list([.string(s), .string(""), .string("")]) : .list([.string(""), .string(""), .string(s)])
                }
                return .list([.string(stringFrom(cps[..<at])), .string(sep), .string(stringFrom(cps[(at + sc.count)...]))])
            }
        case "find", "rfind", "index", "rindex":
            return { a, _ in
                let sub = try str(arg(a, 0), "\(name)() argument")
                let cps = codePoints(s)
                let (start, end) = try sliceBounds(arg(a, 1), arg(a, 2), count: cps.count)
                if let at = pythonFind(cps, codePoints(sub), start: start, end: end, fromRight: name.hasPrefix("r")) { return .int(at) }
                if name.hasSuffix("index") { throw EvalError("substring not found", .value) }
                return .int(-1)
            }
        case "expandtabs":
            return { a, k in
                let size = arg(a, 0, k, "tabsize")?.intValue ?? 8
                var out = String.UnicodeScalarView()
                var column = 0
                for c in s.unicodeScalars {
                    if c == "\t" {
                        if size > 0 {
                            let spaces = size - column % size
                            try checkBuiltSize(out.count + spaces, "expandtabs")
                            out.append(contentsOf: String(repeating: " ", count: spaces).unicodeScalars)
                            column += spaces
                        }
                    } else {
                        out.append(c)
                        column = c == "\n" || c == "\r" ? 0 : column + 1
                    }
                }
                return .string(String(out))
            }
        case "format_map":
            return { a, _ in
                guard case .dict(let mapping)? = a.first else {
                    throw EvalError("format_map() argument must be a mapping, not \(a.first?.typeName ?? "nothing")")
                }
                return .string(try pythonFormat(s, [], mapping.pairs.map { ($0.key, $0.value) }))
            }
        default: return nil
        }
    }

    /// `dict.fromkeys(keys, value=None)`: a new dict (called on any dict, as Python allows).
    static func fromKeys(_ args: [Value]) throws -> Value {
        guard let keys = args.first else { throw EvalError("fromkeys expected at least 1 argument, got 0") }
        var mapping = OrderedMapping()
        for key in try iterate(keys) {
            guard case .string(let name) = key.unmarked else { throw EvalError("dict keys must be strings here, not \(key.typeName)") }
            mapping[name] = args.count > 1 ? args[1] : .none
        }
        return .dict(mapping)
    }
}

/// Python's search bounds `[start:end]` over `count` items (negative from the end, clamped).
func sliceBounds(_ start: Value?, _ end: Value?, count: Int) throws -> (Int, Int) {
    func bound(_ v: Value?, _ fallback: Int, upTo limit: Int) throws -> Int {
        guard let v, v != .none else { return fallback }
        guard v.isInteger else { throw EvalError("slice indices must be integers or None or have an __index__ method") }
        let i = v.intValue
        return i < 0 ? max(0, i + count) : min(i, limit)
    }
    // A start past the end stays there, so that nothing (not even '') is found from it.
    return (try bound(start, 0, upTo: Int.max), try bound(end, count, upTo: count))
}

/// Where `sub` first (or last) occurs in `cps[start..<end]`, as Python's find/rfind.
func pythonFind(_ cps: [Unicode.Scalar], _ sub: [Unicode.Scalar], start: Int, end: Int, fromRight: Bool) -> Int? {
    guard start <= end, end - start >= sub.count else { return nil }
    if sub.isEmpty { return fromRight ? end : start }
    let positions = start...(end - sub.count)
    for i in fromRight ? Array(positions.reversed()) : Array(positions) where cps[i] == sub[0] && Array(cps[i..<i + sub.count]) == sub {
        return i
    }
    return nil
}

/// Python's `str.title()`: a cased character after a cased one is lowered, any other titled
/// (`Émile's tool-kit` -> `Émile'S Tool-Kit`); unlike Jinja2's `title` filter.
func pythonStrTitle(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    var previousCased = false
    for c in s.unicodeScalars {
        out.append(contentsOf: (previousCased ? c.properties.lowercaseMapping : c.properties.titlecaseMapping).unicodeScalars)
        previousCased = c.properties.isCased
    }
    return String(out)
}

/// Python's `str.istitle()`.
func pythonIsTitle(_ s: String) -> Bool {
    var cased = false
    var previousCased = false
    for c in s.unicodeScalars {
        if c.properties.isUppercase || c.properties.generalCategory == .titlecaseLetter {
            if previousCased { return false }
            previousCased = true
            cased = true
        } else if c.properties.isLowercase {
            if !previousCased { return false }
            previousCased = true
            cased = true
        } else {
            previousCased = false
        }
    }
    return cased
}

/// Python's `str.swapcase()`: full case mappings, character by character.
func pythonSwapcase(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    for c in s.unicodeScalars {
        if c.properties.isUppercase {
            out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars)
        } else if c.properties.isLowercase {
            out.append(contentsOf: c.properties.uppercaseMapping.unicodeScalars)
        } else {
            out.append(c)
        }
    }
    return String(out)
}

/// Python's `str.casefold()`: lower case, with the full folds lower case lacks (`ß` -> `ss`).
func pythonCasefold(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    for c in s.unicodeScalars {
        switch c.value {
        case 0xDF: out.append(contentsOf: "ss".unicodeScalars)
        case 0x1E9E: out.append(contentsOf: "ss".unicodeScalars)
        case 0x3C2: out.append("\u{3C3}")
        case 0x17F: out.append("s")
        case 0x130: out.append(contentsOf: "i\u{307}".unicodeScalars)
        case 0xFB00: out.append(contentsOf: "ff".unicodeScalars)
        case 0xFB01: out.append(contentsOf: "fi".unicodeScalars)
        case 0xFB02: out.append(contentsOf: "fl".unicodeScalars)
        case 0xFB05, 0xFB06: out.append(contentsOf: "st".unicodeScalars)
        default: out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars)
        }
    }
    return String(out)
}
