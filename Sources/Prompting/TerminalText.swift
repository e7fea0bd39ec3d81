/// Text from a template or a file name, made safe to print on a terminal: control characters,
/// C1 controls, line and paragraph separators and bidirectional overrides are shown escaped
/// (`\e`, `\r`, `\u202e`) instead of reaching the terminal raw, where they could move the
/// cursor, rewrite the title or reorder what the user reads.
public enum TerminalText {
    public static func visible(_ text: String, keepingNewlines: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepingNewlines) }) else { return text }
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar, keepingNewlines) else { result.unicodeScalars.append(scalar); continue }
            switch scalar {
            case "\u{1B}": result += "\\e"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\n": result += "\\n"
            default:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            }
        }
        return result
    }

    static func needsEscape(_ scalar: Unicode.Scalar, _ keepingNewlines: Bool) -> Bool {
        let value = scalar.value
        if scalar == "\n" { return !keepingNewlines }
        if scalar == "\t" { return false }
        return value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
            || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) || value == 0x200E || value == 0x200F
            || value == 0x061C
    }
}
