import Foundation
import Testing
@testable import GitSupport

@Suite("Creating repositories and committing")
struct RepositoryTests {
    @Test("init, add all and commit make one commit holding every file except ignored ones")
    func initAddCommit() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.write("project/README.md", "hello\n")
        try fixture.write("project/src/train.py", "print('train')\n")
        try fixture.write("project/scripts/run.sh", "#!/bin/sh\n", executable: true)
        try fixture.write("project/.gitignore", ".env\nmlruns/\n")
        try fixture.write("project/.env", "SECRET=1\n")
        try fixture.write("project/mlruns/0/meta.yaml", "x\n")

        let repository = try GitRepository.initialize(at: fixture.path("project"))
        #expect(try repository.headCommit() == nil)
        try repository.addAll()
        let author = GitSignature(name: "Ada Lovelace", email: "ada@example.org")
        let id = try repository.commit(message: "Generate project", author: author)

        #expect(try fixture.git(["rev-parse", "HEAD"], in: "project") == id.hex)
        #expect(try repository.headCommit() == id)
        let tracked = try fixture.git(["ls-files"], in: "project").split(separator: "\n").map(String.init)
        #expect(tracked == [".gitignore", "README.md", "scripts/run.sh", "src/train.py"])
        #expect(try fixture.git(["log", "--format=%an <%ae>|%s"], in: "project") == "Ada Lovelace <ada@example.org>|Generate project")
        #expect(try fixture.git(["ls-files", "-s", "scripts/run.sh"], in: "project").hasPrefix("100755"))
        #expect(try repository.isDirty() == false)
        #expect(try repository.historyLength(from: id) == 1)
        #expect(try repository.message(of: id) == "Generate project")
        #expect(try repository.author(of: id) == author)
    }

    @Test("a second commit has the first as parent and records removals")
    func secondCommitRecordsRemovals() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.write("repo/a.txt", "a\n")
        try fixture.write("repo/b.txt", "b\n")
        let repository = try GitRepository.initialize(at: fixture.path("repo"))
        try repository.addAll()
        let first = try repository.commit(message: "one", author: .fallback)
        try FileManager.default.removeItem(atPath: fixture.path("repo/b.txt"))
        try fixture.write("repo/a.txt", "a2\n")
        try repository.addAll()
        let second = try repository.commit(message: "two", author: .fallback)

        #expect(try fixture.git(["rev-parse", "HEAD^"], in: "repo") == first.hex)
        #expect(try fixture.git(["ls-files"], in: "repo") == "a.txt")
        #expect(try repository.historyLength(from: second) == 2)
        #expect(try repository.readBlob(at: first, path: "b.txt") == Array("b\n".utf8))
        #expect(try repository.readBlob(at: second, path: "b.txt") == nil)
    }

    @Test("the current branch is read on an unborn branch, after commits, and nil when detached")
    func currentBranch() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.git(["init", "--quiet", "-b", "trunk", "repo"])
        let repository = try GitRepository.open(at: fixture.path("repo"))
        #expect(try repository.currentBranch() == "trunk")
        try fixture.write("repo/f", "1\n")
        try fixture.git(["add", "f"], in: "repo")
        try fixture.git(["commit", "--quiet", "-m", "c"], in: "repo")
        #expect(try repository.currentBranch() == "trunk")
        try fixture.git(["checkout", "--quiet", "--detach"], in: "repo")
        #expect(try repository.currentBranch() == nil)
        #expect(try repository.headCommit()?.hex == fixture.git(["rev-parse", "HEAD"], in: "repo"))
    }

    @Test("opening a directory that is no repository names it; searching parents finds the enclosing one")
    func openErrors() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.write("plain/file", "x\n")
        #expect(throws: GitError.notARepository(path: fixture.path("plain"))) {
            try GitRepository.open(at: fixture.path("plain"))
        }
        #expect(GitRepository.exists(at: fixture.path("plain")) == false)
        let error = GitError.notARepository(path: fixture.path("plain"))
        #expect(error.description.contains("is not a git repository"))

        try fixture.makeRepository("repo", commits: [(["sub/file.txt": "x\n"], nil)])
        #expect(throws: GitError.notARepository(path: fixture.path("repo/sub"))) {
            try GitRepository.open(at: fixture.path("repo/sub"))
        }
        let found = try GitRepository.open(at: fixture.path("repo/sub"), searchParents: true)
        #expect(found.workingDirectory == fixture.path("repo") + "/")
    }
}

@Suite("Working tree status")
struct StatusTests {
    @Test("status lists untracked, modified, staged and deleted paths and leaves ignored ones out")
    func statusKinds() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.makeRepository("repo", commits: [([
            "tracked.txt": "1\n", "gone.txt": "bye\n", ".gitignore": "*.log\n",
        ], nil)])
        let repository = try GitRepository.open(at: fixture.path("repo"))
        #expect(try repository.status().isEmpty)

        try fixture.write("repo/tracked.txt", "2\n")
        try fixture.write("repo/new/deep/notes.md", "n\n")
        try fixture.write("repo/debug.log", "noise\n")
        try fixture.write("repo/staged.txt", "s\n")
        try fixture.git(["add", "staged.txt"], in: "repo")
        try FileManager.default.removeItem(atPath: fixture.path("repo/gone.txt"))

        let entries = try repository.status()
        let byPath = Dictionary(uniqueKeysWithValues: entries.map { ($0.path, $0) })
        #expect(Set(byPath.keys) == ["tracked.txt", "new/deep/notes.md", "staged.txt", "gone.txt"])
        #expect(byPath["tracked.txt"]?.change == .modified)
        #expect(byPath["new/deep/notes.md"]?.change == .untracked)
        #expect(byPath["staged.txt"]?.change == .added)
        #expect(byPath["staged.txt"]?.staged == true)
        #expect(byPath["gone.txt"]?.change == .deleted)
        #expect(try repository.isDirty())
    }

    @Test("an untracked file alone makes the tree dirty")
    func untrackedIsDirty() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.makeRepository("repo", commits: [(["a": "a\n"], nil)])
        let repository = try GitRepository.open(at: fixture.path("repo"))
        #expect(try repository.isDirty() == false)
        try fixture.write("repo/b", "b\n")
        #expect(try repository.isDirty())
        #expect(try repository.status() == [GitStatusEntry(path: "b", change: .untracked, staged: false)])
    }
}
