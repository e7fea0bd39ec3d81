import Foundation
import Testing

@Suite(.serialized) struct OtherCommandTests {
    @Test func validateChecksWithoutWriting() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        try "epochs: 4\n".write(toFile: work + "/good.yml", atomically: true, encoding: .utf8)
        try "epochs: 4\nframework: keras\n".write(toFile: work + "/bad.yml", atomically: true, encoding: .utf8)
        let good = try Harness.run(["validate", "--answers", "good.yml", "--template", Harness.fixture("basic")], in: work)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("valid"))
        let bad = try Harness.run(["validate", "--answers", "bad.yml", "--template", Harness.fixture("basic")], in: work)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.yml:2:1: error: answer 'framework': 'keras' is not one of the choices"))
        #expect(Harness.entries(work) == ["bad.yml", "good.yml"])
    }

    @Test func renderPrintsOneFileOrTheEngineDiagnostic() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        try "Hello {{ name }}, {{ n + 1 }}\n".write(toFile: work + "/t.txt", atomically: true, encoding: .utf8)
        try "name: Ada\n".write(toFile: work + "/a.yml", atomically: true, encoding: .utf8)
        let ok = try Harness.run(["render", "t.txt", "--answers", "a.yml", "--data", "n=41"], in: work)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout == "Hello Ada, 42\n")
        try "line one\n{{ missing }}\n".write(toFile: work + "/bad.txt", atomically: true, encoding: .utf8)
        let bad = try Harness.run(["render", "bad.txt"], in: work)
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("bad.txt:2:"), "\(bad.stderr)")
        #expect(bad.stdout.isEmpty)
    }

    @Test func templatesListsEveryBuiltinWithItsDescription() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let result = try Harness.run(["templates"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        // The binary embeds Templates/ of this checkout: one line per template folder, in name
        // order, the name padded to the longest and then the manifest's `_description`.
        let folder = Harness.packageRoot.appendingPathComponent("Templates").path
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { FileManager.default.fileExists(atPath: folder + "/" + $0 + "/mlrepro.yml") }.sorted()
        try #require(!names.isEmpty, "no template with an mlrepro.yml under \(folder)")
        let width = names.map(\.count).max() ?? 0
        let expected = try names.map { name -> String in
            let manifest = try String(contentsOfFile: folder + "/" + name + "/mlrepro.yml", encoding: .utf8)
            let line = try #require(manifest.split(separator: "\n").first { $0.hasPrefix("_description: \"") },
                                    "\(name)/mlrepro.yml has no quoted _description line")
            let description = line.dropFirst("_description: \"".count).dropLast()
            return name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + description
        }
        #expect(result.stdout == expected.map { $0 + "\n" }.joined())
    }
}

/// A copier-format template rendered by mlrepro and by copier itself gives the same tree.
@Suite struct CopierCompatibilityTests {
    @Test func syntheticTemplateMatchesCopierByteForByte() throws {
        let copier = Harness.venv + "/bin/copier"
        let python = Harness.venv + "/bin/python"
        try #require(FileManager.default.isExecutableFile(atPath: copier),
                     "copier is not installed in \(Harness.venv); run `make venv` (Tests/requirements.txt pins copier 9.19.1)")
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        // The generator lives in ../shared/bench beside the checkout (as CI lays it out, and as the
        // Makefile's SYNTHETIC defaults to); SYNTHETIC names another copy.
        let script = ProcessInfo.processInfo.environment["SYNTHETIC"]
            ?? Harness.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/bench/make_synthetic_template.py").path
        try #require(FileManager.default.isReadableFile(atPath: script),
                     "\(script) not found: put ../shared beside the checkout, or set SYNTHETIC to make_synthetic_template.py")
        let made = try Harness.run([script, "30", work + "/synthetic"], in: work, executable: python)
        #expect(made.status == 0, "\(made.stderr)")
        let ours = try Harness.run(["init", "ours", "--template", work + "/synthetic/copier", "--defaults", "--quiet", "--no-probe"], in: work)
        #expect(ours.status == 0, "\(ours.stderr)")
        let theirs = try Harness.run(["copy", "--defaults", "--quiet", "--overwrite", work + "/synthetic/copier", work + "/theirs"],
                                     in: work, executable: copier)
        #expect(theirs.status == 0, "\(theirs.stderr)")
        let expected = Harness.tree(work + "/theirs")
        #expect(expected.count == 30)
        let actual = Harness.tree(work + "/ours", skipping: [".mlrepro", ".git"])
        #expect(actual.keys.sorted() == expected.keys.sorted())
        for (path, bytes) in expected { #expect(actual[path] == bytes, "\(path) differs from copier's output") }
    }
}
