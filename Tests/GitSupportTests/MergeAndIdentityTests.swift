import Foundation
import Testing
@testable import GitSupport

@Suite("Three-way file merge")
struct FileMergeTests {
    private let labels = MergeLabels(ancestor: "template v1", ours: "project", theirs: "template v2")

    private func merge(_ base: String, _ ours: String, _ theirs: String) throws -> (text: String, conflicts: Bool) {
        let result = try FileMerge.merge(base: Array(base.utf8), ours: Array(ours.utf8), theirs: Array(theirs.utf8), labels: labels)
        return (String(decoding: result.content, as: UTF8.self), result.hasConflicts)
    }

    @Test("changes to different lines merge cleanly and keep both")
    func cleanMerge() throws {
        let base = "a\nb\nc\nd\ne\nf\n"
        let merged = try merge(base, "a\nB-user\nc\nd\ne\nf\n", "a\nb\nc\nd\ne\nF-template\n")
        #expect(merged.conflicts == false)
        #expect(merged.text == "a\nB-user\nc\nd\ne\nF-template\n")
    }

    @Test("changes to the same line conflict with diff3 markers carrying both sides, the base and the labels")
    func conflictMarkers() throws {
        let merged = try merge("x\nlr = 0.1\ny\n", "x\nlr = 0.01\ny\n", "x\nlr = 0.2\ny\n")
        #expect(merged.conflicts)
        #expect(merged.text == """
            x
            <<<<<<< project
            lr = 0.01
            ||||||| template v1
            lr = 0.1
            =======
            lr = 0.2
            >>>>>>> template v2
            y

            """)
    }

    @Test("identical changes on both sides are no conflict; empty inputs are fine")
    func sameChangeAndEmpty() throws {
        #expect(try merge("a\n", "b\n", "b\n") == ("b\n", false))
        #expect(try merge("", "", "") == ("", false))
        #expect(try merge("", "mine\n", "").text == "mine\n")
        let bothAdded = try merge("", "mine\n", "theirs\n")
        #expect(bothAdded.conflicts)
        #expect(bothAdded.text.contains("mine\n") && bothAdded.text.contains("theirs\n"))
    }
}

@Suite("Author identity")
struct IdentityTests {
    @Test("git config of the repository is read; the environment wins over it")
    func readsConfig() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let repository = try GitRepository.initialize(at: fixture.path("repo"))
        try GitUserConfig.set("user.name", to: "Grace Hopper", in: repository)
        try GitUserConfig.set("user.email", to: "grace@example.org", in: repository)
        #expect(GitUserConfig.read(for: repository) == GitUserConfig(name: "Grace Hopper", email: "grace@example.org"))
        #expect(try fixture.git(["config", "--local", "user.name"], in: "repo") == "Grace Hopper")

        let fromConfig = GitSignature.author(for: repository, environment: [:])
        #expect(fromConfig == ResolvedSignature(signature: GitSignature(name: "Grace Hopper", email: "grace@example.org"), usedFallback: false))
        let fromEnvironment = GitSignature.author(for: repository, environment: ["GIT_AUTHOR_NAME": "Env Name"])
        #expect(fromEnvironment.signature == GitSignature(name: "Env Name", email: "grace@example.org"))
    }

    @Test("missing name or email falls back to the mlrepro identity and says so")
    func fallback() {
        let none = GitSignature.author(configured: GitUserConfig(name: nil, email: nil), environment: [:])
        #expect(none == ResolvedSignature(signature: .fallback, usedFallback: true))
        let half = GitSignature.author(configured: GitUserConfig(name: "Only Name", email: nil), environment: ["GIT_AUTHOR_EMAIL": "  "])
        #expect(half.signature == GitSignature(name: "Only Name", email: GitSignature.fallback.email))
        #expect(half.usedFallback)
    }

    @Test("libgit2 errors carry libgit2's own message")
    func libgit2Message() {
        let error = #expect(throws: GitError.self) {
            try GitRepository.initialize(at: "/proc/definitely/not/writable")
        }
        guard case let .libgit2(operation, code, message)? = error else {
            Issue.record("expected a libgit2 error, got \(String(describing: error))")
            return
        }
        #expect(operation.contains("/proc/definitely/not/writable"))
        #expect(code < 0)
        #expect(!message.isEmpty)
        #expect(error?.description.hasPrefix("git: initialising repository") == true)
    }
}
