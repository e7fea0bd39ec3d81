// String literals for the file formats a value lands in: each filter turns any text into one
// literal that the format's own parser reads back as exactly that text.

/// The filters of this file, by name.
enum FormatQuoting {
    static let filters: Set<String> = ["yaml_string", "toml_string", "python_string"]

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

    /// A YAML double-quoted scalar (YAML 1.1 and 1.2 escapes).
    static func yaml(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            case "\u{1B}": out += "\\e"
            default:
                let value = scalar.value
                if value == 0x85 { out += "\\N" } else if value == 0x2028 { out += "\\L" } else if value == 0x2029 { out += "\\P" }
                else if isSpecial(value) { out += value <= 0xFF ? "\\x" + hex(value, digits: 2) : "\\u" + hex(value, digits: 4) }
                else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// A TOML basic string.
    static func toml(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if isSpecial(scalar.value) { out += "\\u" + hex(scalar.value, digits: 4) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    /// A Python string literal (double-quoted).
    static func python(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                let value = scalar.value
                if isSpecial(value) { out += value <= 0xFF ? "\\x" + hex(value, digits: 2) : "\\u" + hex(value, digits: 4) }
                else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
