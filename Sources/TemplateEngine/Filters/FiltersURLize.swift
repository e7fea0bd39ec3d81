// Jinja2 3.1.6's `urlize` filter (jinja2.utils.urlize with the filter's rel/target/scheme handling).
import Foundation

/// Python's `\w` and `\s` for str patterns, written out for ICU (whose own classes differ).
private let word = "[\\p{L}\\p{N}_]"
private let notSpace = "[^\\t\\n\\x{0B}\\f\\r\\x{1C}-\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]"

private let httpPattern: NSRegularExpression? = try? NSRegularExpression(pattern:
    "^(" +
    "(https?://|www\\.)((\(word.dropLast())%-]+\\.)+)?([a-z]{2,63}|xn--\(word.dropLast())%]{2,59})" +
    "|(\(word.dropLast())%-]{2,63}\\.)+(com|net|int|edu|gov|org|info|mil)" +
    "|(https?://)((([\\d]{1,3})(\\.[\\d]{1,3}){3})|(\\[([\\da-f]{0,4}:){2}([\\da-f]{0,4}:?){1,6}\\]))" +
    ")(?::[\\d]{1,5})?(?:[/?#]\(notSpace)*)?$", options: [.caseInsensitive])

private let emailPattern: NSRegularExpression? = try? NSRegularExpression(pattern:
    "^\(notSpace)+@\(word)\(word.dropLast()).-]*\\.\(word)+$")

private func matches(_ pattern: NSRegularExpression?, _ text: String) -> Bool {
    pattern?.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
}

private func isWordScalar(_ c: Unicode.Scalar) -> Bool {
    if c == "_" { return true }
    switch c.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
         .decimalNumber, .letterNumber, .otherNumber: return true
    default: return false
    }
}

/// `^([\w.+-]{2,}:(/){0,2})$` as `fullmatch`: what `extra_schemes` entries must look like.
private func isSchemePrefix(_ s: String) -> Bool {
    guard let colon = s.firstIndex(of: ":") else { return false }
    let name = s[..<colon].unicodeScalars, rest = s[s.index(after: colon)...]
    return name.count >= 2 && name.allSatisfy { isWordScalar($0) || ".+-".unicodeScalars.contains($0) }
        && ["", "/", "//"].contains(String(rest))
}

/// Python's `str.count` (non-overlapping) and `str.index`, on code points.
private func occurrences(_ needle: [Unicode.Scalar], in text: [Unicode.Scalar]) -> Int {
    var count = 0, i = 0
    while i + needle.count <= text.count {
        if Array(text[i..<(i + needle.count)]) == needle { count += 1; i += needle.count } else { i += 1 }
    }
    return count
}

private func firstIndex(of needle: [Unicode.Scalar], in text: [Unicode.Scalar]) -> Int? {
    var i = 0
    while i + needle.count <= text.count {
        if Array(text[i..<(i + needle.count)]) == needle { return i }
        i += 1
    }
    return nil
}

extension FilterRegistry {
    static let urlize = table(["urlize": 5]) { renderer, _, value, a in .string(try renderer.urlizeFilter(value, a)) }
}

