import CLibGit2
import Foundation

/// A libgit2 repository handle: open, create or clone one, then ask it questions.
///
/// Not `Sendable`: a handle belongs to the task that opened it (libgit2 repositories are not
/// safe for concurrent use). Open a second handle for a second task.
public final class GitRepository {
    let pointer: OpaquePointer
    /// The path the repository was opened, created or cloned at.
    public let path: String

    private init(pointer: OpaquePointer, path: String) {
        self.pointer = pointer
        self.path = path
    }

    deinit {
        git.repository_free(pointer)
    }

    // MARK: - Opening

    /// Opens the repository at `path` (a working tree or a `.git`/bare directory).
    /// With `searchParents`, a path inside a working tree finds the enclosing repository.
    public static func open(at path: String, searchParents: Bool = false) throws -> GitRepository {
        try LibGit2.ensureInitialised()
        var repository: OpaquePointer?
        let flags: UInt32 = searchParents ? 0 : GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue
        let code = git.repository_open_ext(&repository, path, flags, nil)
        if code == GIT_ENOTFOUND.rawValue {
            throw GitError.notARepository(path: path)
        }
        try LibGit2.check(code, "opening repository '\(path)'")
        guard let repository else { throw GitError.notARepository(path: path) }
        return GitRepository(pointer: repository, path: path)
    }

    /// True when `path` is itself a repository (its working tree root or git directory).
    public static func exists(at path: String) -> Bool {
        // A cheap look first, so plain folders never start libgit2 (whose start-up loads the
        // TLS certificate store): a working tree has `.git`, a bare repository HEAD/objects/refs.
        let files = FileManager.default
        let bare = ["HEAD", "objects", "refs"].allSatisfy { files.fileExists(atPath: path + "/" + $0) }
        guard bare || files.fileExists(atPath: path + "/.git") else { return false }
        return (try? open(at: path)) != nil
    }

    /// Creates a repository at `path` (the directory is created when missing). The initial
    /// branch follows `init.defaultBranch` from git config, as `git init` does.
    public static func initialize(at path: String, bare: Bool = false) throws -> GitRepository {
        try LibGit2.ensureInitialised()
        var repository: OpaquePointer?
        try LibGit2.check(git.repository_init(&repository, path, bare ? 1 : 0), "initialising repository at '\(path)'")
        guard let repository else { throw GitError.notARepository(path: path) }
        return GitRepository(pointer: repository, path: path)
    }

    /// Clones `source` (a local path, `file://` or `https://` URL) into `path`.
    /// A bare clone has no working tree; read it with `exportTree(at:to:)`.
    /// Credentials come from `authentication` (see `GitAuthentication`); a URL that carries a
    /// password is refused, so that no secret lands in the clone's configuration.
    public static func clone(from source: String, to path: String, bare: Bool = false,
                             authentication: GitAuthentication = .standard()) throws -> GitRepository {
        try GitArguments.refuseOptionLike(source, role: "repository URL or path")
        try GitArguments.refuseCredentials(in: source)
        try LibGit2.ensureInitialised()
        try GitTransports.require(for: source)
        var options = git_clone_options()
        try LibGit2.check(git.clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION)), "preparing clone options")
        options.bare = bare ? 1 : 0
        options.fetch_opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        var repository: OpaquePointer?
        let session = GitAuthenticationSession(url: source, authentication: authentication)
        session.install(in: &options.fetch_opts.callbacks)
        try session.connect("cloning '\(source)'") {
            git.clone(&repository, source, path, &options)
        }
        guard let repository else { throw GitError.notARepository(path: path) }
        return GitRepository(pointer: repository, path: path)
    }

    // MARK: - Facts

    /// The working tree's directory (with a trailing `/`), or nil for a bare repository.
    public var workingDirectory: String? {
        git.repository_workdir(pointer).map { String(cString: $0) }
    }

    /// The `.git` directory (or the bare repository's directory), with a trailing `/`.
    public var gitDirectory: String {
        git.repository_path(pointer).map { String(cString: $0) } ?? ""
    }

    public var isBare: Bool { git.repository_is_bare(pointer) == 1 }

    /// The commit HEAD points at, or nil when the current branch has no commit yet.
    public func headCommit() throws -> ObjectID? {
        var oid = git_oid()
        let code = git.reference_name_to_id(&oid, pointer, "HEAD")
        if code == GIT_ENOTFOUND.rawValue || code == GIT_EUNBORNBRANCH.rawValue { return nil }
        try LibGit2.check(code, "reading HEAD of '\(path)'")
        return ObjectID(oid)
    }

    /// The checked-out branch's short name (also for a branch without commits), or nil when
    /// HEAD is detached.
    public func currentBranch() throws -> String? {
        if try LibGit2.check(git.repository_head_detached(pointer), "reading HEAD of '\(path)'") == 1 {
            return nil
        }
        var reference: OpaquePointer?
        try LibGit2.check(git.reference_lookup(&reference, pointer, "HEAD"), "reading HEAD of '\(path)'")
        defer { git.reference_free(reference) }
        guard let target = git.reference_symbolic_target(reference) else { return nil }
        let name = String(cString: target)
        let prefix = "refs/heads/"
        return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
    }

    // MARK: - Remotes

    /// Fetches every branch and every tag from `remote`: branches land in `refs/heads/*` of a
    /// bare repository and in `refs/remotes/<remote>/*` otherwise.
    /// Credentials come from `authentication`, as for `clone`.
    public func fetch(remote name: String = "origin", authentication: GitAuthentication = .standard()) throws {
        try GitArguments.refuseOptionLike(name, role: "remote name")
        var remote: OpaquePointer?
        try LibGit2.check(git.remote_lookup(&remote, pointer, name), "looking up remote '\(name)' in '\(path)'")
        defer { git.remote_free(remote) }
        let url = git.remote_url(remote).map { String(cString: $0) } ?? ""
        try GitArguments.refuseCredentials(in: url)
        try GitTransports.require(for: url)
        let session = GitAuthenticationSession(url: url, authentication: authentication)
        var options = git_fetch_options()
        try LibGit2.check(git.fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "preparing fetch options")
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        options.prune = GIT_FETCH_PRUNE
        session.install(in: &options.callbacks)
        // A bare repository (a cache) mirrors branches as its own; a working clone keeps them
        // apart as remote-tracking branches, as `git fetch` does.
        let branches = isBare ? "+refs/heads/*:refs/heads/*" : "+refs/heads/*:refs/remotes/\(name)/*"
        let refspecs = [branches, "+refs/tags/*:refs/tags/*"]
        try LibGit2.withStrArray(refspecs) { array in
            try session.connect("fetching from remote '\(name)'") {
                git.remote_fetch(remote, &array, &options, "mlrepro: fetch")
            }
        }
    }

    /// The URL of `remote`, or nil when there is no such remote.
    public func remoteURL(_ name: String = "origin") throws -> String? {
        var remote: OpaquePointer?
        let code = git.remote_lookup(&remote, pointer, name)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try LibGit2.check(code, "looking up remote '\(name)' in '\(path)'")
        defer { git.remote_free(remote) }
        return git.remote_url(remote).map { String(cString: $0) }
    }
}

