import CLibGit2

/// A git object id (SHA-1), shown as 40 lowercase hex digits.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    /// The full hex id.
    public let hex: String

    /// Accepts a full 40-digit hex id; returns nil for anything else.
    public init?(hex: String) {
        let lowered = hex.lowercased()
        guard lowered.utf8.count == 40, lowered.utf8.allSatisfy({ ObjectID.isHexDigit($0) }) else {
            return nil
        }
        self.hex = lowered
    }

    init(_ oid: git_oid) {
        var copy = oid
        var buffer = [CChar](repeating: 0, count: 41)
        _ = git.oid_fmt(&buffer, &copy)
        buffer[40] = 0
        self.hex = String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    var oid: git_oid {
        var value = git_oid()
        _ = git.oid_fromstr(&value, hex)
        return value
    }

    /// The first seven digits, as `git log --oneline` shows them.
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
    }
}
