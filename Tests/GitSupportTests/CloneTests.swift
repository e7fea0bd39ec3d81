import Foundation
import Testing
@testable import GitSupport

@Suite("Cloning and fetching")
struct CloneTests {
    @Test("a local path clones with a working tree and every tag")
    func clonesLocalPath() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let ids = try fixture.makeRepository("origin", commits: [(["a.txt": "1\n"], "v1"), (["a.txt": "2\n"], "v2")])
        let clone = try GitRepository.clone(from: fixture.path("origin"), to: fixture.path("copy"))
        #expect(try fixture.read("copy/a.txt") == "2\n")
        #expect(try clone.tags() == ["v1", "v2"])
        #expect(try clone.resolveCommit("v1").hex == ids[0])
        #expect(try clone.headCommit()?.hex == ids[1])
        #expect(try clone.remoteURL() == fixture.path("origin"))
        #expect(try clone.remoteURL("upstream") == nil)
    }

    @Test("a file:// URL clones bare; remote branches resolve by their short name")
    func clonesFileURLBare() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let ids = try fixture.makeRepository("origin", commits: [(["a.txt": "1\n"], "v1")])
        try fixture.git(["checkout", "--quiet", "-b", "develop"], in: "origin")
        try fixture.write("origin/b.txt", "dev\n")
        try fixture.git(["add", "b.txt"], in: "origin")
        try fixture.git(["commit", "--quiet", "-m", "dev"], in: "origin")
        let developID = try fixture.git(["rev-parse", "HEAD"], in: "origin")
        try fixture.git(["checkout", "--quiet", "main"], in: "origin")

        let clone = try GitRepository.clone(from: "file://" + fixture.path("origin"), to: fixture.path("cache.git"), bare: true)
        #expect(clone.isBare)
        #expect(clone.workingDirectory == nil)
        #expect(try clone.resolveCommit("v1").hex == ids[0])
        #expect(try clone.resolveCommit("develop").hex == developID)
        #expect(try clone.resolveCommit("main").hex == ids[0])
    }

    @Test("fetching into a bare clone brings tags and branch moves made after the clone")
    func fetchesNewTags() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.makeRepository("origin", commits: [(["a.txt": "1\n"], "v1")])
        let clone = try GitRepository.clone(from: fixture.path("origin"), to: fixture.path("cache.git"), bare: true)
        try fixture.write("origin/a.txt", "2\n")
        try fixture.git(["commit", "--quiet", "-am", "two"], in: "origin")
        try fixture.git(["tag", "v2"], in: "origin")
        let v2 = try fixture.git(["rev-parse", "HEAD"], in: "origin")

        #expect(clone.containsCommit(for: "v2") == false)
        try clone.fetch()
        #expect(try clone.resolveCommit("v2").hex == v2)
        #expect(try clone.resolveCommit("main").hex == v2)
        #expect(try clone.newestVersionTag() == "v2")
    }

    @Test("a missing repository fails with libgit2's message; option-like sources are refused")
    func cloneErrors() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let missing = fixture.path("nowhere")
        let error = #expect(throws: GitError.self) {
            try GitRepository.clone(from: missing, to: fixture.path("copy"))
        }
        guard case let .libgit2(operation, _, message)? = error else {
            Issue.record("expected a libgit2 error, got \(String(describing: error))")
            return
        }
        #expect(operation.contains(missing))
        #expect(!message.isEmpty)
        #expect(FileManager.default.fileExists(atPath: fixture.path("copy")) == false)

        let refused = #expect(throws: GitError.self) {
            try GitRepository.clone(from: "--upload-pack=touch /tmp/pwned", to: fixture.path("copy"))
        }
        #expect(refused?.description.contains("cannot start with '-'") == true)
    }

    @Test("fetching into a working clone keeps the remote's branches as origin/*")
    func fetchIntoWorkingClone() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let ids = try fixture.makeRepository("origin", commits: [(["a.txt": "1\n"], nil)])
        let clone = try GitRepository.clone(from: fixture.path("origin"), to: fixture.path("work"))
        try fixture.write("origin/a.txt", "2\n")
        try fixture.git(["commit", "--quiet", "-am", "two"], in: "origin")
        let second = try fixture.git(["rev-parse", "HEAD"], in: "origin")
        try clone.fetch()
        #expect(try clone.resolveCommit("main").hex == ids[0])
        #expect(try clone.resolveCommit("origin/main").hex == second)
        #expect(try fixture.read("work/a.txt") == "1\n")
    }
}
