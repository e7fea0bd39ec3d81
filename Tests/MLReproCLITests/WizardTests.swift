import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `mlrepro init` on a real pseudo-terminal: the interactive wizard end to end.
@Suite(.serialized) struct WizardTests {
    private let template = Harness.fixture("wizard")
    /// Questions of the fixture asked with the default answers, in order (cuda_version is skipped
    /// because the default accelerator, without a GPU in the probe record, is cpu).
    private let defaultQuestions = ["project_name", "project_slug", "accelerator", "epochs", "learning_rate",
                                    "use_dvc", "compute", "params", "token"]

    /// Generated files compared byte for byte; environment.json holds the capture time, so it and
    /// its checksum line are left out.
    private func comparable(_ root: String) -> [String: Data] {
        var files = Harness.tree(root, skipping: [".mlrepro/environment.json", ".git"])
        if let checksums = files[".mlrepro/checksums"] {
            let lines = String(decoding: checksums, as: UTF8.self).split(separator: "\n")
                .filter { !$0.hasSuffix(".mlrepro/environment.json") }
            files[".mlrepro/checksums"] = Data(lines.joined(separator: "\n").utf8)
        }
        return files
    }

    private func start(_ directory: String, _ extra: [String] = [], term: String = "xterm-256color",
                       columns: UInt16 = 80, rows: UInt16 = 24) throws -> PseudoTerminalSession {
        try PseudoTerminalSession(["init", directory + "/wizard-out", "--template", template, "--no-git", "--no-probe"] + extra,
                                  in: directory, term: term, columns: columns, rows: rows)
    }

    @Test func enterAtEveryQuestionGivesTheSameProjectAsDefaults() throws {
        let directory = try Harness.temporaryDirectory()
        defer { Harness.cleanup(directory) }
        let session = try start(directory)
        for name in defaultQuestions {
            try session.expect("? \(name)")
            session.type(KeyPress.enter)
        }
        try session.expect("Files to create in \(directory)/wizard-out: 5")
        try session.expect("? Create the project?")
        session.type(KeyPress.enter)
        #expect(try session.waitForExit() == 0)
        #expect(session.terminalIsSane())

        let reference = try Harness.run(["init", directory + "/defaults-out", "--template", template, "--no-git",
                                         "--no-probe", "--defaults"], in: directory)
        #expect(reference.status == 0, "\(reference.stderr)")
        let wizard = comparable(directory + "/wizard-out")
        #expect(wizard.count == 4)
        #expect(wizard == comparable(directory + "/defaults-out"))
    }

    @Test func arrowKeysAndTypedValuesGiveWhatDataFlagsGive() throws {
        let directory = try Harness.temporaryDirectory()
        defer { Harness.cleanup(directory) }
        let session = try start(directory)
        try session.expect("? project_name")
        session.type("Churn Study" + KeyPress.enter)
        try session.expect("? project_slug")
        session.type("bad slug" + KeyPress.enter)
        try session.expect("project_slug must not contain spaces")
        try session.expect("? project_slug")
        session.type("churn" + KeyPress.enter)
        try session.expect("? accelerator")
        session.type(KeyPress.up)                       // cpu -> amd
        session.type(KeyPress.up + KeyPress.enter)      // amd -> nvidia
        try session.expect("? cuda_version")            // asked only for nvidia
        session.type(KeyPress.up + KeyPress.enter)      // 12.8 -> 12.6
        try session.expect("? epochs")
        session.type("ten" + KeyPress.enter)
        try session.expect("'ten' is not a whole number")
        session.type("25" + KeyPress.enter)
        try session.expect("? learning_rate")
        session.type("3e-4" + KeyPress.enter)
        try session.expect("? use_dvc")
        session.type("n" + KeyPress.enter)
        try session.expect("? compute")
        session.type(KeyPress.down + " " + KeyPress.enter)   // add slurm to local
        try session.expect("? params")
        session.type("batch_size: 64" + KeyPress.enter + "seed: 7" + KeyPress.enter + KeyPress.enter)
        try session.expect("? token")
        session.type(KeyPress.enter)
        try session.expect("? Create the project?")
        session.type("y" + KeyPress.enter)
        #expect(try session.waitForExit() == 0)

        let answers = directory + "/answers.yml"
        try "compute: [local, slurm]\nparams: {batch_size: 64, seed: 7}\n".write(toFile: answers, atomically: true, encoding: .utf8)
        let reference = try Harness.run([
            "init", directory + "/data-out", "--template", template, "--no-git", "--no-probe", "--answers", answers,
            "--data", "project_name=Churn Study", "--data", "project_slug=churn", "--data", "accelerator=nvidia",
            "--data", "cuda_version=12.6", "--data", "epochs=25", "--data", "learning_rate=3e-4",
            "--data", "use_dvc=false",
        ], in: directory)
        #expect(reference.status == 0, "\(reference.stderr)")
        #expect(comparable(directory + "/wizard-out") == comparable(directory + "/data-out"))
        let readme = Harness.read(directory + "/wizard-out/README.md") ?? ""
        #expect(readme.contains("accelerator: nvidia\ncuda_version: 12.6\nepochs: 25\n"))
        #expect(readme.contains("compute: local, slurm"))
    }

