import Foundation
import Testing
import MLReproCore

/// Every bad input: exit 2, a message naming the key (and `file:line:col` for files), nothing written.
@Suite(.serialized) struct InitErrorTests {
    func expectError(_ arguments: [String], files: [String: String] = [:], contains needles: [String]) throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        for (name, text) in files { try text.write(toFile: work + "/" + name, atomically: true, encoding: .utf8) }
        let result = try Harness.run(arguments, in: work)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        for needle in needles { #expect(result.stderr.contains(needle), "\(arguments): \(result.stderr)") }
        #expect(!result.stderr.contains("Fatal error"))
        #expect(Harness.entries(work) == files.keys.sorted(), "\(arguments) wrote files")
    }

    var basic: [String] { ["init", "p", "--template", Harness.fixture("basic")] }

    @Test func withoutTTYOrAnswersItFailsAtOnce() throws {
        try expectError(basic, contains: ["--answers FILE", "--defaults"])
    }

    @Test func unknownKeysInFileAndData() throws {
        try expectError(basic + ["--answers", "a.yml"], files: ["a.yml": "epochs: 2\nnope: 1\n"],
                        contains: ["a.yml:2:1: error: unknown question 'nope'"])
        try expectError(basic + ["--defaults", "--data", "nope=1"], contains: ["unknown question 'nope'"])
    }

    @Test func wrongTypesChoicesAndValidators() throws {
        try expectError(basic + ["--answers", "a.yml"], files: ["a.yml": "framework: sklearn\nepochs: many\n"],
                        contains: ["a.yml:2:1: error: answer 'epochs': expected an integer, got 'many'"])
        try expectError(basic + ["--defaults", "--data", "epochs=ten"], contains: ["answer 'epochs': expected an integer"])
        try expectError(basic + ["--defaults", "--data", "framework=jax"],
                        contains: ["answer 'framework': 'jax' is not one of the choices: pytorch, sklearn"])
        try expectError(basic + ["--defaults", "--data", "epochs=0"], contains: ["answer 'epochs': must be at least 1"])
        try expectError(basic + ["--defaults", "--data", "with_docs=maybe"], contains: ["answer 'with_docs': expected true or false"])
    }

    @Test func brokenAnswersFiles() throws {
        try expectError(basic + ["--answers", "a.yml"], files: ["a.yml": "epochs: [1, 2\n"], contains: ["a.yml:2:1: error: invalid YAML"])
        try expectError(basic + ["--answers", "a.yml"], files: ["a.yml": "- just\n- a list\n"], contains: ["a.yml:1:1: error: an answers file must be a mapping"])
        try expectError(basic + ["--answers", "missing.yml"], contains: ["missing.yml:1:1: error: answers file not found"])
        try expectError(basic + ["--answers", "a.yml"], files: ["a.yml": "epochs: 1\nepochs: 2\n"], contains: ["a.yml:", "duplicate key 'epochs'"])
    }

    @Test func badDataTemplatesAndOptions() throws {
        try expectError(basic + ["--defaults", "--data", "novalue"], contains: ["--data expects KEY=VALUE, got 'novalue'"])
        try expectError(["init", "p", "--template", "no-such-template", "--defaults"], contains: ["template 'no-such-template' not found", "tried:"])
        try expectError(["init", "p", "--template", "file:///nonexistent/t.git", "--defaults"], contains: ["template 'file:///nonexistent/t.git': git: cloning"])
        try expectError(["init", "p", "--template", "t", "--defaults"], files: ["t": "not a dir"], contains: ["template 't' not found"])
    }

    @Test func tasksNeedTrustAndManifestErrorsAreLocated() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        try FileManager.default.createDirectory(atPath: work + "/t", withIntermediateDirectories: true)
        try "x: {type: str, default: a}\n_tasks: [\"touch ran\"]\n".write(toFile: work + "/t/copier.yml", atomically: true, encoding: .utf8)
        var result = try Harness.run(["init", "p", "--template", "t", "--defaults"], in: work)
        #expect(result.status == 2)
        #expect(result.stderr.contains("pass --trust"))
        #expect(!FileManager.default.fileExists(atPath: work + "/p"))
        result = try Harness.run(["init", "p", "--template", "t", "--defaults", "--trust"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: work + "/p/ran"))
        try "x:\n  type: text\n".write(toFile: work + "/t/copier.yml", atomically: true, encoding: .utf8)
        result = try Harness.run(["init", "q", "--template", "t", "--defaults"], in: work)
        #expect(result.status == 2)
        #expect(result.stderr.contains("t/copier.yml:2:3: error: question 'x': type must be one of"), "\(result.stderr)")
        try "x: 1\n_min_mlrepro_version: \"99.0.0\"\n".write(toFile: work + "/t/copier.yml", atomically: true, encoding: .utf8)
        result = try Harness.run(["init", "q", "--template", "t", "--defaults"], in: work)
        #expect(result.status == 2)
        #expect(result.stderr.contains("needs mlrepro 99.0.0 or newer"))
    }
}

/// libgit2 is opened only when git work is needed; without it, that work fails clearly.
@Suite(.serialized) struct MissingLibGit2Tests {
    let missing = ["MLREPRO_LIBGIT2": "/nonexistent/libgit2.so.1.5"]

    @Test func initWithGitFailsCleanlyAndWritesNothing() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let result = try Harness.run(["init", "study", "--defaults", "--no-probe"], in: work, environment: missing)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("git work needs libgit2, and /nonexistent/libgit2.so.1.5 cannot be loaded"),
                "\(result.stderr)")
        #expect(result.stderr.contains("apt install libgit2-"), "\(result.stderr)")
        #expect(result.stderr.contains("pass --no-git"), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
        #expect(Harness.entries(work).isEmpty)
    }

    @Test func commandsWithoutGitWorkDoNotNeedIt() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let version = try Harness.run(["--version"], in: work, environment: missing)
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix(MLReproVersion.current + "\ncommit: "))
        #expect(version.stdout.contains("\ntarget: "))
        let parsed = try Harness.run(["init", "--version"], in: work, environment: missing)   // through the parser
        #expect(parsed.stdout == version.stdout, "\(parsed.stderr)")
        let generated = try Harness.run(["init", "study", "--defaults", "--no-probe", "--no-git", "--quiet"], in: work,
                                        environment: missing)
        #expect(generated.status == 0, "\(generated.stderr)")
        #expect(Harness.entries(work + "/study").contains("pyproject.toml"))
        #expect(!Harness.entries(work + "/study").contains(".git"))
        let check = try Harness.run(["check", "study"], in: work, environment: missing)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }
}
