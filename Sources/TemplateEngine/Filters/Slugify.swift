// python-slugify's `slugify()` (cookiecutter's `slugify` filter), with all of its arguments.
import Foundation

/// The arguments of python-slugify's `slugify()`, with its defaults.
struct SlugifyOptions {
    var entities = true
    var decimal = true
    var hexadecimal = true
    var maxLength = 0
    var wordBoundary = false
    var separator = "-"
    var saveOrder = false
    var stopwords: [String] = []
    var regexPattern: String?
    var lowercase = true
    var replacements: [(String, String)] = []
    var allowUnicode = false

    /// Reads a filter call's arguments in python-slugify's order (after the text).
    init(_ a: FilterArgs) throws {
        func strings(_ value: Value?, _ name: String) throws -> [String] {
            guard let value, value != .none else { return [] }
            guard case .list(let items) = value else { throw EvalError("slugify: \(name) must be a list", .type) }
            return try items.map { try $0.text() }
        }
        entities = a.bool(0, "entities", true)
        decimal = a.bool(1, "decimal", true)
        hexadecimal = a.bool(2, "hexadecimal", true)
        maxLength = try a.int(3, "max_length", 0)
        wordBoundary = a.bool(4, "word_boundary", false)
        separator = try a.string(5, "separator", "-") ?? "-"
        saveOrder = a.bool(6, "save_order", false)
        stopwords = try strings(a.get(7, "stopwords"), "stopwords")
        regexPattern = try a.string(8, "regex_pattern", nil)
        lowercase = a.bool(9, "lowercase", true)
        if let value = a.get(10, "replacements"), value != .none {
            guard case .list(let pairs) = value else { throw EvalError("slugify: replacements must be a list of [old, new] pairs", .type) }
            replacements = try pairs.map { pair in
                guard case .list(let two) = pair, two.count == 2 else {
                    throw EvalError("slugify: replacements must be a list of [old, new] pairs", .value)
                }
                return (try two[0].text(), try two[1].text())
            }
        }
        allowUnicode = a.bool(11, "allow_unicode", false)
    }
}

/// python-slugify 8's algorithm: replacements, quotes, NFKD and text-unidecode (or NFKC with
/// `allow_unicode`), HTML character references, lower case, the disallowed-characters pattern,
/// stopwords, smart truncation, then the separator.
func pythonSlugify(_ input: String, _ options: SlugifyOptions) throws -> String {
    func regex(_ pattern: String) throws -> NSRegularExpression {
        do { return try NSRegularExpression(pattern: pattern) } catch {
            throw EvalError("slugify: invalid regex_pattern '\(pattern)'", .value)
        }
    }
    func substitute(_ text: String, _ pattern: String, _ transform: ([String]) -> String) throws -> String {
        let expression = try regex(pattern)
        let ns = text as NSString
        var out = ""
        var last = 0
        for match in expression.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            out += ns.substring(with: NSRange(location: last, length: match.range.location - last))
            let groups = (0..<match.numberOfRanges).map { match.range(at: $0).location == NSNotFound ? "" : ns.substring(with: match.range(at: $0)) }
            out += transform(groups)
            last = match.range.location + match.range.length
        }
        return out + ns.substring(from: last)
    }
    func strip(_ text: String, _ character: String) -> String {
        var result = Substring(text)
        while !character.isEmpty, result.hasPrefix(character) { result = result.dropFirst(character.count) }
        while !character.isEmpty, result.hasSuffix(character) { result = result.dropLast(character.count) }
        return String(result)
    }
    var text = input
    for (old, new) in options.replacements where !old.isEmpty { text = text.replacingOccurrences(of: old, with: new) }
    text = try substitute(text, "[']+") { _ in "-" }
    if options.allowUnicode {
        text = text.precomposedStringWithCompatibilityMapping
    } else {
        var ascii = ""
        for scalar in text.decomposedStringWithCompatibilityMapping.unicodeScalars {
            if scalar.isASCII { ascii.unicodeScalars.append(scalar) } else { ascii += transliteration(of: scalar) }
        }
        text = ascii
    }
    if options.entities {
        text = try substitute(text, "&(\(htmlEntityNames.keys.sorted { $0.count > $1.count }.joined(separator: "|")));") { groups in
            htmlEntityNames[groups[1]].map { String(Character(Unicode.Scalar($0) ?? " ")) } ?? groups[0]
        }
    }
    if options.decimal {
        text = try substitute(text, "&#(\\d+);") { groups in
            Int(groups[1]).flatMap { Unicode.Scalar(UInt32(clamping: $0)) }.map { String(Character($0)) } ?? groups[0]
        }
    }
    if options.hexadecimal {
        text = try substitute(text, "&#x([\\da-fA-F]+);") { groups in
            UInt32(groups[1], radix: 16).flatMap { Unicode.Scalar($0) }.map { String(Character($0)) } ?? groups[0]
        }
    }
    text = options.allowUnicode ? text.precomposedStringWithCompatibilityMapping : text.decomposedStringWithCompatibilityMapping
    if options.lowercase { text = text.lowercased() }
    text = try substitute(text, "[']+") { _ in "" }
    text = try substitute(text, "(?<=\\d),(?=\\d)") { _ in "" }
    let disallowed = options.regexPattern ?? (options.allowUnicode ? "[\\W_]+" : "[^-a-zA-Z0-9]+")
    text = try substitute(text, disallowed) { _ in "-" }
    text = strip(try substitute(text, "-{2,}") { _ in "-" }, "-")
    if !options.stopwords.isEmpty {
        let stop = Set(options.lowercase ? options.stopwords.map { $0.lowercased() } : options.stopwords)
        text = text.components(separatedBy: "-").filter { !stop.contains($0) }.joined(separator: "-")
    }
    for (old, new) in options.replacements where !old.isEmpty { text = text.replacingOccurrences(of: old, with: new) }
    if options.maxLength > 0 { text = smartTruncate(text, options.maxLength, options.wordBoundary, options.saveOrder) }
    if options.separator != "-" { text = text.replacingOccurrences(of: "-", with: options.separator) }
    return text
}

