// String literals for the file formats a value lands in: each filter turns any text into one
// literal that the format's own parser reads back as exactly that text.

extension FilterRegistry {
    static let formatQuoting = table(["yaml_string": 0, "toml_string": 0, "python_string": 0]) { _, name, value, _ in
        .string(try FormatQuoting.quote(name, value.text()))
    }
}

enum FormatQuoting {

    static func quote(_ filter: String, _ text: String) throws -> String {
        try checkBuiltSize(text.utf8.count.multipliedReportingOverflow(by: 10).overflow ? Int.max : text.utf8.count * 10 + 2, filter)
        switch filter {
        case "yaml_string": return yaml(text)
        case "toml_string": return toml(text)
        default: return python(text)
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }


    /// Characters no format below may carry raw: C0, DEL, C1, line and paragraph separators,
    /// bidirectional controls and the byte-order mark.
    private static func isSpecial(_ value: UInt32) -> Bool {
        value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
            || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) || value == 0xFEFF
            || value == 0x200E || value == 0x200F || value == 0x061C
    }

    /// A double-quoted literal: quotes and backslashes escaped, then `escape` for the rest
    /// (nil: the character stands as it is).
    private static func quoted(_ text: String, _ escape: (Unicode.Scalar) -> String?) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if let escaped = escape(scalar) { out += escaped } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// `\xNN` up to U+00FF, `\uNNNN` above, for the special characters; nil for the others.
    private static func hexEscape(_ scalar: Unicode.Scalar) -> String? {
        let value = scalar.value
        guard isSpecial(value) else { return nil }
        return value <= 0xFF ? "\\x" + hex(value, digits: 2) : "\\u" + hex(value, digits: 4)
    }

    /// A YAML double-quoted scalar (YAML 1.1 and 1.2 escapes).
    static func yaml(_ text: String) -> String {
        quoted(text) { scalar in
            switch scalar.value {
            case 0: return "\\0"
            case 0x1B: return "\\e"
            case 0x85: return "\\N"
            case 0x2028: return "\\L"
            case 0x2029: return "\\P"
            default: return hexEscape(scalar)
            }
        }
    }

    /// A TOML basic string (TOML has no `\x`: `\uNNNN` throughout).
    static func toml(_ text: String) -> String {
        quoted(text) { scalar in
            switch scalar.value {
            case 0x08: return "\\b"
            case 0x0C: return "\\f"
            default: return isSpecial(scalar.value) ? "\\u" + hex(scalar.value, digits: 4) : nil
            }
        }
    }

    /// A Python string literal (double-quoted).
    static func python(_ text: String) -> String {
        quoted(text, hexEscape)
    }
}