/// Which transports the loaded libgit2 was built with.
public enum GitTransports {
    /// Refuses `url` when it needs SSH or HTTPS and the loaded libgit2 lacks it.
    static func require(for url: String) throws {
        try require(for: url, features: git.libgit2_features(), library: LibGit2.library)
    }

    /// The rule, for any feature set (`git_libgit2_features()`'s bits).
    public static func require(for url: String, features: Int32, library: String) throws {
        switch GitRemoteTarget(url).transport {
        case .ssh where UInt32(bitPattern: features) & GIT_FEATURE_SSH.rawValue == 0:
            throw GitError.transportUnavailable(transport: "SSH", library: library)
        case .https where UInt32(bitPattern: features) & GIT_FEATURE_HTTPS.rawValue == 0:
            throw GitError.transportUnavailable(transport: "HTTPS", library: library)
        default:
            return
        }
    }

    /// `SSH` and `HTTPS` when the loaded libgit2 has them (empty when it cannot be loaded).
    public static var available: [String] {
        guard LibGit2.isAvailable else { return [] }
        let features = UInt32(bitPattern: git.libgit2_features())
        return [("HTTPS", GIT_FEATURE_HTTPS.rawValue), ("SSH", GIT_FEATURE_SSH.rawValue)].filter { features & $0.1 != 0 }.map(\.0)
    }
}

/// Checks on strings that reach libgit2 from the command line.
public enum GitArguments {
    /// Refuses a URL that carries a password or token (`https://user:TOKEN@host/...`): it would
    /// be stored in the clone's configuration and shown in messages. The message shows the URL
    /// without it.
    public static func refuseCredentials(in url: String) throws {
        guard GitRemoteTarget(url).hasPassword else { return }
        throw GitError.invalidArgument(
            "'\(GitRemoteTarget.redacting(url))' carried a password or token in the URL (removed from this message); "
                + "mlrepro never stores credentials: drop it from the URL and set MLREPRO_GIT_TOKEN (or GITHUB_TOKEN, "
                + "GITLAB_TOKEN), or store it with a git credential helper")
    }

    /// Refuses empty values and values that read as options (`-x`, `--upload-pack=...`).
    public static func refuseOptionLike(_ value: String, role: String) throws {
        if value.isEmpty {
            throw GitError.invalidArgument("the \(role) is empty")
        }
        if value.hasPrefix("-") {
            throw GitError.invalidArgument(
                "'\(value)' looks like a command-line option; a \(role) cannot start with '-'")
        }
        if value.contains("\0") || value.contains("\n") {
            throw GitError.invalidArgument("the \(role) '\(value.debugDescription)' contains a control character")
        }
    }
}
