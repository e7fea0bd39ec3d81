// Filters copier templates use beyond Jinja2's built-ins: regex, paths, base64, hashes, case styles.
import Foundation

extension FilterRegistry {
    static let extra = table([
        "regex_search": nil, "regex_replace": 3, "regex_findall": 3, "basename": 0, "dirname": 0,
        "b64encode": 0, "b64decode": 0, "hash": 1, "slugify": 12, "snake_case": 0, "kebab_case": 0,
    ]) { try $0.extraFilter($1, $2, $3) }
}

extension Renderer {
    func extraFilter(_ name: String, _ value: Value, _ a: FilterArgs) throws -> Value {
        switch name {
        case "regex_search", "regex_replace", "regex_findall":
            return try regexFilter(name, value.text(), a)
        case "basename":
            let s = try value.text()
            guard let slash = s.lastIndex(of: "/") else { return .string(s) }
            return .string(String(s[s.index(after: slash)...]))
        case "dirname":
            let s = try value.text()
            guard let slash = s.lastIndex(of: "/") else { return .string("") }
            var head = String(s[...slash])
            if !head.allSatisfy({ $0 == "/" }) { while head.hasSuffix("/") { head.removeLast() } }
            return .string(head)
        case "b64encode":
            return .string(Data(try value.text().utf8).base64EncodedString())
        case "b64decode":
            guard let data = Data(base64Encoded: try value.text()), let text = String(data: data, encoding: .utf8) else {
                throw EvalError("b64decode: the value is not valid base64 of UTF-8 text", .value)
            }
            return .string(text)
        case "hash":
            let algorithm = try a.string(0, "hashtype", "sha1") ?? "sha1"
            let bytes = Array(try value.text().utf8)
            switch algorithm {
            case "sha256": return .string(SHA256.hex(bytes))
            case "sha1": return .string(Digest.hex(Digest.sha1(bytes)))
            case "md5": return .string(Digest.hex(Digest.md5(bytes)))
            case "sha512": return .string(Digest.hex(Digest.sha512(bytes)))
            default: throw EvalError("hash: '\(algorithm)' is not supported (md5, sha1, sha256, sha512 are)", .value)
            }
        case "slugify": return .string(try pythonSlugify(try value.text(), try SlugifyOptions(a)))
        case "snake_case": return .string(caseWords(try value.text(), separator: "_"))
        case "kebab_case": return .string(caseWords(try value.text(), separator: "-"))
        default:
            throw EvalError(unknown: .filter(name))
        }
    }

    func regexFilter(_ name: String, _ text: String, _ a: FilterArgs) throws -> Value {
        let patternIndex = 0
        guard let pattern = try a.string(patternIndex, name == "regex_search" ? "regex" : "regex", nil)
            ?? (try a.string(patternIndex, "pattern", nil)) else {
            throw EvalError("\(name) needs a pattern")
        }
        var regex: Regex<AnyRegexOutput>
        do { regex = try Regex(pattern) } catch {
            throw EvalError("\(name): invalid regular expression \(pythonQuoted(pattern)): \(error)", .value)
        }
        regex = regex.matchingSemantics(.unicodeScalar)
        // Positional flags as jinja2-ansible-filters orders them: regex_replace(pattern, replacement,
        // ignorecase), regex_findall(regex, multiline, ignorecase); regex_search's are backreferences.
        let allowed: Set<String> = name == "regex_replace" ? ["pattern", "replacement", "ignorecase"]
            : name == "regex_findall" ? ["regex", "multiline", "ignorecase"] : []
        if let bad = a.kwargs.first(where: { !allowed.isEmpty && !allowed.contains($0.0) }) {
            throw EvalError("\(name)() got an unexpected keyword argument '\(bad.0)'")
        }
        var ignoreCase = a.kwargs.first(where: { $0.0 == "ignorecase" })?.1.isTruthy ?? false
        var multiline = a.kwargs.first(where: { $0.0 == "multiline" })?.1.isTruthy ?? false
        if name == "regex_replace", a.args.count > 2 { ignoreCase = a.args[2].isTruthy }
        if name == "regex_findall" {
            if a.args.count > 1 { multiline = a.args[1].isTruthy }
            if a.args.count > 2 { ignoreCase = a.args[2].isTruthy }
        }
        if ignoreCase { regex = regex.ignoresCase() }
        if multiline { regex = regex.anchorsMatchLineEndings() }
        switch name {
        case "regex_search":
            var groups: [String] = []
            for arg in a.args.dropFirst() {
                guard case .string(let ref) = arg, ref.hasPrefix("\\") else { throw EvalError("Unknown argument", .value) }
                let body = ref.dropFirst()
                if body.hasPrefix("g<"), body.hasSuffix(">"), body.count > 3 {
                    groups.append(String(body.dropFirst(2).dropLast()))
                } else if let digits = Optional(body.prefix(while: { $0.isASCII && $0.isNumber })), !digits.isEmpty {
                    groups.append(String(Int(digits) ?? 0))
                } else {
                    throw EvalError("Unknown argument", .value)
                }
            }
            guard let m = try regex.firstMatch(in: text) else { return .none }
            if groups.isEmpty { return .string(String(text[m.range])) }
            return .list(try groups.map { key in
                if let n = Int(key) {
                    guard n < m.output.count else { throw EvalError("no such group", .value) }
                    return m.output[n].substring.map { .string(String($0)) } ?? .none
                }
                guard let g = m.output[key] else { throw EvalError("no such group", .value) }
                return g.substring.map { .string(String($0)) } ?? .none
            })
        case "regex_findall":
            return .list(text.matches(of: regex).map { m in
                let groups = m.output.count - 1
                if groups == 0 { return .string(String(text[m.range])) }
                let parts = (1...groups).map { Value.string(m.output[$0].substring.map(String.init) ?? "") }
                return groups == 1 ? parts[0] : .list(parts)
            })
        default:
            let replacement = try a.string(1, "replacement", "") ?? ""
            var out = ""
            var last = text.startIndex
            for m in text.matches(of: regex) {
                out += text[last..<m.range.lowerBound]
                out += try expandReplacement(replacement, m)
                last = m.range.upperBound
            }
            out += text[last...]
            return .string(out)
        }
    }

