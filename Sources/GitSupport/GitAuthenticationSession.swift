import CLibGit2
import Foundation

/// One clone's or fetch's authentication: offers libgit2 the credentials `GitAuthentication`
/// finds, one after the other each time the server refuses one, remembers what was tried (by
/// name, never by value), and checks an SSH host's key against `~/.ssh/known_hosts`.
final class GitAuthenticationSession {
    let target: GitRemoteTarget
    let authentication: GitAuthentication

    /// What was offered or passed over, in order, for the message of a failed authentication.
    private(set) var tried: [String] = []
    /// Set when every method was used up.
    private(set) var exhausted = false
    /// Why the SSH host was refused.
    private(set) var hostKeyProblem: String?

    private enum Method {
        case agent
        case keyFile(String)
        case token(variable: String)
        case credentialHelper
    }

    /// A method to try, or (without one) a method passed over, with why in `label`.
    private struct Step {
        var label: String
        var method: Method?
    }

    private var steps: [Step]?
    private var next = 0
    /// A credential from a helper that was offered and not yet judged.
    private var offeredByHelper: GitPasswordCredential?

    init(url: String, authentication: GitAuthentication) {
        target = GitRemoteTarget(url)
        self.authentication = authentication
    }

    /// The SSH user: the URL's, else `User` from `~/.ssh/config`, else the local user.
    private lazy var sshUser: String = target.user ?? authentication.sshConfig(for: target).user ?? authentication.localUser

    // MARK: - Methods, in order

    private func sshSteps() -> [Step] {
        var steps: [Step] = []
        let socket = authentication.environment["SSH_AUTH_SOCK"] ?? ""
        var info = stat()
        if socket.isEmpty {
            steps.append(Step(label: "ssh-agent (skipped: SSH_AUTH_SOCK is not set)"))
        } else if stat(socket, &info) != 0 || info.st_mode & S_IFMT != S_IFSOCK {
            steps.append(Step(label: "ssh-agent (skipped: SSH_AUTH_SOCK names no socket)"))
        } else {
            steps.append(Step(label: "ssh-agent", method: .agent))
        }
        var seen = Set<String>()
        let configured = authentication.sshConfig(for: target).identityFiles
        let defaults = SSHKeyFile.defaultNames.map { authentication.home + "/.ssh/" + $0 }
        var anyDefault = false
        for (path, fromConfig) in configured.map({ ($0, true) }) + defaults.map({ ($0, false) }) where seen.insert(path).inserted {
            let name = "key file " + authentication.shown(path) + (fromConfig ? " (IdentityFile in ~/.ssh/config)" : "")
            switch SSHKeyFile.state(of: path) {
            case .usable:
                steps.append(Step(label: name, method: .keyFile(path)))
                anyDefault = true
            case .encrypted:
                steps.append(Step(label: name + " (skipped: it has a passphrase; load it into the agent with 'ssh-add "
                                  + authentication.shown(path) + "')"))
                anyDefault = true
            case .unreadable:
                steps.append(Step(label: name + " (skipped: not readable)"))
                anyDefault = true
            case .missing:
                if fromConfig { steps.append(Step(label: name + " (skipped: no such file)")) }
            }
        }
        if !anyDefault {
            steps.append(Step(label: "key files (none of " + defaults.map(authentication.shown).joined(separator: ", ") + " exists)"))
        }
        return steps
    }

    private func httpSteps() -> [Step] {
        var steps: [Step] = []
        for variable in GitAuthentication.tokenVariables(for: target.host) {
            if let value = authentication.environment[variable], !value.isEmpty {
                steps.append(Step(label: "token in \(variable)", method: .token(variable: variable)))
            } else {
                steps.append(Step(label: "\(variable) (not set)"))
            }
        }
        if authentication.credentialHelper == nil {
            steps.append(Step(label: "git credential helpers (skipped: git is not installed)"))
        } else {
            steps.append(Step(label: "git credential helpers", method: .credentialHelper))
        }
        return steps
    }

    // MARK: - Callbacks

    /// Answers libgit2's request for a credential of one of the `allowed` kinds.
    func credential(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>, allowed: UInt32) -> Int32 {
        if let refused = offeredByHelper {
            authentication.credentialHelper?.reject(refused, for: target)
            offeredByHelper = nil
        }
        if allowed == GIT_CREDENTIAL_USERNAME.rawValue {
            return git.credential_username_new(out, sshUser)
        }
        let ssh = target.transport == .ssh
        if ssh && allowed & GIT_CREDENTIAL_SSH_KEY.rawValue == 0 {
            tried.append("public keys (the server accepts none)")
            exhausted = true
            return GIT_EAUTH.rawValue
        }
        if !ssh && allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue == 0 {
            tried.append("tokens and passwords (the server asks for another kind of authentication)")
            exhausted = true
            return GIT_EAUTH.rawValue
        }
        if steps == nil { steps = ssh ? sshSteps() : httpSteps() }
        let all = steps ?? []
        while next < all.count {
            let step = all[next]
            next += 1
            guard let method = step.method else {
                tried.append(step.label)
                continue
            }
            let code: Int32
            switch method {
            case .agent:
                code = git.credential_ssh_key_from_agent(out, sshUser)
            case .keyFile(let path):
                let publicKey = path + ".pub"
                code = git.credential_ssh_key_new(out, sshUser, FileManager.default.fileExists(atPath: publicKey) ? publicKey : nil,
                                                  path, nil)
            case .token(let variable):
                code = git.credential_userpass_plaintext_new(out, authentication.tokenUser(for: target),
                                                             authentication.environment[variable] ?? "")
            case .credentialHelper:
                guard let found = authentication.credentialHelper?.fill(target) else {
                    tried.append(step.label + " (none has a credential for \(target.hostAndPort))")
                    continue
                }
                offeredByHelper = found
                code = git.credential_userpass_plaintext_new(out, found.username, found.password)
            }
            tried.append(step.label)
            if code == 0 { return 0 }
        }
        exhausted = true
        return GIT_EAUTH.rawValue
    }

