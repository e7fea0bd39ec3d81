import Foundation
import Testing

/// `bake` as a template author uses it: every branch rendered, none hidden.
@Suite(.serialized) struct BakeCommandTests {
    @Test func bakeFailsABranchThatCannotResolveAndTriesEmptyAndPairedSelections() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let root = try LintCommandTests.template([
            "mlrepro.yml": """
            use_gpu:
              type: bool
              default: false
            cuda:
              type: str
              choices: ["11.8", "12.4"]
              default: "12.4"
              when: "{{ use_gpu and gpu_vendor == 'nvidia' }}"
            gpu_vendor:
              type: str
              choices: [nvidia, amd]
              default: nvidia
            extras:
              type: str
              multiselect: true
              choices: [a, b, c]
              default: [a]

            """,
            "out.txt.jinja": "{{ use_gpu }} {{ extras | join(',') }}\n",
        ], in: work)
        let result = try Harness.run(["bake", "--template", root, "--output", "out"], in: work)
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("question 'cuda', when: 'gpu_vendor' is undefined"), "\(result.stdout)")
        #expect(result.stdout.contains(" 1 failed"), "\(result.stdout)")
        #expect(result.stdout.contains("extras (3 options)"), "\(result.stdout)")
        let rendered = try FileManager.default.subpathsOfDirectory(atPath: work + "/out").filter { $0.hasSuffix("/out.txt") }
        let outputs = Set(try rendered.map { try String(contentsOfFile: work + "/out/" + $0, encoding: .utf8) })
        #expect(outputs.contains("False \n"), "\(outputs)")
        #expect(outputs.contains("False a,b\n"), "\(outputs)")
        #expect(outputs.contains("False a,b,c\n"), "\(outputs)")
    }

    @Test func bakeRendersDefaultsThatReadTheEnvironmentRecord() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let root = try LintCommandTests.template([
            "mlrepro.yml": "use_gpu:\n  type: bool\n  default: \"{{ env.nvidia.gpus | length > 0 }}\"\n",
            "gpu.txt.jinja": "{{ use_gpu }}\n",
        ], in: work)
        let result = try Harness.run(["bake", "--template", root, "--output", "out"], in: work)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("2 passed, 0 failed"), "\(result.stdout)")
    }

    @Test func computedAnswersAreNotCombined() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let root = try LintCommandTests.template([
            "mlrepro.yml": """
            framework:
              type: str
              choices: [torch, sklearn]
              default: torch
            uses_torch:
              type: bool
              when: false
              default: "{{ framework == 'torch' }}"
            gpu:
              type: bool
              ask: 0
              default: "{{ framework == 'torch' }}"

            """,
            "out.txt.jinja": "{{ framework }} {{ uses_torch }}\n",
        ], in: work)
        let list = try Harness.run(["bake", "--template", root, "--list"], in: work)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(!list.stdout.contains("uses_torch") && !list.stdout.contains("gpu="), "\(list.stdout)")
        let result = try Harness.run(["bake", "--template", root, "--output", "out"], in: work)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("over framework (2)\n"), "\(result.stdout)")
        #expect(result.stdout.contains("2 passed, 0 failed"), "\(result.stdout)")
    }
}

extension BakeCommandTests {
    @Test func tasksNeedTrustOrSkipTasksInValidateAndBake() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let root = try LintCommandTests.template([
            "mlrepro.yml": "_tasks:\n  - touch task-ran\nname:\n  type: str\n  default: x\n",
            "README.md": "plain\n",
        ], in: work)
        let refused = try Harness.run(["validate", "--template", root, "--data", "name=y", "--no-probe"], in: work)
        #expect(refused.status == 2)
        for flag in ["--trust", "--skip-tasks"] {
            let allowed = try Harness.run(["validate", "--template", root, "--data", "name=y", "--no-probe", flag], in: work)
            #expect(allowed.status == 0, "\(flag): \(allowed.stderr)")
        }
        let bakeRefused = try Harness.run(["bake", "--template", root, "--output", "refused"], in: work)
        #expect(bakeRefused.status == 2)
        #expect(bakeRefused.stderr.contains("--skip-tasks"), "\(bakeRefused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work + "/refused"))
        let skipped = try Harness.run(["bake", "--template", root, "--output", "skipped", "--skip-tasks"], in: work)
        #expect(skipped.status == 0, "\(skipped.stdout)\(skipped.stderr)")
        let trusted = try Harness.run(["bake", "--template", root, "--output", "trusted", "--trust"], in: work)
        #expect(trusted.status == 0, "\(trusted.stdout)\(trusted.stderr)")
        let ran = { (folder: String) in
            (try? FileManager.default.subpathsOfDirectory(atPath: work + "/" + folder))?.contains { $0.hasSuffix("/task-ran") } ?? false
        }
        #expect(ran("trusted"))
        #expect(!ran("skipped"))
    }
}