/// python-slugify's `smart_truncate` with the `-` separator (lengths in code points).
private func smartTruncate(_ input: String, _ maxLength: Int, _ wordBoundary: Bool, _ saveOrder: Bool) -> String {
    func strip(_ text: String) -> String {
        String(text.drop { $0 == "-" }.reversed().drop { $0 == "-" }.reversed())
    }
    let string = strip(input)
    let scalars = Array(string.unicodeScalars)
    func prefix(_ count: Int) -> String { String(String.UnicodeScalarView(scalars.prefix(count))) }
    if scalars.count < maxLength { return string }
    if !wordBoundary { return strip(prefix(maxLength)) }
    if !string.contains("-") { return prefix(maxLength) }
    var truncated = ""
    for word in string.components(separatedBy: "-") where !word.isEmpty {
        let next = truncated.unicodeScalars.count + word.unicodeScalars.count
        if next < maxLength {
            truncated += word + "-"
        } else if next == maxLength {
            truncated += word
            break
        } else if saveOrder {
            break
        }
    }
    if truncated.isEmpty { truncated = prefix(maxLength) }
    return strip(truncated)
}

/// The HTML entity names python-slugify decodes most often (Python's `html.entities.name2codepoint`
/// has 252; these are the Latin-1 and typographic ones).
let htmlEntityNames: [String: UInt32] = [
    "amp": 38, "lt": 60, "gt": 62, "quot": 34, "nbsp": 160, "copy": 169, "reg": 174, "trade": 8482,
    "ndash": 8211, "mdash": 8212, "lsquo": 8216, "rsquo": 8217, "ldquo": 8220, "rdquo": 8221, "hellip": 8230,
    "euro": 8364, "pound": 163, "yen": 165, "cent": 162, "deg": 176, "middot": 183, "times": 215, "divide": 247,
    "auml": 228, "ouml": 246, "uuml": 252, "Auml": 196, "Ouml": 214, "Uuml": 220, "szlig": 223, "eacute": 233,
    "egrave": 232, "aacute": 225, "agrave": 224, "ccedil": 231, "ntilde": 241, "oslash": 248, "aring": 229,
]
