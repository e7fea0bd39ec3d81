import CLibGit2

/// Everything that can go wrong in GitSupport, with text that says what happened and what to do.
public enum GitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A libgit2 call failed; `message` is libgit2's own (`git_error_last`).
    case libgit2(operation: String, code: Int32, message: String)
    /// libgit2 is not installed (or not the version mlrepro was built with).
    case libraryUnavailable(library: String, reason: String)
    /// No repository at (or above, when searching) the path.
    case notARepository(path: String)
    /// A tag, branch or commit that does not exist in the repository.
    case unknownReference(String, repository: String)
    /// A ref or URL that would read as a command-line option, or is otherwise unusable.
    case invalidArgument(String)
    /// A path inside a tree that does not exist at the given commit.
    case pathNotFound(String, commit: String)
    /// The repository has no commit yet.
    case noCommits(repository: String)
    /// A file could not be written while exporting a tree.
    case writeFailed(path: String, reason: String)
    /// A tree past a bound of `GitTreeLimits` (`commit` nil: found before any commit was read).
    case treeTooLarge(commit: String?, reason: String)
    /// A blob too large to be read whole.
    case blobTooLarge(id: String, size: Int, limit: Int)
    /// No credential was accepted; `tried` names each method in order (never a secret).
    case authenticationFailed(host: String, transport: String, user: String?, tried: [String], detail: String)
    /// An SSH host whose key is not in `~/.ssh/known_hosts` (the message says what to do).
    case untrustedHost(String)
    /// The loaded libgit2 was built without the transport a URL needs (`SSH`, `HTTPS`).
    case transportUnavailable(transport: String, library: String)

    public var description: String {
        switch self {
        case let .libgit2(operation, code, message):
            let detail = message.isEmpty ? "libgit2 error \(code)" : message
            return "git: \(operation) failed: \(detail)"
        case let .libraryUnavailable(library, reason):
            return "git work needs libgit2, and \(library) cannot be loaded (\(reason)); install it "
                + "(Debian and Ubuntu: apt install libgit2-\(LIBGIT2_SOVERSION))"
        case let .notARepository(path):
            return "'\(path)' is not a git repository; run 'git init' there or pass a repository path"
        case let .unknownReference(ref, repository):
            return "no tag, branch or commit named '\(ref)' in \(repository); "
                + "list the tags with 'git -C <template> tag' or pass another --vcs-ref"
        case let .invalidArgument(message):
            return message
        case let .pathNotFound(path, commit):
            return "'\(path)' does not exist at commit \(commit)"
        case let .noCommits(repository):
            return "\(repository) has no commits yet; commit the template files first"
        case let .writeFailed(path, reason):
            return "cannot write '\(path)': \(reason)"
        case let .treeTooLarge(commit, reason):
            return "the tree\(commit.map { " at " + $0 } ?? "") is refused: \(reason)"
        case let .blobTooLarge(id, size, limit):
            return "blob \(id) is \(size) bytes, over the \(limit) bytes a file read whole may have"
        case let .authenticationFailed(host, transport, user, tried, detail):
            let who = user.map { " as '\($0)'" } ?? ""
            let advice = transport == "SSH"
                ? "load your key into ssh-agent (ssh-add KEY) or name it with IdentityFile in ~/.ssh/config, and make sure the server has its public key"
                : "set MLREPRO_GIT_TOKEN (any host), GITHUB_TOKEN (github.com) or GITLAB_TOKEN (gitlab.com) to a token that can read the repository, or store a credential with a git credential helper"
            let last = detail.isEmpty ? "" : " (last error: \(detail))"
            return "cannot authenticate to \(host) over \(transport)\(who); tried, in order: "
                + (tried.isEmpty ? "nothing" : tried.joined(separator: "; ")) + "; none was accepted\(last). To fix: \(advice)"
        case let .untrustedHost(message):
            return message
        case let .transportUnavailable(transport, library):
            return "the libgit2 this mlrepro loads (\(library)) was built without \(transport) support, so it cannot reach a "
                + "repository over \(transport); use another URL scheme (https:// or ssh://), or a libgit2 built with "
                + (transport == "SSH" ? "libssh2" : "TLS") + " (MLREPRO_LIBGIT2 names the library to load)"
        }
    }
}
