import Foundation

/// The parts of a remote's URL that authentication needs: how it is reached, the host, the port
/// and the user it names. Read from `ssh://[user@]host[:port]/path`, scp-like `[user@]host:path`,
/// and `http(s)://[user@]host[:port]/path`.
public struct GitRemoteTarget: Sendable, Equatable {
    public enum Transport: String, Sendable {
        case ssh
        case https
        case http
        /// `file://`, a local path, `git://`: nothing to authenticate.
        case other
    }

    public var transport: Transport
    public var host: String
    /// The port the URL names, nil for the transport's default.
    public var port: Int?
    /// The user named in the URL (`git` of `git@host:path`), nil when none.
    public var user: String?
    public var path: String
    /// True when the URL carries a password (`https://user:secret@host/...`).
    public var hasPassword: Bool

    public init(_ url: String) {
        let lower = url.lowercased()
        transport = .other
        host = ""
        port = nil
        user = nil
        path = ""
        hasPassword = false
        for (prefix, kind) in [("ssh://", Transport.ssh), ("git+ssh://", .ssh), ("ssh+git://", .ssh),
                               ("https://", .https), ("http://", .http)] where lower.hasPrefix(prefix) {
            transport = kind
            let rest = url.dropFirst(prefix.count)
            let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            path = String(rest.dropFirst(authority.count))
            readAuthority(String(authority))
            return
        }
        // scp-like syntax: `[user@]host:path`, with no slash before the first colon.
        if !lower.hasPrefix("file:"), !url.hasPrefix("/"), let colon = url.firstIndex(of: ":"),
           !url[..<colon].contains("/"), !url[..<colon].isEmpty {
            transport = .ssh
            let authority = String(url[..<colon])
            path = String(url[url.index(after: colon)...])
            if let at = authority.lastIndex(of: "@") {
                user = String(authority[..<at])
                host = String(authority[authority.index(after: at)...])
            } else {
                host = authority
            }
        }
    }

    private mutating func readAuthority(_ authority: String) {
        var hostPart = Substring(authority)
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPart = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = String(userInfo[..<colon]).removingPercentEncoding ?? String(userInfo[..<colon])
                hasPassword = true
            } else {
                user = String(userInfo).removingPercentEncoding ?? String(userInfo)
            }
        }
        if hostPart.hasPrefix("["), let close = hostPart.firstIndex(of: "]") {
            host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) }
        } else if let colon = hostPart.lastIndex(of: ":") {
            host = String(hostPart[..<colon])
            port = Int(hostPart[hostPart.index(after: colon)...])
        } else {
            host = String(hostPart)
        }
        if user?.isEmpty == true { user = nil }
    }

    /// `host` or `host:port` as git's credential protocol names it.
    public var hostAndPort: String {
        port.map { "\(host):\($0)" } ?? host
    }

    /// How known_hosts names this host: `host`, or `[host]:port` on another port than 22.
    public var knownHostsName: String {
        if let port, port != 22 { return "[\(host)]:\(port)" }
        return host
    }

    /// `url` with any password removed (`https://user@host/...`), for messages.
    public static func redacting(_ url: String) -> String {
        let target = GitRemoteTarget(url)
        guard target.hasPassword, let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return url }
        let userInfo = authority[..<at]
        let user = userInfo.prefix { $0 != ":" }
        return String(url[..<scheme.upperBound]) + (user.isEmpty ? "" : user + "@") + authority[authority.index(after: at)...]
            + rest.dropFirst(authority.count)
    }
}
