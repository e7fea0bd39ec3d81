import Foundation
import Testing
@testable import GitSupport

@Suite("Reading files at a commit")
struct TreeTests {
    @Test("a blob reads as it was at each commit; a missing path or a directory reads as nil")
    func readsBlobs() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let ids = try fixture.makeRepository("tpl", commits: [
            (["docs/a.md": "first\n"], "v1"), (["docs/a.md": "second\n", "b": ""], "v2"),
        ])
        let repository = try GitRepository.open(at: fixture.path("tpl"))
        let v1 = try #require(ObjectID(hex: ids[0]))
        let v2 = try repository.resolveCommit("v2")
        #expect(try repository.readBlob(at: v1, path: "docs/a.md") == Array("first\n".utf8))
        #expect(try repository.readBlob(at: v2, path: "docs/a.md") == Array("second\n".utf8))
        #expect(try repository.readBlob(at: v2, path: "b") == [])
        #expect(try repository.readBlob(at: v1, path: "b") == nil)
        #expect(try repository.readBlob(at: v1, path: "docs") == nil)
    }

    @Test("exporting a tree writes files, executable bits and in-tree links, and leaves .git out")
    func exportsTree() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.write("tpl/mlrepro.yml", "name: {type: str}\n")
        try fixture.write("tpl/template/run.sh.jinja", "#!/bin/sh\necho {{ name }}\n", executable: true)
        try fixture.write("tpl/template/nested/deeper/file.txt", "deep\n")
        try fixture.git(["init", "--quiet", "tpl"])
        try FileManager.default.createSymbolicLink(atPath: fixture.path("tpl/template/link.txt"),
                                                   withDestinationPath: "nested/deeper/file.txt")
        try fixture.git(["add", "--all"], in: "tpl")
        try fixture.git(["commit", "--quiet", "-m", "tpl"], in: "tpl")
        try fixture.write("tpl/mlrepro.yml", "changed after commit\n")

        let repository = try GitRepository.open(at: fixture.path("tpl"))
        let head = try #require(try repository.headCommit())
        try repository.exportTree(at: head, to: fixture.path("export"))

        #expect(try fixture.read("export/mlrepro.yml") == "name: {type: str}\n")
        #expect(try fixture.read("export/template/nested/deeper/file.txt") == "deep\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.path("export/template/run.sh.jinja"))
        #expect((attributes[.posixPermissions] as? Int) == 0o755)
        let plain = try FileManager.default.attributesOfItem(atPath: fixture.path("export/mlrepro.yml"))
        #expect((plain[.posixPermissions] as? Int) == 0o644)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: fixture.path("export/template/link.txt"))
            == "nested/deeper/file.txt")
        #expect(FileManager.default.fileExists(atPath: fixture.path("export/.git")) == false)
        #expect(try repository.files(at: head).map(\.path)
            == ["mlrepro.yml", "template/link.txt", "template/nested/deeper/file.txt", "template/run.sh.jinja"])
        #expect(try repository.files(at: head).first { $0.path == "template/link.txt" }?.kind == .symlink)
    }

    @Test("file contents come in one walk, a link as its target")
    func fileContents() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.git(["init", "--quiet", "tpl"])
        try fixture.write("tpl/b/c.txt", "c\n")
        try fixture.write("tpl/a.sh", "#!/bin/sh\n", executable: true)
        try FileManager.default.createSymbolicLink(atPath: fixture.path("tpl/l"), withDestinationPath: "b/c.txt")
        try fixture.git(["add", "--all"], in: "tpl")
        try fixture.git(["commit", "--quiet", "-m", "tpl"], in: "tpl")
        let repository = try GitRepository.open(at: fixture.path("tpl"))
        let head = try #require(try repository.headCommit())
        #expect(try repository.fileContents(at: head) == [
            GitFileContent(path: "a.sh", kind: .executable, bytes: Array("#!/bin/sh\n".utf8)),
            GitFileContent(path: "b/c.txt", kind: .regular, bytes: Array("c\n".utf8)),
            GitFileContent(path: "l", kind: .symlink, bytes: Array("b/c.txt".utf8)),
        ])
    }

    @Test("the working tree lists tracked and untracked files, not ignored or deleted ones")
    func workingTreePaths() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.makeRepository("tpl", commits: [([
            "keep.txt": "k\n", "gone.txt": "g\n", ".gitignore": "*.tmp\n", "dir/inner.txt": "i\n",
        ], nil)])
        try FileManager.default.removeItem(atPath: fixture.path("tpl/gone.txt"))
        try fixture.write("tpl/new/file.txt", "n\n")
        try fixture.write("tpl/scratch.tmp", "t\n")
        let repository = try GitRepository.open(at: fixture.path("tpl"))
        #expect(try repository.workingTreePaths() == [".gitignore", "dir/inner.txt", "keep.txt", "new/file.txt"])
        let bare = try GitRepository.clone(from: fixture.path("tpl"), to: fixture.path("bare.git"), bare: true)
        #expect(throws: GitError.self) { try bare.workingTreePaths() }
    }

    @Test("a link pointing outside the tree stops the export")
    func refusesEscapingLinks() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        try fixture.git(["init", "--quiet", "tpl"])
        try fixture.write("tpl/a.txt", "a\n")
        try FileManager.default.createSymbolicLink(atPath: fixture.path("tpl/passwd"), withDestinationPath: "../../etc/passwd")
        try fixture.git(["add", "--all"], in: "tpl")
        try fixture.git(["commit", "--quiet", "-m", "tpl"], in: "tpl")
        let repository = try GitRepository.open(at: fixture.path("tpl"))
        let head = try #require(try repository.headCommit())
        let error = #expect(throws: GitError.self) { try repository.exportTree(at: head, to: fixture.path("export")) }
        #expect(error?.description.contains("points outside the repository") == true)
        #expect(GitRepository.linkStaysInside(linkPath: "a/b/link", target: "../c") == true)
        #expect(GitRepository.linkStaysInside(linkPath: "a/link", target: "../../c") == false)
        #expect(GitRepository.linkStaysInside(linkPath: "link", target: "/etc/passwd") == false)
    }

    @Test("object ids accept only 40 hex digits")
    func objectIDs() {
        #expect(ObjectID(hex: String(repeating: "A", count: 40))?.hex == String(repeating: "a", count: 40))
        #expect(ObjectID(hex: "abc") == nil)
        #expect(ObjectID(hex: String(repeating: "g", count: 40)) == nil)
        #expect(ObjectID(hex: String(repeating: "1", count: 40))?.short == "1111111")
    }
}
