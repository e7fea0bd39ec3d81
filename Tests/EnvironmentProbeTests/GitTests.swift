import Foundation
import Testing
@testable import EnvironmentProbe

@Suite struct GitTests {
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    @Test func looseRefOnABranch() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("repo/.git/HEAD", "ref: refs/heads/feature/x\n")
        try scratch.write("repo/.git/refs/heads/feature/x", Self.commit + "\n")
        try FileManager.default.createDirectory(atPath: scratch.path + "/repo/src/deep", withIntermediateDirectories: true)
        let repository = try #require(GitReader.locate(from: scratch.path + "/repo/src/deep"))
        #expect(try GitReader.head(of: repository) == .init(commit: Self.commit, branch: "feature/x"))
    }

    @Test func packedRefAndDetachedHead() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("a/.git/HEAD", "ref: refs/heads/main\n")
        try scratch.write("a/.git/packed-refs", "# pack-refs with: peeled fully-peeled sorted\n\(Self.commit) refs/heads/main\n^ffffffffffffffffffffffffffffffffffffffff\n")
        #expect(try GitReader.head(of: #require(GitReader.locate(from: scratch.path + "/a"))) == .init(commit: Self.commit, branch: "main"))
        try scratch.write("b/.git/HEAD", Self.commit + "\n")
        #expect(try GitReader.head(of: #require(GitReader.locate(from: scratch.path + "/b"))) == .init(commit: Self.commit, branch: nil))
    }

    @Test func unbornBranchHasNoCommit() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("r/.git/HEAD", "ref: refs/heads/main\n")
        #expect(try GitReader.head(of: #require(GitReader.locate(from: scratch.path + "/r"))) == .init(commit: nil, branch: "main"))
    }

    @Test func linkedWorktreeReadsRefsFromTheCommonDirectory() throws {
        let scratch = try ScratchDirectory()
        try scratch.write("main/.git/refs/heads/topic", Self.commit + "\n")
        try scratch.write("main/.git/worktrees/wt/HEAD", "ref: refs/heads/topic\n")
        try scratch.write("main/.git/worktrees/wt/commondir", "../..\n")
        try scratch.write("wt/.git", "gitdir: ../main/.git/worktrees/wt\n")
        let repository = try #require(GitReader.locate(from: scratch.path + "/wt"))
        #expect(repository.commonDirectory.hasSuffix("/main/.git"))
        #expect(try GitReader.head(of: repository) == .init(commit: Self.commit, branch: "topic"))
    }

    @Test func dirtinessIncludesUntrackedFiles() async throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let scratch = try ScratchDirectory()
        let env = ["PATH": path, "HOME": scratch.path, "GIT_CONFIG_NOSYSTEM": "1",
                   "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                   "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"]
        let git = try #require(ToolLocator(path: path).find("git"), "git is needed on PATH for this test")
        func run(_ args: [String]) async {
            _ = await SubprocessRunner().run(git, arguments: args, environment: env, workingDirectory: scratch.path, timeout: .seconds(30))
        }
        await run(["init", "-q", "-b", "main"])
        try scratch.write("a.txt", "a\n")
        await run(["add", "a.txt"])
        await run(["commit", "-q", "-m", "first"])
        let options = { ProbeOptions(workingDirectory: scratch.path, mlreproVersion: "t", environment: env) }
        let clean = await EnvironmentProber.run(options())
        #expect(clean.git.branch == "main")
        #expect(clean.git.commit?.count == 40)
        #expect(clean.git.dirty == false)
        #expect(clean.meta.sources[ProbeSource.gitStatus.rawValue] == .ok)
        try scratch.write("untracked.txt", "new\n")
        let dirty = await EnvironmentProber.run(options())
        #expect(dirty.git.dirty == true)
        #expect(dirty.git.commit == clean.git.commit)
    }
}

@Suite struct ProbeClockTests {
    @Test func capturedAtIsUTCSecondsWithZ() {
        #expect(ProbeClock.iso8601(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(ProbeClock.iso8601(Date(timeIntervalSince1970: 1_700_000_000.9)) == "2023-11-14T22:13:20Z")
        #expect(ProbeClock.iso8601(Date(timeIntervalSince1970: 1_767_225_599)) == "2025-12-31T23:59:59Z")
    }
}
