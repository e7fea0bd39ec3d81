import Foundation
import Testing
@testable import GitSupport

@Suite("Bounded tree walks")
struct TreeLimitTests {
    /// A repository whose one commit holds `a.txt`, `b.txt` and a file 205 folders deep.
    private func deepRepository(_ fixture: GitFixture) throws -> (GitRepository, ObjectID) {
        try fixture.write("tpl/a.txt", "a\n")
        try fixture.write("tpl/b.txt", "bb\n")
        try fixture.write("tpl/" + Array(repeating: "d", count: 205).joined(separator: "/") + "/leaf.txt", "leaf\n")
        try fixture.git(["init", "--quiet", "tpl"])
        try fixture.git(["add", "--all"], in: "tpl")
        try fixture.git(["commit", "--quiet", "-m", "deep"], in: "tpl")
        let repository = try GitRepository.open(at: fixture.path("tpl"))
        return (repository, try #require(try repository.headCommit()))
    }

    @Test("a walk stops with treeTooLarge past the depth, the entry count or the bytes; sizes come from headers")
    func walksAreBounded() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let (repository, head) = try deepRepository(fixture)
        let roomy = GitTreeLimits(depth: 205, entries: 1000, bytes: 1000)
        let blobs = try repository.blobs(at: head, limits: roomy)
        #expect(blobs.map(\.size) == [2, 3, 5])
        #expect(blobs.first?.path == "a.txt")
        for limits in [GitTreeLimits(depth: 200, entries: 1000, bytes: 1000), GitTreeLimits(depth: 205, entries: 100, bytes: 1000),
                       GitTreeLimits(depth: 205, entries: 1000, bytes: 9)] {
            #expect(Self.isTreeTooLarge { try repository.blobs(at: head, limits: limits) })
        }
        #expect(Self.isTreeTooLarge { try repository.files(at: head, limits: GitTreeLimits(depth: 200, entries: 1000, bytes: 1000)) })
    }

    private static func isTreeTooLarge(_ body: () throws -> Any) -> Bool {
        do {
            _ = try body()
            return false
        } catch GitError.treeTooLarge {
            return true
        } catch {
            return false
        }
    }

    @Test("every tree in the database is checked for depth, iteratively, before a local transport sees it")
    func databaseDepthIsChecked() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let (repository, _) = try deepRepository(fixture)
        try repository.refuseTreesDeeperThan(205)
        #expect(throws: GitError.treeTooLarge(commit: nil, reason: "it holds folders more than 200 levels deep")) {
            try repository.refuseTreesDeeperThan(200)
        }
    }

    @Test("a blob over the limit is refused before it is read; within it, read in place")
    func blobsAreBounded() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let (repository, head) = try deepRepository(fixture)
        let blob = try #require(try repository.blobs(at: head, limits: .unbounded).first { $0.path == "b.txt" })
        #expect(try repository.withBlob(blob.id, limit: 3) { Array($0) } == Array("bb\n".utf8))
        #expect(throws: GitError.blobTooLarge(id: blob.id.short, size: 3, limit: 2)) {
            try repository.withBlob(blob.id, limit: 2) { _ in }
        }
    }
}
