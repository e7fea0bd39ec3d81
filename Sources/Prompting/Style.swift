/// ANSI styling that collapses to plain text when colour is off.
public struct Style: Sendable, Equatable {
    public var colour: Bool
    public init(colour: Bool) { self.colour = colour }

    public func bold(_ text: String) -> String { wrap(text, "1") }
    public func dim(_ text: String) -> String { wrap(text, "2") }
    public func red(_ text: String) -> String { wrap(text, "31") }
    public func green(_ text: String) -> String { wrap(text, "32") }
    public func yellow(_ text: String) -> String { wrap(text, "33") }
    public func cyan(_ text: String) -> String { wrap(text, "36") }

    public func apply(_ style: TextStyle, _ text: String) -> String {
        switch style {
        case .plain: return text
        case .heading: return bold(text)
        case .dim: return dim(text)
        case .success: return green(text)
        case .warning: return yellow(text)
        }
    }

    private func wrap(_ text: String, _ code: String) -> String {
        colour && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

/// Terminal text measurement, ignoring escape sequences.
enum TextWidth {
    /// Columns the text occupies, not counting CSI escape sequences. East Asian wide
    /// characters and emoji count as two columns.
    static func visible(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        var sawBracket = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if !sawBracket {
                    sawBracket = true
                    if scalar != "[" { inEscape = false }
                    continue
                }
                if (0x40...0x7E).contains(scalar.value) { inEscape = false }
                continue
            }
            if scalar == "\u{1B}" {
                inEscape = true
                sawBracket = false
                continue
            }
            width += columns(of: scalar)
        }
        return width
    }

    static func columns(of scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        if scalar.properties.generalCategory == .nonspacingMark
            || scalar.properties.generalCategory == .enclosingMark
            || value == 0x200B || value == 0xFE0F {
            return 0
        }
        if (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value)
            || (0xAC00...0xD7A3).contains(value) || (0xF900...0xFAFF).contains(value)
            || (0xFE30...0xFE4F).contains(value) || (0xFF00...0xFF60).contains(value)
            || (0xFFE0...0xFFE6).contains(value) || (0x1F300...0x1FAFF).contains(value)
            || (0x20000...0x3FFFD).contains(value) {
            return 2
        }
        return 1
    }

    /// Plain (unstyled) text cut to `width` columns, ending in "…" when cut.
    static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if visible(text) <= width { return text }
        var result = ""
        var used = 0
        for character in text {
            let characterWidth = character.unicodeScalars.reduce(0) { $0 + columns(of: $1) }
            if used + characterWidth > width - 1 { break }
            result.append(character)
            used += characterWidth
        }
        return result + "…"
    }

    /// How many terminal rows a line takes when the terminal wraps it at `columns`.
    static func rows(_ text: String, columns: Int) -> Int {
        let width = visible(text)
        guard columns > 0, width > 0 else { return 1 }
        return (width - 1) / columns + 1
    }
}
