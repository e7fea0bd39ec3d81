import Foundation
import Testing

@Suite(.serialized) struct InitTests {
    @Test func defaultsRenderNamesContentsModesAndRecord() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let result = try Harness.run(["init", "my-study", "--template", Harness.fixture("basic"), "--defaults"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        let dest = work + "/my-study"
        #expect(Harness.read(dest + "/README.md") == "# my-study\n\nepochs=3 framework=sklearn\n")
        #expect(Harness.read(dest + "/src/my_study/__init__.py")?.hasPrefix("VERSION = \"") == true)
        // Files without the suffix are copied byte for byte, names still rendered.
        #expect(FileManager.default.contents(atPath: dest + "/src/my_study/data.bin")
            == FileManager.default.contents(atPath: Harness.fixture("basic") + "/src/{{ package_name }}/data.bin"))
        #expect(Harness.mode(dest + "/run.sh") == 0o755)
        // Excluded files, the manifest, and a folder whose name renders empty are absent.
        #expect(!FileManager.default.fileExists(atPath: dest + "/scratch.tmp"))
        #expect(!FileManager.default.fileExists(atPath: dest + "/mlrepro.yml"))
        #expect(!FileManager.default.fileExists(atPath: dest + "/docs"))
        // The secret file: 0600, random, not recorded anywhere.
        #expect(Harness.mode(dest + "/.env") == 0o600)
        let env = try #require(Harness.read(dest + "/.env"))
        #expect(env.range(of: "^PASSWORD=[0-9a-f]{32}\nKEY=not-recorded\n$", options: .regularExpression) != nil)
        let answers = try #require(Harness.read(dest + "/.mlrepro/answers.yml"))
        #expect(answers.contains("_template: "))
        #expect(answers.contains("_commit: \"sha256:"))
        #expect(answers.contains("project_name: my-study"))
        #expect(!answers.contains("api_key"))
        let checksums = try #require(Harness.read(dest + "/.mlrepro/checksums"))
        #expect(!checksums.contains(".env"))
        #expect(checksums.contains("  README.md\n"))
        #expect(result.stdout.contains("create  README.md"))
        #expect(result.stdout.contains("Next: cd my-study && make"))
        #expect(!result.stdout.contains("PASSWORD"))
        let verify = try Harness.run(["-c", "--quiet", ".mlrepro/checksums"], in: dest, executable: "/usr/bin/sha256sum")
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(Harness.entries(work) == ["my-study"])
    }

    /// The built-in template's closing message names DEST as the user would `cd` to it.
    @Test func afterCopyMessageNamesTheDestinationFromHere() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let result = try Harness.run(["init", "projects/study", "--defaults", "--no-git", "--no-probe"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\n  cd projects/study\n"), "\(result.stdout)")
    }

    @Test func initRecordsTheProbedMachineAndNoProbeSkipsIt() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        // A fake machine: files below MLREPRO_PROBE_ROOT, an nvidia-smi on PATH that fails like a missing driver.
        let root = work + "/root"
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        try "PRETTY_NAME=\"Probe Test OS 7\"\nID=probetest\nVERSION_ID=7\n".write(toFile: root + "/etc/os-release", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: work + "/bin", withIntermediateDirectories: true)
        let tool = work + "/bin/nvidia-smi"
        try "#!/bin/sh\necho \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\"\nexit 9\n"
            .write(toFile: tool, atomically: true, encoding: .utf8)
        chmod(tool, 0o755)
        let environment = ["MLREPRO_PROBE_ROOT": root, "PATH": work + "/bin:/usr/bin:/bin"]
        let probed = try Harness.run(["init", "probed", "--template", Harness.fixture("basic"), "--defaults", "--no-git"],
                                     in: work, environment: environment)
        #expect(probed.status == 0, "\(probed.stderr)")
        let record = try #require(FileManager.default.contents(atPath: work + "/probed/.mlrepro/environment.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: record) as? [String: Any])
        let host = json["host"] as? [String: Any]
        #expect(host?["os_name"] as? String == "Probe Test OS 7")
        let sources = (json["meta"] as? [String: Any])?["sources"] as? [String: [String: Any]]
        #expect(sources?["os_release"]?["status"] as? String == "ok")
        #expect(sources?["nvidia_smi_query"]?["status"] as? String == "error")

        let skipped = try Harness.run(["init", "skipped", "--template", Harness.fixture("basic"), "--defaults", "--no-git", "--no-probe"],
                                      in: work, environment: environment)
        #expect(skipped.status == 0, "\(skipped.stderr)")
        let text = try #require(FileManager.default.contents(atPath: work + "/skipped/.mlrepro/environment.json"))
        let skippedJSON = try #require(try JSONSerialization.jsonObject(with: text) as? [String: Any])
        let statuses = ((skippedJSON["meta"] as? [String: Any])?["sources"] as? [String: [String: Any]])?.values.map { $0["status"] as? String }
        #expect(statuses?.isEmpty == false && statuses?.allSatisfy { $0 == "skipped" } == true)
        #expect(!String(decoding: text, as: UTF8.self).contains("Probe Test OS"))
    }

