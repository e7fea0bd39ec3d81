// Splits template text into data and tag tokens, applying whitespace control.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum TokenKind: Sendable, Equatable {
    case data, variableBegin, variableEnd, blockBegin, blockEnd
    case name, string, integer, float, op, eof
}

struct Token: Sendable {
    var kind: TokenKind
    var text: String
    var offset: Int
    var intValue: Int = 0
    var floatValue: Double = 0
}

struct Lexer {
    let src: [UInt8]
    let options: EnvironmentOptions
    let source: SourceText
    private let vStart: [UInt8], vEnd: [UInt8], bStart: [UInt8], bEnd: [UInt8], cStart: [UInt8], cEnd: [UInt8]
    private var tokens: [Token] = []

    init(source: SourceText, options: EnvironmentOptions) {
        self.src = source.bytes
        self.source = source
        self.options = options
        let d = options.delimiters
        vStart = Array(d.variableStart.utf8); vEnd = Array(d.variableEnd.utf8)
        bStart = Array(d.blockStart.utf8); bEnd = Array(d.blockEnd.utf8)
        cStart = Array(d.commentStart.utf8); cEnd = Array(d.commentEnd.utf8)
    }

    private func matches(_ pattern: [UInt8], at i: Int) -> Bool {
        if pattern.isEmpty || i + pattern.count > src.count { return false }
        for k in 0..<pattern.count where src[i + k] != pattern[k] { return false }
        return true
    }

    private enum TagKind { case variable, block, comment }

    /// The earliest tag start at or after `from`; longer delimiters win ties.
    private func nextTag(from: Int) -> (Int, TagKind)? {
        let f0 = vStart.first ?? 0, f1 = bStart.first ?? f0, f2 = cStart.first ?? f0
        let n = src.count
        guard from < n else { return nil }
        // Hot loop: scan raw bytes for a possible delimiter start.
        let found: Int? = src.withUnsafeBufferPointer { buf -> Int? in
            guard let base = buf.baseAddress else { return nil }
            var i = from
            if f0 == f1 && f1 == f2 {
                // One possible first byte (the default `{`): let memchr skip plain text.
                while i < n {
                    guard let hit = memchr(base + i, Int32(f0), n - i) else { return nil }
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if tagKind(at: at) != nil { return at }
                    i = at + 1
                }
                return nil
            }
            while i < n {
                let b = buf[i]
                if b == f0 || b == f1 || b == f2 {
                    if tagKind(at: i) != nil { return i }
                }
                i += 1
            }
            return nil
        }
        guard let at = found, let kind = tagKind(at: at) else { return nil }
        return (at, kind)
    }

    private func tagKind(at i: Int) -> TagKind? {
        var best: (TagKind, Int)? = nil
        if matches(cStart, at: i) { best = (.comment, cStart.count) }
        if matches(bStart, at: i), best.map({ bStart.count > $0.1 }) ?? true { best = (.block, bStart.count) }
        if matches(vStart, at: i), best.map({ vStart.count > $0.1 }) ?? true { best = (.variable, vStart.count) }
        return best?.0
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 || b == 11 || b == 12 }

    private mutating func emitData(_ start: Int, _ end: Int) {
        if end > start {
            tokens.append(Token(kind: .data, text: String(decoding: src[start..<end], as: UTF8.self), offset: start))
        }
    }

    private func skipSpace(_ i: Int) -> Int {
        var j = i
        while j < src.count && Lexer.isSpace(src[j]) { j += 1 }
        return j
    }

    /// Data end after `lstrip_blocks`: drop spaces/tabs between a line start and the tag.
    private func lstripped(_ start: Int, _ end: Int) -> Int {
        var k = end
        while k > start && (src[k - 1] == 32 || src[k - 1] == 9) { k -= 1 }
        if k > start { return src[k - 1] == 10 ? k : end }
        return (start == 0 || src[start - 1] == 10) ? k : end
    }

    mutating func tokenize() throws -> [Token] {
        var pos = 0
        tokens.reserveCapacity(64)
        while true {
            guard let (p, kind) = nextTag(from: pos) else {
                emitData(pos, src.count)
                break
            }
            let startLen = kind == .variable ? vStart.count : kind == .block ? bStart.count : cStart.count
            var inner = p + startLen
            var dataEnd = p
            let modifier: UInt8? = inner < src.count ? src[inner] : nil
            if modifier == UInt8(ascii: "-") {
                while dataEnd > pos && Lexer.isSpace(src[dataEnd - 1]) { dataEnd -= 1 }
                inner += 1
            } else if modifier == UInt8(ascii: "+") && kind != .variable {
                inner += 1
            } else if options.lstripBlocks && kind != .variable {
                dataEnd = lstripped(pos, p)
            }
            emitData(pos, dataEnd)
            switch kind {
            case .comment:
                var j = inner
                var found = -1
                while j < src.count {
                    if matches(cEnd, at: j) { found = j; break }
                    j += 1
                }
                guard found >= 0 else { throw source.error("Missing end of comment tag", at: p, kind: .syntax) }
                pos = found + cEnd.count
                if found > inner && src[found - 1] == UInt8(ascii: "-") {
                    pos = skipSpace(pos)
                } else if options.trimBlocks && pos < src.count && src[pos] == 10 {
                    pos += 1
                }
            case .variable, .block:
                pos = try tag(kind == .block, begin: p, inner: inner)
            }
        }
        tokens.append(Token(kind: .eof, text: "", offset: src.count))
        return tokens
    }

