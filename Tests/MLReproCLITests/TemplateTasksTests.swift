import Foundation
import Testing

/// `_tasks` whose `when` is false need no `--trust`; `--pretend` lists the tasks it would run.
@Suite(.serialized) struct TemplateTasksTests {
    static let manifest = """
    _tasks:
      - command: touch never
        when: false
      - command: touch maybe
        when: "{{ name == 'y' }}"
    name:
      type: str
      default: x

    """

    @Test func aTaskThatWouldNotRunIsNotRefused() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let root = try LintCommandTests.template(["mlrepro.yml": Self.manifest, "README.md": "hi\n"], in: work)
        let none = try Harness.run(["init", "p1", "--template", root, "--defaults", "--no-probe", "--no-git"], in: work)
        #expect(none.status == 0, "\(none.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work + "/p1/never"))
        let some = try Harness.run(["init", "p2", "--template", root, "--defaults", "--data", "name=y", "--no-probe", "--no-git"], in: work)
        #expect(some.status == 2)
        #expect(some.stderr.contains("1 task(s)") && some.stderr.contains("--trust"), "\(some.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work + "/p2"))
    }

    @Test func pretendListsTheTasksItWouldRun() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let root = try LintCommandTests.template(["mlrepro.yml": Self.manifest, "README.md": "hi\n"], in: work)
        let result = try Harness.run(["init", "p", "--template", root, "--defaults", "--data", "name=y", "--no-probe",
                                      "--no-git", "--trust", "--pretend"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("run       touch maybe"), "\(result.stdout)")
        #expect(!result.stdout.contains("touch never"))
        #expect(!FileManager.default.fileExists(atPath: work + "/p"))
    }

    @Test func whatTheTasksChangeIsCommittedSoTheNewProjectIsClean() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let root = try LintCommandTests.template([
            "mlrepro.yml": "_tasks:\n  - chmod +x scripts/run.sh\n  - touch made-by-task\nname:\n  type: str\n  default: x\n",
            "scripts/run.sh": "#!/bin/sh\necho run\n",
        ], in: work)
        let result = try Harness.run(["init", "p", "--template", root, "--defaults", "--no-probe", "--trust"], in: work,
                                     environment: gitTestEnvironment(work))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("(what the template's tasks changed)"), "\(result.stdout)")
        #expect(try TemplateRepository.git(["status", "--porcelain"], in: work + "/p") == "")
        let log = try TemplateRepository.git(["log", "--format=%s"], in: work + "/p").split(separator: "\n")
        #expect(log.count == 2 && log.first == "Run the template's tasks", "\(log)")
        #expect(try TemplateRepository.git(["ls-files", "-s", "scripts/run.sh"], in: work + "/p").hasPrefix("100755"))
    }
}
