import CLibGit2
import Foundation

/// A commit author or committer.
public struct GitSignature: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    /// Used when neither the environment nor git config names anyone; set `user.name` and
    /// `user.email` (`git config --global user.name "Your Name"`) to replace it.
    public static let fallback = GitSignature(name: "mlrepro", email: "mlrepro@localhost")

    public var description: String { "\(name) <\(email)>" }
}

/// `user.name` / `user.email` as git config has them (repository, global, XDG and system
/// files, in git's order of precedence).
public struct GitUserConfig: Sendable, Equatable {
    public var name: String?
    public var email: String?

    public init(name: String?, email: String?) {
        self.name = name
        self.email = email
    }

    /// Reads the configuration that applies to `repository`, or the global configuration
    /// when nil. Unreadable configuration reads as unset.
    public static func read(for repository: GitRepository? = nil) -> GitUserConfig {
        guard LibGit2.isAvailable else { return GitUserConfig(name: nil, email: nil) }
        var snapshot: OpaquePointer?
        if let repository {
            guard git.repository_config_snapshot(&snapshot, repository.pointer) == 0 else {
                return GitUserConfig(name: nil, email: nil)
            }
        } else {
            var config: OpaquePointer?
            guard git.config_open_default(&config) == 0 else { return GitUserConfig(name: nil, email: nil) }
            defer { git.config_free(config) }
            guard git.config_snapshot(&snapshot, config) == 0 else { return GitUserConfig(name: nil, email: nil) }
        }
        defer { git.config_free(snapshot) }
        return GitUserConfig(name: string(snapshot, "user.name"), email: string(snapshot, "user.email"))
    }

    /// Sets a value in the repository's own configuration (`.git/config`).
    public static func set(_ key: String, to value: String, in repository: GitRepository) throws {
        var config: OpaquePointer?
        try LibGit2.check(git.repository_config(&config, repository.pointer), "opening the config of '\(repository.path)'")
        defer { git.config_free(config) }
        var local: OpaquePointer?
        try LibGit2.check(git.config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL), "opening '.git/config'")
        defer { git.config_free(local) }
        try LibGit2.check(git.config_set_string(local, key, value), "setting \(key)")
    }

    private static func string(_ snapshot: OpaquePointer?, _ key: String) -> String? {
        var value: UnsafePointer<CChar>?
        guard git.config_get_string(&value, snapshot, key) == 0, let value else { return nil }
        let text = String(cString: value).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}

/// How an author was chosen, so a command can say when it fell back.
public struct ResolvedSignature: Sendable, Equatable {
    public let signature: GitSignature
    /// True when the name or the email came from `GitSignature.fallback`.
    public let usedFallback: Bool
}

extension GitSignature {
    /// The author git itself would use: `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL`, then git config
    /// (`user.name`/`user.email`), then `GitSignature.fallback` for whatever is still missing.
    public static func author(for repository: GitRepository? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> ResolvedSignature {
        author(configured: GitUserConfig.read(for: repository), environment: environment)
    }

    /// The same choice as `author(for:environment:)`, from configuration already read.
    public static func author(configured config: GitUserConfig, environment: [String: String]) -> ResolvedSignature {
        func pick(_ variable: String, _ configured: String?) -> String? {
            if let value = environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty {
                return value
            }
            return configured
        }
        let name = pick("GIT_AUTHOR_NAME", config.name)
        let email = pick("GIT_AUTHOR_EMAIL", config.email)
        return ResolvedSignature(signature: GitSignature(name: name ?? fallback.name, email: email ?? fallback.email),
                                usedFallback: name == nil || email == nil)
    }
}