extension BakeCommandTests {
    @Test func dataFixesAnswersRunChecksEveryProjectAndJSONReports() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let root = try LintCommandTests.template([
            "mlrepro.yml": "framework:\n  type: str\n  choices: [torch, jax, sklearn]\n  default: torch\nuse_gpu:\n  type: bool\n  default: false\n",
            "f.txt.jinja": "{{ framework }} {{ use_gpu }}\n",
        ], in: work)
        let fixed = try Harness.run(["bake", "--template", root, "--output", "fixed", "--data", "use_gpu=true",
                                     "--run", "grep -q True f.txt"], in: work)
        #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
        #expect(fixed.stdout.contains("over framework (3)") && !fixed.stdout.contains("use_gpu ("), "\(fixed.stdout)")
        #expect(fixed.stdout.contains("3 passed, 0 failed"), "\(fixed.stdout)")
        // One problem, printed once, with the combinations it hit.
        let failing = try Harness.run(["bake", "--template", root, "--output", "failing", "--run", "grep -q sklearn f.txt"], in: work)
        #expect(failing.status == 1)
        #expect(failing.stdout.components(separatedBy: "run: `grep -q sklearn f.txt` exited 1").count == 2, "\(failing.stdout)")
        #expect(failing.stdout.contains("in 4 combinations:"), "\(failing.stdout)")
        let json = try Harness.run(["bake", "--template", root, "--output", "json", "--json", "--run", "grep -q sklearn f.txt"], in: work)
        #expect(json.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["failed"] as? Int == 4 && object?["passed"] as? Int == 2, "\(json.stdout)")
        let combinations = object?["combinations"] as? [[String: Any]] ?? []
        #expect(combinations.filter { $0["result"] as? String == "failed" }.allSatisfy { ($0["problem"] as? String)?.contains("exited 1") == true })
    }
}

extension BakeCommandTests {
    /// A file that breaks only when two particular options of five are selected together is found,
    /// and planning does not hang.
    @Test func aBugOnlyOnePairOfFiveOptionsTriggersIsFound() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let root = try LintCommandTests.template([
            "mlrepro.yml": """
            framework:
              type: str
              choices: [torch, jax, sklearn]
              default: torch
            targets:
              type: str
              multiselect: true
              choices: [local, slurm, k8s, chameleon, aws]
              default: [local]
            site:
              type: str
              choices: [tacc, uc]
              default: tacc
              when: "{{ 'chameleon' in targets }}"

            """,
            "out.txt.jinja": "{% if 'k8s' in targets and 'aws' in targets %}{{ undefined_only_here }}{% endif %}{{ targets | join(',') }}\n",
        ], in: work)
        let started = Date()
        let list = try Harness.run(["bake", "--template", root, "--list"], in: work)
        #expect(list.status == 0, "\(list.stderr)")
        // A hang guard only (the list takes well under a second): the planner's bound on its own work
        // is counted, not timed, in CombinationPlannerTests.
        #expect(Date().timeIntervalSince(started) < 300)
        let lines = list.stdout.split(separator: "\n").map(String.init)
        // Every selection of at most two options, the empty one and all five, each once exactly.
        let selections = Set(lines.compactMap { $0.split(separator: " ").first { $0.hasPrefix("targets=") }.map(String.init) })
        #expect(selections.contains("targets=(none)") && selections.contains("targets=local+slurm+k8s+chameleon+aws"), "\(lines)")
        #expect(selections.contains("targets=k8s+aws") && selections.contains("targets=slurm"), "\(lines)")
        #expect(selections.filter { !$0.contains("+") }.count == 6, "\(selections.sorted())")
        // The chameleon-only question is asked with each of its values.
        #expect(lines.contains { $0.contains("site=uc") } && lines.contains { $0.contains("site=tacc") })
        let result = try Harness.run(["bake", "--template", root, "--output", "out"], in: work)
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.contains("'undefined_only_here' is undefined"), "\(result.stdout)")
        // The failed combinations are listed, and each holds the pair that triggers the bug.
        let failed = result.stdout.split(separator: "\n").filter { $0.contains("targets=") && $0.hasPrefix("    ") }
        #expect(!failed.isEmpty, "no failed combination listed: \(result.stdout)")
        for line in failed {
            #expect(line.contains("k8s") && line.contains("aws"), "\(line)")
        }
    }
}
