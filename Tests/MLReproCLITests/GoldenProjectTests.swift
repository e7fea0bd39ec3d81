import Foundation
import MLReproTestSupport
import Testing

/// Projects generated from the built-in template with the answers in Tests/Fixtures/golden/NAME/answers.yml,
/// compared file by file with the checked-in copies in Tests/Fixtures/golden/NAME/output.
/// `MLREPRO_UPDATE_GOLDEN=1 swift test --filter GoldenProjectTests` rewrites the copies (CONTRIBUTING.md).
///
/// Left out of the copies, as `make examples` leaves them out of Examples/: `.env` (fresh credentials on
/// every run) and the `.mlrepro/` record (the template's content hash and mlrepro's version, which change
/// without the output changing; Examples/ and the record tests cover it). The machine is not probed and
/// the clock is fixed with SOURCE_DATE_EPOCH.
@Suite struct GoldenProjectTests {
    static let root = Harness.packageRoot.appendingPathComponent("Tests/Fixtures/golden").path
    static let combinations = [
        "lightning-slurm-kubernetes", "pytorch-amd-chameleon-kubernetes", "sklearn-local", "tensorflow-chameleon",
    ]
    static let leftOut = [".env", ".mlrepro"]

    @Test func everyGoldenFolderIsACombinationThisSuiteChecks() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.root).sorted()
        #expect(folders == Self.combinations)
    }

    @Test(arguments: combinations)
    func generatedProjectMatchesGolden(_ name: String) throws {
        let answers = Self.root + "/" + name + "/answers.yml"
        #expect(FileManager.default.fileExists(atPath: answers), "\(answers) is missing")
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let project = work + "/" + name
        let result = try Harness.run(
            ["init", project, "--template", "ml-research", "--answers", answers, "--defaults",
             "--no-git", "--no-probe", "--quiet"],
            in: work, environment: ["SOURCE_DATE_EPOCH": "1767225600"])
        try #require(result.status == 0, "mlrepro init failed: \(result.stderr)")
        for path in Self.leftOut {
            try #require(FileManager.default.fileExists(atPath: project + "/" + path), "\(path) was not generated")
            try FileManager.default.removeItem(atPath: project + "/" + path)
        }
        let difference = try GoldenTree.verify(generated: project, golden: Self.root + "/" + name + "/output")
        let matches = difference.isEmpty
        #expect(matches, """
            The project generated from \(name)/answers.yml differs from Tests/Fixtures/golden/\(name)/output.
            If the change is intended, regenerate with MLREPRO_UPDATE_GOLDEN=1 swift test --filter GoldenProjectTests
            and review the diff:
            \(difference)
            """)
    }
}

/// The comparison itself: what it reports, what it leaves out, and what an update writes.
@Suite struct GoldenTreeTests {
    func entry(_ text: String, executable: Bool = false) -> GoldenTree.Entry {
        GoldenTree.Entry(contents: Data(text.utf8), executable: executable)
    }

    @Test func reportsChangedMissingNewAndModeChangedFilesAsUnifiedDiffs() throws {
        let golden = ["same.txt": entry("a\n"), "changed.txt": entry("one\ntwo\n"), "gone.txt": entry("old\n"),
                      "run.sh": entry("echo\n", executable: true)]
        let output = ["same.txt": entry("a\n"), "changed.txt": entry("one\n2\n"), "new.txt": entry("fresh\n"),
                      "run.sh": entry("echo\n")]
        let report = try GoldenTree.difference(expected: golden, actual: output)
        #expect(report == """
            --- golden/changed.txt
            +++ output/changed.txt
            @@ -1,2 +1,2 @@
             one
            -two
            +2
            --- golden/gone.txt
            +++ /dev/null
            @@ -1 +0,0 @@
            -old
            --- /dev/null
            +++ output/new.txt
            @@ -0,0 +1 @@
            +fresh
            --- golden/run.sh
            +++ output/run.sh
            executable: true -> false

            """)
        #expect(try GoldenTree.difference(expected: golden, actual: golden).isEmpty)
    }

    @Test func largeFilesAreListedByDigestAndUpdatesRewriteTheTree() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let large = String(repeating: "x", count: GoldenTree.largeFileLimit)
        try TemporaryDirectory.write(large, to: work + "/out/deps/requirements.lock")
        try TemporaryDirectory.write("#!/bin/sh\n", to: work + "/out/run.sh", executable: true)
        let snapshot = try GoldenTree.snapshot(generated: work + "/out")
        #expect(Set(snapshot.keys) == ["run.sh", GoldenTree.largeFilesList])
        #expect(snapshot["run.sh"]?.executable == true)
        let listed = String(decoding: snapshot[GoldenTree.largeFilesList]?.contents ?? Data(), as: UTF8.self)
        #expect(listed == "1f8745f0d2d1387ec1af2211a3cf417b2e9e885e853472649c1d979d0e9370e3  65536  deps/requirements.lock\n")

        // A golden tree that does not exist yet differs by every file; an update writes it, then it matches.
        #expect(try !GoldenTree.difference(expected: GoldenTree.snapshot(golden: work + "/golden"), actual: snapshot).isEmpty)
        try GoldenTree.write(snapshot, to: work + "/golden")
        #expect(try GoldenTree.snapshot(golden: work + "/golden") == snapshot)
        #expect(FileManager.default.fileExists(atPath: work + "/golden/" + GoldenTree.largeFilesList))
        #expect(!FileManager.default.fileExists(atPath: work + "/golden/deps/requirements.lock"))

        // One byte more in the large file changes its line.
        try TemporaryDirectory.write(large + "y", to: work + "/out/deps/requirements.lock")
        let report = try GoldenTree.difference(expected: GoldenTree.snapshot(golden: work + "/golden"),
                                               actual: GoldenTree.snapshot(generated: work + "/out"))
        #expect(report.contains("\n-1f8745f0d2d1387ec1af2211a3cf417b2e9e885e853472649c1d979d0e9370e3  65536  deps/requirements.lock\n"))
        #expect(report.contains("\n+8eb0d57cc018f433102fb7415b365a68955d379b046a1b462005e8a71730ce4a  65537  deps/requirements.lock\n"))
    }
}
