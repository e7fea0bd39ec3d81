import Foundation

/// What `~/.ssh/config` says about one host, as far as mlrepro uses it: `User` and `IdentityFile`.
/// `Host` blocks match with OpenSSH's patterns (`*`, `?`, `!negation`); `Match` blocks and
/// `Include` are not read (their keys are ignored). The first `User` wins; every matching
/// `IdentityFile` is kept, in order, as ssh does.
public struct SSHHostConfig: Sendable, Equatable {
    public var user: String?
    public var identityFiles: [String] = []

    public init(user: String? = nil, identityFiles: [String] = []) {
        self.user = user
        self.identityFiles = identityFiles
    }

    /// Reads `text` (a config file's content) for `host`. `home` and `localUser` expand `~`,
    /// `%d`, `%u`; `%h` is the host and `%r` the remote user.
    public static func parse(_ text: String, host: String, home: String, localUser: String, remoteUser: String?) -> SSHHostConfig {
        var config = SSHHostConfig()
        var applies = true
        var files: [String] = []
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let (key, value) = keyAndValue(line)
            switch key {
            case "host":
                applies = matches(host, patterns: value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
            case "match":
                applies = false
            case "user" where applies && config.user == nil:
                config.user = value
            case "identityfile" where applies:
                files.append(value)
            default:
                continue
            }
        }
        let remote = remoteUser ?? config.user ?? localUser
        config.identityFiles = files.map { expand($0, home: home, host: host, localUser: localUser, remoteUser: remote) }
        return config
    }

    private static func keyAndValue(_ line: String) -> (String, String) {
        let keyEnd = line.firstIndex { $0 == " " || $0 == "\t" || $0 == "=" } ?? line.endIndex
        let key = line[..<keyEnd].lowercased()
        var value = line[keyEnd...].drop { $0 == " " || $0 == "\t" }
        if value.hasPrefix("=") { value = value.dropFirst().drop { $0 == " " || $0 == "\t" } }
        var text = value.trimmingCharacters(in: .whitespaces)
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
        return (key, text)
    }

    /// OpenSSH's `Host` rule: some pattern matches and no negated pattern does.
    static func matches(_ host: String, patterns: [String]) -> Bool {
        var matched = false
        for pattern in patterns {
            if pattern.hasPrefix("!") {
                if glob(String(pattern.dropFirst()), host.lowercased()) { return false }
            } else if glob(pattern, host.lowercased()) {
                matched = true
            }
        }
        return matched
    }

    private static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.lowercased()), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1; ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    private static func expand(_ path: String, home: String, host: String, localUser: String, remoteUser: String) -> String {
        var result = ""
        var characters = path.makeIterator()
        while let character = characters.next() {
            guard character == "%" else { result.append(character); continue }
            switch characters.next() {
            case "d": result += home
            case "u": result += localUser
            case "h": result += host
            case "r": result += remoteUser
            case "%": result += "%"
            case let other?: result += "%" + String(other)
            case nil: result += "%"
            }
        }
        if result == "~" { return home }
        if result.hasPrefix("~/") { return home + result.dropFirst(1) }
        if !result.hasPrefix("/") { return home + "/.ssh/" + result }
        return result
    }
}

/// A private key file as libssh2 will see it.
public enum SSHKeyFile {
    public enum State: Equatable, Sendable {
        case usable
        case missing
        case unreadable
        /// Protected by a passphrase: mlrepro never asks for one; the agent can hold it.
        case encrypted
    }

    /// The default key files ssh tries, in its order (security-key and DSA keys left out: the
    /// SSH library cannot use them).
    public static let defaultNames = ["id_rsa", "id_ecdsa", "id_ed25519"]

    public static func state(of path: String) -> State {
        guard FileManager.default.fileExists(atPath: path) else { return .missing }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            return .unreadable
        }
        return isEncrypted(text) ? .encrypted : .usable
    }

    /// True for a PEM key with an encryption header and for an OpenSSH key whose cipher is not `none`.
    public static func isEncrypted(_ text: String) -> Bool {
        if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED") { return true }
        guard let begin = text.range(of: "-----BEGIN OPENSSH PRIVATE KEY-----"),
              let end = text.range(of: "-----END OPENSSH PRIVATE KEY-----", range: begin.upperBound..<text.endIndex) else {
            return false
        }
        let body = text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard let bytes = Data(base64Encoded: String(body)).map([UInt8].init) else { return false }
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard bytes.count > magic.count + 4, Array(bytes.prefix(magic.count)) == magic else { return false }
        var index = magic.count
        let length = bytes[index..<index + 4].reduce(0) { $0 << 8 | Int($1) }
        index += 4
        guard length > 0, index + length <= bytes.count else { return false }
        return String(decoding: bytes[index..<index + length], as: UTF8.self) != "none"
    }
}