    @Test func ctrlCMidwayWritesNothingAndLeavesTheTerminalSane() throws {
        let directory = try Harness.temporaryDirectory()
        defer { Harness.cleanup(directory) }
        let session = try start(directory)
        try session.expect("? project_name")
        session.type(KeyPress.enter)
        try session.expect("? project_slug")
        session.type(KeyPress.enter)
        try session.expect("? accelerator")
        session.type(KeyPress.down + KeyPress.ctrlC)
        #expect(try session.waitForExit() == 130)
        #expect(session.text.contains("mlrepro: interrupted; nothing was written"))
        #expect(session.terminalIsSane())
        // The cursor hidden for the list is shown again.
        let raw = session.rawOutput
        let hidden = raw.range(of: "\u{1B}[?25l", options: .backwards)
        let shown = raw.range(of: "\u{1B}[?25h", options: .backwards)
        #expect(hidden != nil)
        #expect(shown.map { shown in hidden.map { $0.lowerBound < shown.lowerBound } ?? true } == true)
        #expect(Harness.entries(directory) == [])
    }

    @Test func ctrlDEndsWithStatusOneAndWritesNothing() throws {
        let directory = try Harness.temporaryDirectory()
        defer { Harness.cleanup(directory) }
        let session = try start(directory)
        try session.expect("? project_name")
        session.type(KeyPress.ctrlD)
        #expect(try session.waitForExit() == 1)
        #expect(session.text.contains("input ended before every question was answered; nothing was written"))
        #expect(session.terminalIsSane())
        #expect(Harness.entries(directory) == [])
    }

    @Test func decliningTheSummaryWritesNothing() throws {
        let directory = try Harness.temporaryDirectory()
        defer { Harness.cleanup(directory) }
        let session = try start(directory)
        for name in defaultQuestions {
            try session.expect("? \(name)")
            session.type(KeyPress.enter)
        }
        try session.expect("? Create the project?")
        session.type("n" + KeyPress.enter)
        #expect(try session.waitForExit() == 1)
        #expect(session.text.contains("not confirmed; nothing was written"))
        #expect(Harness.entries(directory) == [])
    }

    @Test func questionMarkShowsHelp() throws {
        let directory = try Harness.temporaryDirectory()
        defer { Harness.cleanup(directory) }
        let session = try start(directory)
        try session.expect("? project_name")
        session.type("?")
        try session.expect("Human-readable project name")
        session.type(KeyPress.ctrlC)
        #expect(try session.waitForExit() == 130)
    }

    @Test func answersFileOnATerminalAsksOnlyWhatItLeavesOpen() throws {
        let directory = try Harness.temporaryDirectory()
        defer { Harness.cleanup(directory) }
        let answers = directory + "/answers.yml"
        try """
        project_name: Given
        project_slug: given
        accelerator: cpu
        epochs: 3
        learning_rate: 0.1
        use_dvc: false
        compute: [kubernetes]
        params: {a: 1}
        """.write(toFile: answers, atomically: true, encoding: .utf8)
        let session = try start(directory, ["--answers", answers])
        try session.expect("? token")
        session.type(KeyPress.enter)
        try session.expect("? Create the project?")
        session.type(KeyPress.enter)
        #expect(try session.waitForExit() == 0)
        #expect(!session.text.contains("? project_name"))
        #expect(Harness.read(directory + "/wizard-out/README.md")?.contains("# Given (given)") == true)

        // --ask asks again, the file's answers as defaults.
        let again = try start(directory, ["--answers", answers, "--ask", "--force"])
        try again.expect("? project_name (Given)")
        again.type(KeyPress.ctrlC)
        #expect(try again.waitForExit() == 130)
    }

