/// A key press as read from a terminal in raw mode.
public enum Key: Sendable, Equatable {
    /// A printable character (UTF-8 decoded).
    case character(Character)
    case enter, backspace, delete, tab, escape
    case up, down, left, right, home, end, pageUp, pageDown
    /// Ctrl-C.
    case interrupt
    /// Ctrl-D.
    case endOfInput
    /// Ctrl-Z.
    case suspend
    /// Ctrl-U: clear the line.
    case clearLine
    /// Ctrl-W: delete the word before the cursor.
    case deleteWord
    /// A sequence this program does not use; ignored by prompts.
    case unknown([UInt8])
}

/// Decodes raw terminal bytes into keys. Pure: no terminal access, tested on byte sequences.
public enum KeyDecoder {
    public enum Step: Sendable, Equatable {
        /// A key and how many bytes it used.
        case key(Key, consumed: Int)
        /// The bytes start a sequence that is not complete yet; read more (or decode with
        /// `atEnd: true` when nothing more arrives in a short while).
        case incomplete
    }

    /// Decodes the first key in `bytes`. Returns nil for no bytes.
    /// - Parameter atEnd: no more bytes are coming soon; an incomplete escape sequence is then
    ///   decoded as what it is so far (a lone ESC is the Escape key).
    public static func decode(_ bytes: ArraySlice<UInt8>, atEnd: Bool) -> Step? {
        guard let first = bytes.first else { return nil }
        let start = bytes.startIndex
        switch first {
        case 0x1B:
            return decodeEscape(bytes, atEnd: atEnd)
        case 0x0D:
            let next = bytes.index(after: start)
            if next < bytes.endIndex, bytes[next] == 0x0A { return .key(.enter, consumed: 2) }
            return .key(.enter, consumed: 1)
        case 0x0A: return .key(.enter, consumed: 1)
        case 0x09: return .key(.tab, consumed: 1)
        case 0x7F, 0x08: return .key(.backspace, consumed: 1)
        case 0x03: return .key(.interrupt, consumed: 1)
        case 0x04: return .key(.endOfInput, consumed: 1)
        case 0x1A: return .key(.suspend, consumed: 1)
        case 0x15: return .key(.clearLine, consumed: 1)
        case 0x17: return .key(.deleteWord, consumed: 1)
        case 0x00..<0x20: return .key(.unknown([first]), consumed: 1)
        default:
            return decodeUTF8(bytes, atEnd: atEnd)
        }
    }

    /// Decodes every key in `bytes`, treating the end of the bytes as the end of input.
    public static func decodeAll(_ bytes: [UInt8]) -> [Key] {
        var keys: [Key] = []
        var rest = bytes[...]
        while let step = decode(rest, atEnd: true) {
            guard case .key(let key, let consumed) = step, consumed > 0 else { break }
            keys.append(key)
            rest = rest.dropFirst(consumed)
        }
        return keys
    }

    // MARK: - Escape sequences

    private static func decodeEscape(_ bytes: ArraySlice<UInt8>, atEnd: Bool) -> Step {
        let start = bytes.startIndex
        guard bytes.count >= 2 else { return atEnd ? .key(.escape, consumed: 1) : .incomplete }
        let introducer = bytes[start + 1]
        switch introducer {
        case UInt8(ascii: "["):
            return decodeCSI(bytes, atEnd: atEnd)
        case UInt8(ascii: "O"):
            guard bytes.count >= 3 else {
                return atEnd ? .key(.unknown(Array(bytes)), consumed: bytes.count) : .incomplete
            }
            let key: Key
            switch bytes[start + 2] {
            case UInt8(ascii: "A"): key = .up
            case UInt8(ascii: "B"): key = .down
            case UInt8(ascii: "C"): key = .right
            case UInt8(ascii: "D"): key = .left
            case UInt8(ascii: "H"): key = .home
            case UInt8(ascii: "F"): key = .end
            case UInt8(ascii: "M"): key = .enter
            default: key = .unknown(Array(bytes.prefix(3)))
            }
            return .key(key, consumed: 3)
        case 0x1B:
            // ESC ESC: the first is a lone Escape.
            return .key(.escape, consumed: 1)
        default:
            // Alt+key arrives as ESC followed by the key: report Escape, the key follows.
            return .key(.escape, consumed: 1)
        }
    }

    /// `ESC [ params intermediates final`, params 0x30–0x3F, intermediates 0x20–0x2F, final 0x40–0x7E.
    private static func decodeCSI(_ bytes: ArraySlice<UInt8>, atEnd: Bool) -> Step {
        let start = bytes.startIndex
        var index = start + 2
        while index < bytes.endIndex {
            let byte = bytes[index]
            if (0x40...0x7E).contains(byte) {
                let params = String(decoding: bytes[(start + 2)..<index], as: UTF8.self)
                let consumed = index - start + 1
                return .key(csiKey(params: params, final: byte, raw: Array(bytes[start...index])), consumed: consumed)
            }
            if !(0x20...0x3F).contains(byte) {
                // Malformed: drop what was read so far.
                return .key(.unknown(Array(bytes[start..<index])), consumed: index - start)
            }
            index += 1
        }
        return atEnd ? .key(.unknown(Array(bytes)), consumed: bytes.count) : .incomplete
    }

    private static func csiKey(params: String, final: UInt8, raw: [UInt8]) -> Key {
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "~"):
            let code = params.split(separator: ";").first.map(String.init) ?? ""
            switch code {
            case "1", "7": return .home
            case "4", "8": return .end
            case "3": return .delete
            case "5": return .pageUp
            case "6": return .pageDown
            default: return .unknown(raw)
            }
        default: return .unknown(raw)
        }
    }

    // MARK: - UTF-8

    private static func decodeUTF8(_ bytes: ArraySlice<UInt8>, atEnd: Bool) -> Step {
        let start = bytes.startIndex
        let lead = bytes[start]
        let length: Int
        switch lead {
        case 0x20..<0x80: length = 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return .key(.unknown([lead]), consumed: 1)
        }
        if bytes.count < length {
            for offset in 1..<bytes.count where bytes[start + offset] & 0xC0 != 0x80 {
                return .key(.unknown([lead]), consumed: 1)
            }
            return atEnd ? .key(.unknown(Array(bytes)), consumed: bytes.count) : .incomplete
        }
        let sequence = Array(bytes[start..<(start + length)])
        var decoder = UTF8()
        var iterator = sequence.makeIterator()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) {
            return .key(.character(Character(scalar)), consumed: length)
        }
        return .key(.unknown([lead]), consumed: 1)
    }
}