    @Test func answersFileAndDataOverridesAreTypedAndRecorded() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        try "epochs: 5\nframework: pytorch\nwith_docs: yes\n_template: ignored\n".write(toFile: work + "/a.yml", atomically: true, encoding: .utf8)
        let result = try Harness.run(["init", "p", "--template", Harness.fixture("basic"), "--answers", "a.yml",
                                      "--data", "epochs=7", "--data", "project_name=demo-x"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Harness.read(work + "/p/README.md") == "# demo-x\n\nepochs=7 framework=pytorch\n")
        #expect(Harness.read(work + "/p/docs/index.md") == "docs for demo-x\n")
        let answers = try #require(Harness.read(work + "/p/.mlrepro/answers.yml"))
        #expect(answers.contains("epochs: 7\n"))
        #expect(answers.contains("package_name: demo_x\n"))
        #expect(answers.contains("with_docs: true\n"))
    }

    @Test func reproductionFromRecordedAnswersGivesTheSameFiles() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let first = try Harness.run(["init", "one", "--template", Harness.fixture("basic"), "--defaults",
                                     "--data", "epochs=9", "--data", "project_name=same", "--no-probe"], in: work,
                                     environment: ["SOURCE_DATE_EPOCH": "1700000000"])
        #expect(first.status == 0, "\(first.stderr)")
        // No --template: the recorded `_template` names it.
        let second = try Harness.run(["init", "two", "--answers", "one/.mlrepro/answers.yml", "--no-probe"], in: work,
                                     environment: ["SOURCE_DATE_EPOCH": "1700000000"])
        #expect(second.status == 0, "\(second.stderr)")
        let skip = [".env", ".git"]
        let one = Harness.tree(work + "/one", skipping: skip)
        #expect(!one.isEmpty)
        #expect(one == Harness.tree(work + "/two", skipping: skip))
    }

    @Test func pretendWritesNothingAndNeverShowsSecrets() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let result = try Harness.run(["init", "p", "--template", Harness.fixture("basic"), "--defaults", "--pretend"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("create    README.md"))
        #expect(result.stdout.contains(".env  (secret)"))
        #expect(!result.stdout.contains("PASSWORD"))
        #expect(Harness.entries(work) == [])
    }

    @Test func nonEmptyDestinationIsRefusedAndForceKeepsUserFiles() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let dest = work + "/p"
        try FileManager.default.createDirectory(atPath: dest, withIntermediateDirectories: true)
        try "mine\n".write(toFile: dest + "/user.txt", atomically: true, encoding: .utf8)
        try "old\n".write(toFile: dest + "/README.md", atomically: true, encoding: .utf8)
        try "SECRET=keep\n".write(toFile: dest + "/.env", atomically: true, encoding: .utf8)
        try "my notes\n".write(toFile: dest + "/notes.md", atomically: true, encoding: .utf8)
        let refused = try Harness.run(["init", "p", "--template", Harness.fixture("basic"), "--defaults"], in: work)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("exists and is not empty"))
        #expect(refused.stderr.contains("--force"))
        #expect(Harness.read(dest + "/README.md") == "old\n")
        #expect(Harness.entries(work) == ["p"])
        let forced = try Harness.run(["init", "p", "--template", Harness.fixture("basic"), "--defaults", "--force"], in: work)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains("overwrite  README.md"))
        #expect(Harness.read(dest + "/user.txt") == "mine\n")
        #expect(Harness.read(dest + "/.env") == "SECRET=keep\n")
        #expect(Harness.read(dest + "/notes.md") == "my notes\n")
        #expect(Harness.read(dest + "/README.md") == "# p\n\nepochs=3 framework=sklearn\n")
        #expect(Harness.entries(work) == ["p"])
    }

    @Test func pathEscapesAreRefusedAndNothingIsWritten() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        for target in ["../outside", "/etc/evil", "a/../../x", "evil\u{202E}txt.exe"] {
            let result = try Harness.run(["init", "p", "--template", Harness.fixture("escape"), "--defaults",
                                          "--data", "target=\(target)"], in: work)
            #expect(result.status == 2, "\(target)")
            #expect(result.stderr.contains("is refused"), "\(target): \(result.stderr)")
            #expect(Harness.entries(work) == [], "\(target)")
        }
    }

    @Test func symlinksEscapingTheTemplateAreRefused() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let template = work + "/t"
        try FileManager.default.createDirectory(atPath: template, withIntermediateDirectories: true)
        try "name: {type: str, default: x}\n".write(toFile: template + "/copier.yml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: template + "/passwd", withDestinationPath: "/etc/passwd")
        let result = try Harness.run(["init", "p", "--template", "t", "--defaults"], in: work)
        #expect(result.status == 2)
        #expect(result.stderr.contains("symbolic link points outside the template"))
        #expect(!FileManager.default.fileExists(atPath: work + "/p"))
    }

    @Test func interruptionLeavesNothingBehind() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let template = work + "/big"
        try FileManager.default.createDirectory(atPath: template + "/files", withIntermediateDirectories: true)
        try "name: {type: str, default: x}\n".write(toFile: template + "/copier.yml", atomically: true, encoding: .utf8)
        let body = String(repeating: "{% for i in range(200) %}{{ name }} {{ i }}\n{% endfor %}", count: 20)
        for index in 0..<400 {
            try body.write(toFile: template + "/files/f\(index).txt.jinja", atomically: false, encoding: .utf8)
        }
        for delay in [0.05, 0.3, 1.0, 2.0] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Harness.binary)
            process.arguments = ["init", "out", "--template", "big", "--defaults", "--quiet", "--no-probe"]
            process.currentDirectoryURL = URL(fileURLWithPath: work)
            process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGINT)
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let names = Harness.entries(work).filter { $0 != "big" }
            if process.terminationStatus == 130, message.contains("the project was already in place") {
                // The signal came after the final move: the project must be complete, and the
                // message must say it is there.
                #expect(names == ["out"])
                let verify = try Harness.run(["-c", "--quiet", ".mlrepro/checksums"], in: work + "/out", executable: "/usr/bin/sha256sum")
                #expect(verify.status == 0)
                Harness.cleanup(work + "/out")
            } else if process.terminationStatus == 0 {
                // Finished before the signal: the project must be complete.
                #expect(names == ["out"])
                let verify = try Harness.run(["-c", "--quiet", ".mlrepro/checksums"], in: work + "/out", executable: "/usr/bin/sha256sum")
                #expect(verify.status == 0)
                Harness.cleanup(work + "/out")
            } else if process.terminationReason == .uncaughtSignal {
                // Killed before the guard was installed (the process was still starting).
                #expect(process.terminationStatus == SIGINT)
                #expect(names == [], "left behind after SIGINT at \(delay)s: \(names)")
            } else {
                #expect(process.terminationStatus == 130)
                #expect(message.contains("nothing was written"), "\(message)")
                #expect(names == [], "left behind after SIGINT at \(delay)s: \(names)")
            }
        }
    }
}
