import Foundation

/// A username and password (or token) for an HTTP(S) remote. Kept in memory for one connection;
/// never written, logged or put on a command line.
public struct GitPasswordCredential: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// Asks the user's git credential helpers (`credential.helper` in git config) for a credential,
/// and tells them whether it worked, as git itself does.
public protocol GitCredentialHelping: Sendable {
    /// The stored credential for `target`, or nil when no helper has one.
    func fill(_ target: GitRemoteTarget) -> GitPasswordCredential?
    /// The credential worked: helpers may store it.
    func approve(_ credential: GitPasswordCredential, for target: GitRemoteTarget)
    /// The credential was refused: helpers should forget it.
    func reject(_ credential: GitPasswordCredential, for target: GitRemoteTarget)
}

/// `git credential fill|approve|reject`, speaking git's credential protocol on standard input and
/// output (the secret never appears in an argument list). Terminal prompts are turned off
/// (`GIT_TERMINAL_PROMPT=0`): mlrepro never blocks on a question git would ask.
public struct GitCredentialCommand: GitCredentialHelping {
    /// The `git` executable.
    public var git: String
    public var environment: [String: String]
    /// How long a helper may take before it is stopped.
    public var timeout: TimeInterval = 30

    public init(git: String, environment: [String: String]) {
        self.git = git
        self.environment = environment
    }

    /// `git` found on `PATH`, or nil when git is not installed.
    public static func find(environment: [String: String]) -> GitCredentialCommand? {
        for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") where folder.hasPrefix("/") {
            let candidate = String(folder) + "/git"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return GitCredentialCommand(git: candidate, environment: environment)
            }
        }
        return nil
    }

    public func fill(_ target: GitRemoteTarget) -> GitPasswordCredential? {
        guard let output = run("fill", Self.request(target, credential: nil)) else { return nil }
        var fields: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let password = fields["password"], !password.isEmpty else { return nil }
        return GitPasswordCredential(username: fields["username"] ?? target.user ?? "", password: password)
    }

    public func approve(_ credential: GitPasswordCredential, for target: GitRemoteTarget) {
        _ = run("approve", Self.request(target, credential: credential))
    }

    public func reject(_ credential: GitPasswordCredential, for target: GitRemoteTarget) {
        _ = run("reject", Self.request(target, credential: credential))
    }

    /// The request git's credential protocol reads: `key=value` lines and an empty line.
    static func request(_ target: GitRemoteTarget, credential: GitPasswordCredential?) -> String {
        let clean = { (value: String) in value.filter { $0 != "\n" && $0 != "\0" } }
        var lines = ["protocol=\(target.transport.rawValue)", "host=\(clean(target.hostAndPort))"]
        let path = target.path.hasPrefix("/") ? String(target.path.dropFirst()) : target.path
        if !path.isEmpty { lines.append("path=\(clean(path))") }
        if let credential {
            lines.append("username=\(clean(credential.username))")
            lines.append("password=\(clean(credential.password))")
        } else if let user = target.user {
            lines.append("username=\(clean(user))")
        }
        return lines.joined(separator: "\n") + "\n\n"
    }

    /// Writes `bytes` to a pipe whose reader may already have exited (a helper that fails at once):
    /// the broken pipe is an error here, never the SIGPIPE that would end mlrepro.
    private static func write(_ bytes: [UInt8], to descriptor: Int32) {
        #if canImport(Darwin)
        _ = fcntl(descriptor, F_SETNOSIGPIPE, 1)
        #else
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        defer {
            // A SIGPIPE this write raised is taken off the thread before the mask is restored.
            var pending = sigset_t()
            sigpending(&pending)
            if sigismember(&pending, SIGPIPE) == 1 && sigismember(&previous, SIGPIPE) == 0 {
                var noWait = timespec()
                _ = sigtimedwait(&pipeSignal, nil, &noWait)
            }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
        }
        #endif
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, base + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// Runs `git credential ACTION` with `input` on standard input; its standard output, or nil
    /// when it failed or took too long.
    private func run(_ action: String, _ input: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: git)
        process.arguments = ["credential", action]
        var environment = self.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let deadline = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
        defer { deadline.cancel() }
        Self.write(Array(input.utf8), to: stdin.fileHandleForWriting.fileDescriptor)
        try? stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Where credentials for a git connection come from, in the order they are tried:
///
/// - SSH: the ssh-agent (`SSH_AUTH_SOCK`), then key files: those `~/.ssh/config` names with
///   `IdentityFile` for the host, then `~/.ssh/id_rsa`, `id_ecdsa`, `id_ed25519`. The host key
///   must be in `~/.ssh/known_hosts`.
/// - HTTP(S): a token from the environment (`MLREPRO_GIT_TOKEN` for any host, `GITHUB_TOKEN` for
///   github.com, `GITLAB_TOKEN` for gitlab.com), then git's credential helpers.
public struct GitAuthentication: Sendable {
    public var environment: [String: String]
    public var home: String
    /// nil when git is not installed (no credential helpers to ask).
    public var credentialHelper: (any GitCredentialHelping)?

    public init(environment: [String: String], home: String, credentialHelper: (any GitCredentialHelping)?) {
        self.environment = environment
        self.home = home
        self.credentialHelper = credentialHelper
    }

    /// The process's environment, home folder and git.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> GitAuthentication {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return GitAuthentication(environment: environment, home: home,
                                 credentialHelper: GitCredentialCommand.find(environment: environment))
    }

    /// The environment variables that may hold a token for `host`, in the order they are tried.
    public static func tokenVariables(for host: String) -> [String] {
        var names = ["MLREPRO_GIT_TOKEN"]
        switch host.lowercased() {
        case "github.com": names.append("GITHUB_TOKEN")
        case "gitlab.com": names.append("GITLAB_TOKEN")
        default: break
        }
        return names
    }

    /// The user name sent with a token: the URL's, else `MLREPRO_GIT_USERNAME`, else the name the
    /// host expects for tokens (`x-access-token` on GitHub, `oauth2` elsewhere).
    func tokenUser(for target: GitRemoteTarget) -> String {
        if let user = target.user { return user }
        if let user = environment["MLREPRO_GIT_USERNAME"], !user.isEmpty { return user }
        return target.host.lowercased() == "github.com" ? "x-access-token" : "oauth2"
    }

    /// The local user's name (`%u` of ssh config, and the SSH user when neither URL nor config names one).
    var localUser: String {
        if let user = environment["USER"], !user.isEmpty { return user }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "git"
    }

    /// `~/.ssh/config` as it applies to `target` (empty when there is no such file).
    func sshConfig(for target: GitRemoteTarget) -> SSHHostConfig {
        let path = home + "/.ssh/config"
        guard let data = FileManager.default.contents(atPath: path) else { return SSHHostConfig() }
        return SSHHostConfig.parse(String(decoding: data, as: UTF8.self), host: target.host, home: home,
                                   localUser: localUser, remoteUser: target.user)
    }

    /// `path` with the home folder written `~`, for messages.
    func shown(_ path: String) -> String {
        path.hasPrefix(home + "/") ? "~" + path.dropFirst(home.count) : path
    }
}