    /// Judges an SSH host key (`valid`: libgit2 found it in `~/.ssh/known_hosts`); TLS certificates
    /// keep libgit2's own verdict.
    func checkHostKey(_ cert: UnsafeMutablePointer<git_cert>, valid: Bool, host: String) -> Int32 {
        guard cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else { return GIT_PASSTHROUGH.rawValue }
        if valid { return 0 }
        let hostKey = UnsafeRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self).pointee
        var described = ""
        if hostKey.type.rawValue & GIT_CERT_SSH_SHA256.rawValue != 0 {
            let digest = withUnsafeBytes(of: hostKey.hash_sha256) { Data($0) }
            let kind: String
            switch hostKey.raw_type {
            case GIT_CERT_SSH_RAW_TYPE_RSA: kind = "RSA"
            case GIT_CERT_SSH_RAW_TYPE_DSS: kind = "DSA"
            case GIT_CERT_SSH_RAW_TYPE_KEY_ED25519: kind = "ED25519"
            case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_256, GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_384, GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_521: kind = "ECDSA"
            default: kind = "host"
            }
            described = " (its \(kind) key's fingerprint is SHA256:" + digest.base64EncodedString().replacingOccurrences(of: "=", with: "") + ")"
        }
        hostKeyProblem = HostKeyVerdict.message(host: host, target: target, fingerprint: described, authentication: authentication)
        return GIT_ECERTIFICATE.rawValue
    }

    // MARK: - Running a network call

    /// Points `callbacks` at this session; the session must stay alive while they can be called
    /// (`connect` keeps it alive).
    func install(in callbacks: inout git_remote_callbacks) {
        callbacks.credentials = acquireCredential
        callbacks.certificate_check = checkCertificate
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
    }

    /// Runs `body` (a libgit2 call that connects with callbacks from `install(in:)`), and turns a
    /// failure into an error that says what was tried.
    func connect(_ operation: String, _ body: () -> Int32) throws {
        let code = withExtendedLifetime(self) { body() }
        if code >= 0 {
            if let accepted = offeredByHelper { authentication.credentialHelper?.approve(accepted, for: target) }
            return
        }
        if let hostKeyProblem { throw GitError.untrustedHost(hostKeyProblem) }
        let message = LibGit2.lastErrorMessage()
        if exhausted || code == GIT_EAUTH.rawValue || (!tried.isEmpty && message.lowercased().contains("authenticat")) {
            if let refused = offeredByHelper { authentication.credentialHelper?.reject(refused, for: target) }
            throw GitError.authenticationFailed(host: target.hostAndPort, transport: target.transport == .ssh ? "SSH" : target.transport.rawValue.uppercased(),
                                                user: target.transport == .ssh ? sshUser : nil, tried: tried,
                                                detail: exhausted ? "" : message)
        }
        throw GitError.libgit2(operation: operation, code: code, message: message)
    }
}

private let acquireCredential: git_credential_acquire_cb = { out, _, _, allowed, payload in
    guard let out, let payload else { return GIT_PASSTHROUGH.rawValue }
    return Unmanaged<GitAuthenticationSession>.fromOpaque(payload).takeUnretainedValue().credential(out, allowed: allowed)
}

private let checkCertificate: git_transport_certificate_check_cb = { cert, valid, host, payload in
    guard let cert, let payload else { return GIT_PASSTHROUGH.rawValue }
    return Unmanaged<GitAuthenticationSession>.fromOpaque(payload).takeUnretainedValue()
        .checkHostKey(cert, valid: valid != 0, host: host.map { String(cString: $0) } ?? "")
}

/// What to tell the user about an SSH host whose key is not in `~/.ssh/known_hosts`: a host never
/// seen (add it) or one whose key changed (beware).
enum HostKeyVerdict {
    static func message(host: String, target: GitRemoteTarget, fingerprint: String, authentication: GitAuthentication) -> String {
        let knownHosts = authentication.home + "/.ssh/known_hosts"
        var name = target
        name.host = host.isEmpty ? target.host : host
        let entry = name.knownHostsName
        let port = target.port.map { $0 == 22 ? "" : "-p \($0) " } ?? ""
        let add = "ssh-keyscan \(port)-H \(name.host) >> ~/.ssh/known_hosts"
        if isListed(entry, in: knownHosts, environment: authentication.environment) {
            return "the SSH host key of \(entry)\(fingerprint) does not match the key \(authentication.shown(knownHosts)) records for it; "
                + "someone may be intercepting the connection, or the server's key was changed. Only if its administrator "
                + "confirms the new key: ssh-keygen -R '\(entry)', then \(add)"
        }
        return "the SSH host \(entry) is not in \(authentication.shown(knownHosts))\(fingerprint), and mlrepro does not trust "
            + "a host it does not know. Check the fingerprint with the server's administrator, then add the host: \(add)"
    }

    /// True when `ssh-keygen -F` finds some key for `entry` (plain or hashed) in `file`.
    private static func isListed(_ entry: String, in file: String, environment: [String: String]) -> Bool {
        guard FileManager.default.fileExists(atPath: file) else { return false }
        let folders = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        guard let keygen = folders.map({ $0 + "/ssh-keygen" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return false
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: keygen)
        process.arguments = ["-F", entry, "-f", file]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationReason == .exit && process.terminationStatus == 0
    }
}
