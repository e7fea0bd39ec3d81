import Foundation
import Testing
@testable import GitSupport

@Suite("Credentials for private remotes")
struct CredentialTests {
    @Test("remote URLs give transport, host, port and user; scp-like syntax is SSH")
    func remoteTargets() {
        let scp = GitRemoteTarget("git@gitlab.lab.org:group/template.git")
        #expect(scp.transport == .ssh && scp.host == "gitlab.lab.org" && scp.user == "git" && scp.port == nil)
        #expect(scp.path == "group/template.git" && scp.knownHostsName == "gitlab.lab.org")
        let ssh = GitRemoteTarget("ssh://me@10.0.0.5:2222/srv/t.git")
        #expect(ssh.transport == .ssh && ssh.host == "10.0.0.5" && ssh.port == 2222 && ssh.knownHostsName == "[10.0.0.5]:2222")
        let https = GitRemoteTarget("https://oauth2:s3cret@github.com/o/r.git")
        #expect(https.transport == .https && https.host == "github.com" && https.user == "oauth2" && https.hasPassword)
        #expect(GitRemoteTarget.redacting("https://oauth2:s3cret@github.com/o/r.git") == "https://oauth2@github.com/o/r.git")
        #expect(GitRemoteTarget.redacting("https://:s3cret@host:8443/r.git") == "https://host:8443/r.git")
        #expect(GitRemoteTarget("http://[::1]:8080/r.git").hostAndPort == "::1:8080")
        #expect(GitRemoteTarget("/srv/templates/t.git").transport == .other)
        #expect(GitRemoteTarget("file:///srv/t.git").transport == .other)
    }

    @Test("a URL with a password is refused, and the message does not show it")
    func passwordInURLIsRefused() {
        #expect(throws: GitError.self) { try GitArguments.refuseCredentials(in: "https://u:s3cret@host/r.git") }
        do {
            try GitArguments.refuseCredentials(in: "https://u:s3cret@host/r.git")
        } catch {
            #expect(!"\(error)".contains("s3cret"))
            #expect("\(error)".contains("MLREPRO_GIT_TOKEN"))
        }
        #expect(throws: Never.self) { try GitArguments.refuseCredentials(in: "https://u@host/r.git") }
    }

    @Test("~/.ssh/config: Host patterns with negation, first User, every IdentityFile, expansions")
    func sshConfig() {
        let text = """
        # lab
        Host *.lab.org !secret.lab.org
          User researcher
          IdentityFile ~/.ssh/lab_%h
        Host secret.lab.org
          IdentityFile=/keys/secret
        Match host gitlab.lab.org
          IdentityFile ~/.ssh/never
        Host *
          User fallback
          IdentityFile "%d/.ssh/any_%r"
        """
        let lab = SSHHostConfig.parse(text, host: "gitlab.lab.org", home: "/home/r", localUser: "r", remoteUser: nil)
        #expect(lab.user == "researcher")
        #expect(lab.identityFiles == ["/home/r/.ssh/lab_gitlab.lab.org", "/home/r/.ssh/any_researcher"])
        let secret = SSHHostConfig.parse(text, host: "secret.lab.org", home: "/home/r", localUser: "r", remoteUser: "git")
        #expect(secret.user == "fallback")
        #expect(secret.identityFiles == ["/keys/secret", "/home/r/.ssh/any_git"])
        #expect(SSHHostConfig.matches("a.b", patterns: ["?.b"]) && !SSHHostConfig.matches("ab.b", patterns: ["?.b"]))
    }

    @Test("keys protected by a passphrase are recognised in PEM and OpenSSH formats")
    func encryptedKeys() {
        #expect(SSHKeyFile.isEncrypted("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"))
        #expect(SSHKeyFile.isEncrypted("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n"))
        func openssh(cipher: String) -> String {
            var bytes = Array("openssh-key-v1".utf8) + [0]
            let name = Array(cipher.utf8)
            bytes += [0, 0, 0, UInt8(name.count)] + name + Array(repeating: 0, count: 16)
            return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + Data(bytes).base64EncodedString() + "\n-----END OPENSSH PRIVATE KEY-----\n"
        }
        #expect(SSHKeyFile.isEncrypted(openssh(cipher: "aes256-ctr")))
        #expect(!SSHKeyFile.isEncrypted(openssh(cipher: "none")))
        #expect(!SSHKeyFile.isEncrypted("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n"))
    }

    @Test("tokens: MLREPRO_GIT_TOKEN everywhere, GITHUB_TOKEN and GITLAB_TOKEN only for their hosts")
    func tokenVariables() {
        #expect(GitAuthentication.tokenVariables(for: "GitHub.com") == ["MLREPRO_GIT_TOKEN", "GITHUB_TOKEN"])
        #expect(GitAuthentication.tokenVariables(for: "gitlab.com") == ["MLREPRO_GIT_TOKEN", "GITLAB_TOKEN"])
        #expect(GitAuthentication.tokenVariables(for: "git.lab.org") == ["MLREPRO_GIT_TOKEN"])
        let auth = GitAuthentication(environment: [:], home: "/h", credentialHelper: nil)
        #expect(auth.tokenUser(for: GitRemoteTarget("https://github.com/o/r")) == "x-access-token")
        #expect(auth.tokenUser(for: GitRemoteTarget("https://git.lab.org/o/r")) == "oauth2")
        #expect(auth.tokenUser(for: GitRemoteTarget("https://me@git.lab.org/o/r")) == "me")
    }

    @Test("the credential helper request carries protocol, host and path on standard input")
    func credentialRequest() {
        let request = GitCredentialCommand.request(GitRemoteTarget("https://git.lab.org:8443/group/t.git"), credential: nil)
        #expect(request == "protocol=https\nhost=git.lab.org:8443\npath=group/t.git\n\n")
        let approve = GitCredentialCommand.request(GitRemoteTarget("http://h/r.git"),
                                                   credential: GitPasswordCredential(username: "u", password: "p\nhost=evil"))
        #expect(approve == "protocol=http\nhost=h\npath=r.git\nusername=u\npassword=phost=evil\n\n")
    }

    @Test("a libgit2 without SSH or HTTPS refuses those URLs by name, and nothing else")
    func transportsMissing() {
        #expect(throws: GitError.transportUnavailable(transport: "SSH", library: "libgit2.so.1.5")) {
            try GitTransports.require(for: "git@host:t.git", features: 1 << 1, library: "libgit2.so.1.5")
        }
        #expect(throws: GitError.transportUnavailable(transport: "HTTPS", library: "x")) {
            try GitTransports.require(for: "https://host/t.git", features: 1 << 2, library: "x")
        }
        #expect(throws: Never.self) { try GitTransports.require(for: "/srv/t.git", features: 0, library: "x") }
        #expect("\(GitError.transportUnavailable(transport: "SSH", library: "x"))".contains("built without SSH support"))
    }

    @Test("the libgit2 linked here has SSH and HTTPS")
    func linkedLibraryTransports() {
        #expect(GitTransports.available == ["HTTPS", "SSH"])
    }
}