extension Renderer {
    func urlizeFilter(_ value: Value, _ a: FilterArgs) throws -> String {
        let limit = a.get(0, "trim_url_limit") ?? .none
        let nofollow = a.bool(1, "nofollow", false)
        let targetValue = a.get(2, "target") ?? .none
        let relValue = a.get(3, "rel") ?? .none
        let schemesValue = a.get(4, "extra_schemes") ?? .none

        var relParts = Set<String>()
        if relValue.isTruthy {
            guard case .string(let rel) = relValue else { throw EvalError("'\(relValue.typeName)' object has no attribute 'split'") }
            relParts.formUnion(pythonSplit(rel, sep: nil, maxsplit: -1))
        }
        if nofollow { relParts.insert("nofollow") }
        relParts.insert("noopener")  // Jinja2's default policy urlize.rel
        let relAttr = " rel=\"\(htmlEscape(relParts.sorted().joined(separator: " ")))\""
        let targetAttr = targetValue.isTruthy ? " target=\"\(htmlEscape(try targetValue.text()))\"" : ""
        var schemes: [String]? = nil
        if schemesValue.isTruthy {
            schemes = []
            for scheme in try iterate(schemesValue) {
                guard case .string(let s) = scheme, isSchemePrefix(s) else {
                    throw EvalError("\(try scheme.reprText()) is not a valid URI scheme prefix.", .value)
                }
                schemes?.append(s)
            }
        }
        func trim(_ x: String) throws -> String {
            if limit == .none { return x }
            guard limit.isInteger else {
                throw EvalError("'>' not supported between instances of 'int' and '\(limit.typeName)'")
            }
            let scalars = codePoints(x)
            guard scalars.count > limit.intValue else { return x }
            return stringFrom(pythonSlice(scalars, nil, limit.intValue, 1)) + "..."
        }

        // re.split(r"(\s+)", escaped): words and the whitespace runs between them.
        var words: [String] = []
        var current = String.UnicodeScalarView(), inSpace = false
        // MarkupSafe's escape leaves a markup-safe string as it is.
        for c in (try value.escapedMarkup().text()).unicodeScalars {
            let space = isPythonSpace(c)
            if space != inSpace { words.append(String(current)); current = .init(); inSpace = space }
            current.append(c)
        }
        words.append(String(current))

        var out = ""
        for word in words {
            // Code point by code point, as Python compares (Swift's String compares graphemes).
            var head = [Unicode.Scalar](), middle = Array(word.unicodeScalars), tail = [Unicode.Scalar]()
            let lt = Array("&lt;".unicodeScalars), gt = Array("&gt;".unicodeScalars)
            while true {
                if let first = middle.first, first == "(" || first == "<" { head.append(middle.removeFirst()) }
                else if middle.starts(with: lt) { head += lt; middle.removeFirst(4) }
                else { break }
            }
            while true {
                if middle.count >= 4 && Array(middle.suffix(4)) == gt { tail = gt + tail; middle.removeLast(4) }
                else if let last = middle.last, ")>.,\n".unicodeScalars.contains(last) { tail.insert(middle.removeLast(), at: 0) }
                else { break }
            }
            for (open, close) in [("(", ")"), ("<", ">"), ("&lt;", "&gt;")] {
                let o = Array(open.unicodeScalars), c = Array(close.unicodeScalars)
                let openCount = occurrences(o, in: middle)
                if openCount <= occurrences(c, in: middle) { continue }
                for _ in 0..<min(openCount, occurrences(c, in: tail)) {
                    guard let at = firstIndex(of: c, in: tail) else { break }
                    middle += tail[..<(at + c.count)]
                    tail.removeFirst(at + c.count)
                }
            }
            out += stringFrom(head) + (try link(middle)) + stringFrom(tail)
        }
        return out

        func link(_ scalars: [Unicode.Scalar]) throws -> String {
            let middle = stringFrom(scalars)
            func starts(_ prefix: String) -> Bool { scalars.starts(with: prefix.unicodeScalars) }
            if matches(httpPattern, middle) {
                let href = starts("https://") || starts("http://") ? middle : "https://" + middle
                return "<a href=\"\(href)\"\(relAttr)\(targetAttr)>\(try trim(middle))</a>"
            }
            let afterMailto = stringFrom(scalars.dropFirst(7))
            if starts("mailto:"), matches(emailPattern, afterMailto) {
                return "<a href=\"\(middle)\">\(afterMailto)</a>"
            }
            if scalars.contains("@"), !starts("www."), !starts("@"), !scalars.contains(":"), matches(emailPattern, middle) {
                return "<a href=\"mailto:\(middle)\">\(middle)</a>"
            }
            var result = Array(scalars)
            for scheme in schemes ?? [] {
                let prefix = Array(scheme.unicodeScalars)
                if result != prefix && result.starts(with: prefix) {
                    let m = stringFrom(result)
                    result = Array("<a href=\"\(m)\"\(relAttr)\(targetAttr)>\(m)</a>".unicodeScalars)
                }
            }
            return stringFrom(result)
        }
    }
}