    /// Lexes one `{{ }}` or `{% %}` tag; returns the position after it (and after any raw block).
    private mutating func tag(_ isBlock: Bool, begin: Int, inner: Int) throws -> Int {
        let endPat = isBlock ? bEnd : vEnd
        tokens.append(Token(kind: isBlock ? .blockBegin : .variableBegin, text: "", offset: begin))
        let firstToken = tokens.count
        var i = inner
        var depth = 0
        var previousWasDot = false
        while true {
            while i < src.count && Lexer.isSpace(src[i]) { i += 1 }
            guard i < src.count else {
                throw source.error(isBlock ? "Unexpected end of template; the block tag is not closed"
                                   : "Unexpected end of template; the variable tag is not closed",
                                   at: begin, kind: .syntax)
            }
            if depth == 0 {
                var stripAfter = false
                var endAt = -1
                if src[i] == UInt8(ascii: "-") && matches(endPat, at: i + 1) {
                    stripAfter = true; endAt = i + 1
                } else if isBlock && src[i] == UInt8(ascii: "+") && matches(endPat, at: i + 1) {
                    endAt = i + 1
                } else if matches(endPat, at: i) {
                    endAt = i
                }
                if endAt >= 0 {
                    let plus = isBlock && src[i] == UInt8(ascii: "+")
                    tokens.append(Token(kind: isBlock ? .blockEnd : .variableEnd, text: "", offset: i))
                    var after = endAt + endPat.count
                    if stripAfter {
                        after = skipSpace(after)
                    } else if isBlock && !plus && options.trimBlocks && after < src.count && src[after] == 10 {
                        after += 1
                    }
                    if isBlock && tokens.count == firstToken + 2 && tokens[firstToken].kind == .name
                        && tokens[firstToken].text == "raw" {
                        tokens.removeLast(3)
                        // trim_blocks does not apply to the newline after `{% raw %}`.
                        if !stripAfter { after = endAt + endPat.count }
                        return try rawBlock(from: after, openedAt: begin)
                    }
                    return after
                }
            }
            let b = src[i]
            let start = i
            if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") {
                let (text, next) = try stringLiteral(at: i)
                tokens.append(Token(kind: .string, text: text, offset: start))
                i = next
            } else if b >= 48 && b <= 57 {
                i = number(at: i, integerOnly: previousWasDot)
            } else if b == UInt8(ascii: "_") || (b | 0x20 >= 97 && b | 0x20 <= 122) || b >= 0x80 {
                while i < src.count {
                    let c = src[i]
                    if c == UInt8(ascii: "_") || (c | 0x20 >= 97 && c | 0x20 <= 122) || (c >= 48 && c <= 57) || c >= 0x80 {
                        i += 1
                    } else { break }
                }
                tokens.append(Token(kind: .name, text: String(decoding: src[start..<i], as: UTF8.self), offset: start))
            } else {
                let next: UInt8 = i + 1 < src.count ? src[i + 1] : 0
                let isPair = (b == next && (b == UInt8(ascii: "/") || b == UInt8(ascii: "*")))
                    || (next == UInt8(ascii: "=") && "=!<>".utf8.contains(b))
                if isPair {
                    tokens.append(Token(kind: .op, text: String(decoding: src[i...i + 1], as: UTF8.self), offset: start))
                    i += 2
                } else if "+-*/%~<>=()[]{},.:|".utf8.contains(b) {
                    if b == UInt8(ascii: "(") || b == UInt8(ascii: "[") || b == UInt8(ascii: "{") { depth += 1 }
                    if b == UInt8(ascii: ")") || b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                        depth -= 1
                        if depth < 0 {
                            throw source.error("unexpected '\(Character(Unicode.Scalar(b)))'", at: i, kind: .syntax)
                        }
                    }
                    tokens.append(Token(kind: .op, text: String(Unicode.Scalar(b)), offset: start))
                    i += 1
                } else {
                    let ch = String(decoding: src[i..<min(i + 1, src.count)], as: UTF8.self)
                    throw source.error("unexpected char \(pythonQuoted(ch))", at: i, kind: .syntax)
                }
            }
            previousWasDot = tokens.last.map { $0.kind == .op && $0.text == "." } ?? false
        }
    }

    private mutating func number(at start: Int, integerOnly: Bool) -> Int {
        var i = start
        func digits() {
            while i < src.count && ((src[i] >= 48 && src[i] <= 57) || (src[i] == UInt8(ascii: "_") && i + 1 < src.count && src[i + 1] >= 48 && src[i + 1] <= 57)) { i += 1 }
        }
        digits()
        var isFloat = false
        if !integerOnly {
            if i + 1 < src.count && src[i] == UInt8(ascii: ".") && src[i + 1] >= 48 && src[i + 1] <= 57 {
                i += 1; digits(); isFloat = true
            }
            if i < src.count && (src[i] == UInt8(ascii: "e") || src[i] == UInt8(ascii: "E")) {
                var j = i + 1
                if j < src.count && (src[j] == UInt8(ascii: "+") || src[j] == UInt8(ascii: "-")) { j += 1 }
                if j < src.count && src[j] >= 48 && src[j] <= 57 {
                    i = j; digits(); isFloat = true
                }
            }
        }
        let text = String(decoding: src[start..<i].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        if isFloat {
            tokens.append(Token(kind: .float, text: text, offset: start, floatValue: Double(text) ?? 0))
        } else if let v = Int(text) {
            tokens.append(Token(kind: .integer, text: text, offset: start, intValue: v))
        } else {
            tokens.append(Token(kind: .float, text: text, offset: start, floatValue: Double(text) ?? .infinity))
        }
        return i
    }

    private func stringLiteral(at start: Int) throws -> (String, Int) {
        let quote = src[start]
        var i = start + 1
        var bytes: [UInt8] = []
        while i < src.count {
            let b = src[i]
            if b == quote { return (String(decoding: bytes, as: UTF8.self), i + 1) }
            if b == UInt8(ascii: "\\") && i + 1 < src.count {
                let e = src[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): bytes.append(10)
                case UInt8(ascii: "t"): bytes.append(9)
                case UInt8(ascii: "r"): bytes.append(13)
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    // Octal escape of up to three digits, as Python's unicode_escape.
                    var v = UInt32(e - 48)
                    var digits = 1
                    while digits < 3 && i < src.count && src[i] >= 48 && src[i] <= 55 {
                        v = v * 8 + UInt32(src[i] - 48); i += 1; digits += 1
                    }
                    bytes.append(contentsOf: Array(String(Character(Unicode.Scalar(v) ?? "\u{FFFD}")).utf8))
                case UInt8(ascii: "a"): bytes.append(7)
                case UInt8(ascii: "b"): bytes.append(8)
                case UInt8(ascii: "f"): bytes.append(12)
                case UInt8(ascii: "v"): bytes.append(11)
                case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): bytes.append(e)
                case 10: break
                case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let width = e == UInt8(ascii: "x") ? 2 : e == UInt8(ascii: "u") ? 4 : 8
                    guard i + width <= src.count,
                          let v = UInt32(String(decoding: src[i..<i + width], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(v) else {
                        throw source.error("invalid escape in string literal", at: i - 2, kind: .syntax)
                    }
                    bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
                    i += width
                default: bytes.append(UInt8(ascii: "\\")); bytes.append(e)
                }
                continue
            }
            bytes.append(b)
            i += 1
        }
        throw source.error("unterminated string", at: start, kind: .syntax)
    }

    /// `{% raw %}...{% endraw %}`: everything in between is data.
    private mutating func rawBlock(from start: Int, openedAt: Int) throws -> Int {
        var i = start
        while let (p, kind) = nextTag(from: i) {
            if kind == .block {
                var j = p + bStart.count
                var strip = false
                if j < src.count && (src[j] == UInt8(ascii: "-") || src[j] == UInt8(ascii: "+")) {
                    strip = src[j] == UInt8(ascii: "-"); j += 1
                }
                j = skipSpace(j)
                if matches(Array("endraw".utf8), at: j) {
                    var k = skipSpace(j + 6)
                    var stripAfter = false
                    if k < src.count && src[k] == UInt8(ascii: "-") && matches(bEnd, at: k + 1) { stripAfter = true; k += 1 }
                    if matches(bEnd, at: k) {
                        var dataEnd = p
                        if strip {
                            while dataEnd > start && Lexer.isSpace(src[dataEnd - 1]) { dataEnd -= 1 }
                        } else if options.lstripBlocks && src[p + bStart.count] != UInt8(ascii: "+") {
                            dataEnd = lstripped(start, p)
                        }
                        emitData(start, dataEnd)
                        var after = k + bEnd.count
                        if stripAfter {
                            after = skipSpace(after)
                        } else if options.trimBlocks && after < src.count && src[after] == 10 {
                            after += 1
                        }
                        return after
                    }
                }
            }
            i = p + 1
        }
        throw source.error("Missing end of raw directive", at: openedAt, kind: .syntax)
    }
}