    /// Python `re.sub` replacement: `\1`, `\g<1>`, `\g<name>`, `\n`, `\\`.
    func expandReplacement(_ r: String, _ m: Regex<AnyRegexOutput>.Match) throws -> String {
        let cps = codePoints(r)
        var out = ""
        var i = 0
        func group(_ key: String) throws -> String {
            if let n = Int(key) {
                guard n < m.output.count else { throw EvalError("invalid group reference \(n)", .value) }
                return m.output[n].substring.map(String.init) ?? ""
            }
            guard let g = m.output[key] else { throw EvalError("unknown group name '\(key)'", .value) }
            return g.substring.map(String.init) ?? ""
        }
        while i < cps.count {
            let c = cps[i]
            guard c == "\\", i + 1 < cps.count else { out.unicodeScalars.append(c); i += 1; continue }
            let n = cps[i + 1]
            if n.isASCII && n.properties.numericType == .decimal {
                var j = i + 1
                var digits = ""
                while j < cps.count && j < i + 3 && cps[j].isASCII && cps[j].properties.numericType == .decimal {
                    digits.unicodeScalars.append(cps[j]); j += 1
                }
                out += try group(digits)
                i = j
            } else if n == "g", i + 2 < cps.count, cps[i + 2] == "<" {
                var j = i + 3
                var key = ""
                while j < cps.count && cps[j] != ">" { key.unicodeScalars.append(cps[j]); j += 1 }
                out += try group(key)
                i = j + 1
            } else {
                switch n {
                case "n": out += "\n"
                case "t": out += "\t"
                case "\\": out += "\\"
                default: out += "\\"; out.unicodeScalars.append(n)
                }
                i += 2
            }
        }
        return out
    }
}

/// snake_case / kebab-case: split camelCase and acronyms, every other non-alphanumeric run is one separator.
func caseWords(_ s: String, separator: String) -> String {
    func isUpper(_ c: Unicode.Scalar) -> Bool { c.value >= 65 && c.value <= 90 }
    func isLower(_ c: Unicode.Scalar) -> Bool { c.value >= 97 && c.value <= 122 }
    func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }
    let cps = codePoints(s)
    var step1: [Unicode.Scalar] = []
    for (i, c) in cps.enumerated() {
        if i > 0 && i + 1 < cps.count && isUpper(c) && isUpper(cps[i - 1]) && isLower(cps[i + 1]) { step1.append("_") }
        step1.append(c)
    }
    var step2: [Unicode.Scalar] = []
    for (i, c) in step1.enumerated() {
        if i > 0 && isUpper(c) && (isLower(step1[i - 1]) || isDigit(step1[i - 1])) { step2.append("_") }
        step2.append(c)
    }
    var out = ""
    var inGap = false
    for c in step2 {
        if isUpper(c) || isLower(c) || isDigit(c) {
            if inGap { out += "_" }
            inGap = false
            out.unicodeScalars.append(isUpper(c) ? Unicode.Scalar(UInt8(c.value + 32)) : c)
        } else {
            inGap = true
        }
    }
    if inGap { out += "_" }
    let trimmed = pythonStrip(out, chars: "_")
    return separator == "_" ? trimmed : trimmed.replacingOccurrences(of: "_", with: separator)
}