    @Test func dumbTerminalGetsNumberedChoicesAndNoEscapeCodes() throws {
        let directory = try Harness.temporaryDirectory()
        defer { Harness.cleanup(directory) }
        let session = try start(directory, term: "dumb")
        try session.expect("project_name")
        session.type("\n")
        try session.expect("project_slug")
        session.type("\n")
        try session.expect("  1) nvidia\n  2) amd\n  3) cpu\n")
        try session.expect("accelerator (1-3; ? for help) [3]: ")
        session.type("1\n")
        try session.expect("cuda_version")
        session.type("\n")
        for name in ["epochs", "learning_rate", "use_dvc", "compute", "params", "token"] {
            try session.expect(name)
            session.type("\n")
        }
        try session.expect("Create the project?")
        session.type("y\n")
        #expect(try session.waitForExit() == 0)
        #expect(!session.rawOutput.contains("\u{1B}"))
        #expect(Harness.read(directory + "/wizard-out/README.md")?.contains("accelerator: nvidia") == true)
    }

    @Test func ctrlCOnADumbTerminalWritesNothing() throws {
        let directory = try Harness.temporaryDirectory()
        defer { Harness.cleanup(directory) }
        let session = try start(directory, term: "dumb")
        try session.expect("project_name")
        session.type("half typed" + KeyPress.ctrlC)
        #expect(try session.waitForExit() == 130)
        #expect(session.terminalIsSane())
        #expect(Harness.entries(directory) == [])
    }

    @Test func narrowTerminalStillWorks() throws {
        let directory = try Harness.temporaryDirectory()
        defer { Harness.cleanup(directory) }
        let session = try start(directory, columns: 30, rows: 8)
        for name in defaultQuestions {
            try session.expect("? \(name)")
            session.type(KeyPress.enter)
        }
        try session.expect("? Create the project?")
        session.type(KeyPress.enter)
        #expect(try session.waitForExit() == 0)
        #expect(Harness.entries(directory + "/wizard-out").contains("README.md"))
    }

    @Test func askWithoutATerminalIsRefused() throws {
        let directory = try Harness.temporaryDirectory()
        defer { Harness.cleanup(directory) }
        let result = try Harness.run(["init", "x", "--template", template, "--defaults", "--ask"], in: directory)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--ask"))
    }
}

/// Signals from outside while a prompt waits for keys.
@Suite(.serialized) struct WizardSignalTests {
    private let template = Harness.fixture("wizard")

    @Test func sigtermRestoresTheTerminalAndWritesNothing() throws {
        let directory = try Harness.temporaryDirectory()
        defer { Harness.cleanup(directory) }
        let session = try PseudoTerminalSession(["init", directory + "/out", "--template", template, "--no-git", "--no-probe"],
                                                in: directory)
        try session.expect("? project_name")
        session.type(KeyPress.enter)
        try session.expect("? project_slug")
        kill(session.pid, SIGTERM)
        #expect(try session.waitForExit() == 128 + SIGTERM)
        #expect(session.terminalIsSane())
        #expect(Harness.entries(directory) == [])
    }

    @Test func sigintFromOutsideEndsLikeCtrlC() throws {
        let directory = try Harness.temporaryDirectory()
        defer { Harness.cleanup(directory) }
        let session = try PseudoTerminalSession(["init", directory + "/out", "--template", template, "--no-git", "--no-probe"],
                                                in: directory)
        try session.expect("? project_name")
        kill(session.pid, SIGINT)
        #expect(try session.waitForExit() == 130)
        #expect(session.terminalIsSane())
        #expect(Harness.entries(directory) == [])
    }

    @Test func ctrlZThenContinueRedrawsTheQuestionAndKeepsRawMode() throws {
        let directory = try Harness.temporaryDirectory()
        defer { Harness.cleanup(directory) }
        let session = try PseudoTerminalSession(["init", directory + "/out", "--template", template, "--no-git", "--no-probe"],
                                                in: directory)
        try session.expect("? project_name")
        // Without a job-control shell the stop is discarded by the kernel (orphaned process
        // group); the prompt must still come back in raw mode, ready for keys.
        session.type("\u{1A}")
        try session.expect("? project_name")
        kill(session.pid, SIGCONT)
        try session.expect("? project_name")
        session.type(KeyPress.down)  // in raw mode an arrow is a key, not echoed text
        session.type(KeyPress.ctrlC)
        #expect(try session.waitForExit() == 130)
        #expect(!session.text.contains("^[[B"))
        #expect(session.terminalIsSane())
    }
}
