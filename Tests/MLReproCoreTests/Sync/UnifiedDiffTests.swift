import Testing
@testable import MLReproCore

@Suite("Unified diff")
struct UnifiedDiffTests {
    private func diff(_ old: String?, _ new: String?, context: Int = 3) -> String {
        UnifiedDiff.text(old: old.map { Array($0.utf8) }, new: new.map { Array($0.utf8) },
                         oldLabel: "a/f", newLabel: "b/f", context: context)
    }

    @Test("equal contents give no diff")
    func equal() {
        #expect(diff("a\nb\n", "a\nb\n") == "")
        #expect(diff("", "") == "")
    }

    @Test("one changed line in the middle shows three lines of context on each side")
    func middleChange() {
        let old = (1...10).map { "\($0)\n" }.joined()
        let new = old.replacingOccurrences(of: "5\n", with: "five\n")
        #expect(diff(old, new) == """
            --- a/f
            +++ b/f
            @@ -2,7 +2,7 @@
             2
             3
             4
            -5
            +five
             6
             7
             8

            """)
    }

    @Test("changes far apart make two hunks; close ones share one")
    func hunks() {
        let old = (1...20).map { "\($0)\n" }.joined()
        let far = old.replacingOccurrences(of: "\n2\n", with: "\nTWO\n").replacingOccurrences(of: "\n19\n", with: "\nNINETEEN\n")
        let farDiff = diff(old, far)
        #expect(farDiff.components(separatedBy: "\n@@ ").count == 3)
        #expect(farDiff.contains("@@ -1,5 +1,5 @@\n"))
        #expect(farDiff.contains("@@ -16,5 +16,5 @@\n"))
        let near = old.replacingOccurrences(of: "\n5\n", with: "\nFIVE\n").replacingOccurrences(of: "\n10\n", with: "\nTEN\n")
        #expect(diff(old, near).contains("@@ -2,12 +2,12 @@\n"))
    }

    @Test("added and removed files diff against /dev/null")
    func devNull() {
        #expect(diff(nil, "x\ny\n") == "--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+x\n+y\n")
        #expect(diff("x\n", nil) == "--- a/f\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n")
    }

    @Test("a missing final newline is marked as diff does")
    func noNewline() {
        #expect(diff("a\nb", "a\nc") == "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n")
    }

    @Test("insertions and deletions interleave into a minimal script")
    func minimal() {
        let script = UnifiedDiff.edits(UnifiedDiff.lines(Array("a\nb\nc\na\nb\nb\na\n".utf8)),
                                       UnifiedDiff.lines(Array("c\nb\na\nb\na\nc\n".utf8)))
        let changes = script.filter { if case .keep = $0 { return false }; return true }.count
        #expect(changes == 5) // Myers' paper: edit distance 5 for ABCABBA -> CBABAC
    }

    @Test("binary contents are reported without lines")
    func binary() {
        let text = UnifiedDiff.text(old: [0, 1], new: [0, 2], oldLabel: "a/x.bin", newLabel: "b/x.bin")
        #expect(text == "Binary files a/x.bin and b/x.bin differ\n")
    }
}

@Suite("Template sources")
struct TemplateSourceTests {
    @Test("shorthands, URLs, built-in names and option-like values classify as expected")
    func classify() throws {
        #expect(try TemplateSource.classify("gh:lab/template", relativeTo: "/tmp") == .remote("https://github.com/lab/template.git"))
        #expect(try TemplateSource.classify("gl:group/t.git", relativeTo: "/tmp") == .remote("https://gitlab.com/group/t.git"))
        #expect(try TemplateSource.classify("https://example.org/t.git", relativeTo: "/tmp") == .remote("https://example.org/t.git"))
        #expect(try TemplateSource.classify("git+https://example.org/t", relativeTo: "/tmp") == .remote("https://example.org/t"))
        #expect(try TemplateSource.classify("file:///srv/t", relativeTo: "/tmp") == .remote("file:///srv/t"))
        #expect(try TemplateSource.classify("./missing-dir", relativeTo: "/tmp") == .directory("/tmp/missing-dir"))
        #expect(throws: GitTemplateError.self) { try TemplateSource.classify("gh:only-owner", relativeTo: "/tmp") }
        #expect(throws: GitTemplateError.self) { try TemplateSource.classify("gh:owner/--upload-pack", relativeTo: "/tmp") }
        #expect(throws: GitTemplateError.self) { try TemplateSource.classify("--template", relativeTo: "/tmp") }
    }

    @Test("checksum listings parse back to paths and digests, escapes included")
    func checksums() throws {
        let a = String(repeating: "a", count: 64), d = String(repeating: "d", count: 64)
        // A backslash is escaped as sha256sum escapes it; a newline (refused in any generated name) is not a path.
        let text = "\(a)  src/a.py\n\\\(d)  odd\\\\name\n"
        #expect(try ProjectRecord.parseChecksums(text, file: "c") == ["src/a.py": a, "odd\\name": d])
        #expect(throws: ProjectRecordError.self) { try ProjectRecord.parseChecksums("\\\(d)  odd\\nname\n", file: "c") }
    }

    @Test("the NFC and NFD spellings of one name are two entries of the record")
    func unicodeTwins() throws {
        let one = String(repeating: "1", count: 64), two = String(repeating: "2", count: 64)
        let parsed = try ProjectRecord.parseChecksums("\(one)  ma\u{F1}ana.txt\n\(two)  man\u{303}ana.txt\n", file: "c")
        #expect(parsed.count == 2)
        #expect(parsed["ma\u{F1}ana.txt"] == one && parsed["man\u{303}ana.txt"] == two)
    }

    @Test("a checksums line naming a path outside the project, in .git or malformed is a located error",
          arguments: ["../victim.txt", "/etc/passwd", ".git/description", "a/../../b", "a//b", "./a", "x/.GIT/config",
                      ".git::$INDEX_ALLOCATION/config", "ok\u{1B}]0;x", ""])
    func unsafeChecksumPaths(_ path: String) {
        let digest = String(repeating: "0", count: 64)
        let text = "\(digest)  fine.txt\n\(digest)  \(path)\n"
        do {
            _ = try ProjectRecord.parseChecksums(text, file: "p/.mlrepro/checksums")
            Issue.record("'\(path)' was accepted")
        } catch let error as ProjectRecordError {
            #expect(error.description.hasPrefix("p/.mlrepro/checksums:2:"), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("a malformed checksums line is refused, not skipped", arguments: ["abc  x", "zz", "\(String(repeating: "g", count: 64))  x"])
    func malformedChecksums(_ line: String) {
        #expect(throws: ProjectRecordError.self) { try ProjectRecord.parseChecksums(line + "\n", file: "c") }
    }

    @Test("link targets that leave DEST or reach a VCS folder or the record are refused")
    func linkTargets() {
        #expect(GenerationPlanner.linkProblem("../README.md", at: "docs/link") == nil)
        #expect(GenerationPlanner.linkProblem("sub/../data", at: "link") == nil)
        for (target, at) in [("../x", "link"), ("/etc", "l"), ("", "l"), (".git/config", "cfg"), ("../.git/hooks", "a/b"),
                             ("sub/../.GIT./config", "l"), (".git:x/config", "l"), (".mlrepro/answers.yml", "l")] {
            #expect(GenerationPlanner.linkProblem(target, at: at) != nil, "\(target) at \(at)")
        }
    }

    @Test("NTFS stream spellings of .git are version-control folders", arguments: [".git::$INDEX_ALLOCATION", ".git:x", ".GIT:", "git~1::$DATA"])
    func streamSpellings(_ name: String) {
        #expect(GenerationPlanner.versionControlComponent(of: "a/\(name)/config") != nil)
    }
}
