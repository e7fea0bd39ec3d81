import Foundation
import Testing
@testable import GitSupport

@Suite("Resolving references and versions")
struct ReferenceTests {
    /// main: c1 (tag v1, annotated v1-notes) - c2 (tag v2) - c3; branch feature: c2 - c4.
    private func history(_ fixture: GitFixture) throws -> [String] {
        var ids = try fixture.makeRepository("tpl", commits: [
            (["f.txt": "1\n"], "v1"), (["f.txt": "2\n"], "v2"), (["f.txt": "3\n"], nil),
        ])
        try fixture.git(["tag", "-a", "v1-notes", "-m", "annotated", ids[0]], in: "tpl")
        try fixture.git(["checkout", "--quiet", "-b", "feature", ids[1]], in: "tpl")
        try fixture.write("tpl/g.txt", "feature\n")
        try fixture.git(["add", "g.txt"], in: "tpl")
        try fixture.git(["commit", "--quiet", "-m", "feature"], in: "tpl")
        ids.append(try fixture.git(["rev-parse", "HEAD"], in: "tpl"))
        try fixture.git(["checkout", "--quiet", "main"], in: "tpl")
        return ids
    }

    @Test("tags (light and annotated), branches, full and short ids and expressions resolve to commits")
    func resolves() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let ids = try history(fixture)
        let repository = try GitRepository.open(at: fixture.path("tpl"))
        #expect(try repository.resolveCommit("v1").hex == ids[0])
        #expect(try repository.resolveCommit("v1-notes").hex == ids[0])
        #expect(try repository.resolveCommit("v2").hex == ids[1])
        #expect(try repository.resolveCommit("main").hex == ids[2])
        #expect(try repository.resolveCommit("feature").hex == ids[3])
        #expect(try repository.resolveCommit("HEAD").hex == ids[2])
        #expect(try repository.resolveCommit("HEAD~2").hex == ids[0])
        #expect(try repository.resolveCommit(ids[1]).hex == ids[1])
        #expect(try repository.resolveCommit(String(ids[1].prefix(8))).hex == ids[1])
        #expect(repository.containsCommit(for: "v2"))
        #expect(repository.containsCommit(for: "v9") == false)
    }

    @Test("describe names commits as git describe --tags --always does, and the name resolves back")
    func describes() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let ids = try history(fixture)
        let repository = try GitRepository.open(at: fixture.path("tpl"))
        for id in ids {
            let ours = try repository.describe(try repository.resolveCommit(id))
            #expect(ours == (try fixture.git(["describe", "--tags", "--always", id], in: "tpl")))
            #expect(try repository.resolveCommit(ours).hex == id)
        }
        let untagged = try fixture.makeRepository("plain", commits: [(["a.txt": "a\n"], nil)])
        let plain = try GitRepository.open(at: fixture.path("plain"))
        #expect(try plain.describe(try plain.resolveCommit(untagged[0])) == String(untagged[0].prefix(7)))
    }

    @Test("an unknown reference names itself and the repository; option-like references are refused")
    func unknownAndOptionLike() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        _ = try history(fixture)
        let repository = try GitRepository.open(at: fixture.path("tpl"))
        let error = #expect(throws: GitError.self) { try repository.resolveCommit("v9.9") }
        #expect(error?.description.contains("'v9.9'") == true)
        #expect(error?.description.contains(fixture.path("tpl")) == true)
        for bad in ["--upload-pack=touch /tmp/x", "-v", ""] {
            let refused = #expect(throws: GitError.self) { try repository.resolveCommit(bad) }
            if case .invalidArgument = refused {} else { Issue.record("expected invalidArgument for '\(bad)', got \(String(describing: refused))") }
        }
        #expect(throws: GitError.self) { try repository.resolveCommit("deadbeef") }
    }

    @Test("the newest semantic-version tag wins over lexical order; pre-releases only on request")
    func newestVersionTag() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.makeRepository("tpl", commits: [(["f": "1\n"], "v2"), (["f": "2\n"], "v10")])
        try fixture.git(["tag", "v11.0.0-rc.1"], in: "tpl")
        try fixture.git(["tag", "latest"], in: "tpl")
        try fixture.git(["tag", "v9.5"], in: "tpl")
        let repository = try GitRepository.open(at: fixture.path("tpl"))
        #expect(try repository.tags() == ["latest", "v10", "v11.0.0-rc.1", "v2", "v9.5"])
        #expect(try repository.newestVersionTag() == "v10")
        #expect(try repository.newestVersionTag(includePrereleases: true) == "v11.0.0-rc.1")
    }

    @Test("a repository without version tags has no newest tag")
    func noVersionTags() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.makeRepository("tpl", commits: [(["f": "1\n"], "stable")])
        #expect(try GitRepository.open(at: fixture.path("tpl")).newestVersionTag() == nil)
        // Equal under PEP 440: the first name in byte order, as copier picks.
        #expect(GitRepository.newestVersionTag(in: ["1.0", "v1.0.0"]) == "1.0")
        #expect(GitRepository.newestVersionTag(in: ["v1.0.0", "1.0"]) == "1.0")
        #expect(GitRepository.newestVersionTag(in: ["v1.0", "v1"]) == "v1")
    }
}

@Suite("Semantic versions")
struct VersionTagTests {
    @Test("tags parse with or without v, with missing parts as zero")
    func parses() {
        #expect(VersionTag(tag: "v1") == VersionTag(major: 1))
        #expect(VersionTag(tag: "1.2") == VersionTag(major: 1, minor: 2))
        #expect(VersionTag(tag: "V2.0.1") == VersionTag(major: 2, minor: 0, patch: 1))
        #expect(VersionTag(tag: "1.2.3-rc.1+build.7") == VersionTag(major: 1, minor: 2, patch: 3, prerelease: ["rc", "1"]))
        for bad in ["", "v", "latest", "1.2.3.4", "1..2", "v1.x", "1.2-", "1.2+", "release-1.0", "v-1", "1.2.3-rc..1"] {
            #expect(VersionTag(tag: bad) == nil, "\(bad) should not parse")
        }
    }

    @Test("ordering follows semver: numbers numerically, pre-releases before their release")
    func orders() throws {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                       "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.2", "1.10", "2"]
        let versions = ordered.compactMap { VersionTag(tag: $0) }
        #expect(versions.count == ordered.count)
        for (lower, higher) in zip(versions, versions.dropFirst()) {
            #expect(lower < higher, "\(lower) < \(higher)")
            #expect(!(higher < lower))
        }
    }
}
