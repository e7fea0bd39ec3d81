import ArgumentParser
import Foundation
import MLReproCore

extension MLRepro {
    /// `mlrepro bake`: render every meaningful answer combination and validate each project.
    struct Bake: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bake",
            abstract: "Render answer combinations of a template and validate each project.",
            discussion: """
            Choice, bool and multiselect questions are enumerated, respecting `when`; other \
            questions take their defaults. By default a pairwise covering set is rendered: \
            every value of every question, and every pair of values of two questions that can \
            be asked together, appears in at least one combination. --all renders the full \
            product. Each combination goes into its own folder under --output, named after its \
            answers, holding the project (in a folder named after the template) with its \
            .mlrepro/answers.yml. A multiselect question is tried with no option, each option \
            alone, every pair of options and all of them, and every option in and out of the \
            selection with every value of the other questions. --list prints the plan.

            --validate checks each project with YAML parsing, notebook structure, file \
            references in compose files and Makefiles (built in) and, when found in --venv or \
            on PATH, check-jsonschema (compose-spec, github-workflows, gitlab-ci, \
            citation-file-format), hadolint (error threshold), shellcheck, py_compile and ruff. \
            A missing validator is reported as skipped, never as passed. A template's own \
            _bake_validators commands run in every project only with --trust; without it bake \
            --validate refuses before rendering, naming them. A template with _tasks (or \
            hooks) needs --trust, which runs them in every baked project, or --skip-tasks, which \
            renders without them. --data KEY=VALUE fixes an answer in every combination; --run \
            CMD runs a shell command of yours in every baked project after its tasks (it is your \
            own command, so it needs no --trust). TOML and JSON files are parsed with located \
            errors; the report ends with how many files each check ran on; --junit FILE writes \
            JUnit XML for CI. --snapshot renders the answer sets of bake-snapshots.yml (name -> \
            answers; --snapshots FILE) and compares each with its committed folder snapshots/NAME \
            next to that file, printing a diff; --update-snapshots rewrites the folders. Exit \
            status 1 when any combination fails to render, validate or pass --run, or a snapshot \
            differs.
            """
        )

        @OptionGroup var templateOptions: TemplateOptions

        @Option(name: .long, help: ArgumentHelp("Folder for the rendered combinations (must be absent or empty).", valueName: "DIR"))
        var output = "bake-output"

        @Flag(name: .long, help: "Render the full product of all values instead of the pairwise set.")
        var all = false

        @Flag(name: .long, help: "Validate every rendered project.")
        var validate = false

        @Option(name: .long, help: ArgumentHelp("Virtualenv whose bin/ is searched for validators before PATH.", valueName: "DIR"))
        var venv: String?

        @Option(name: .long, help: "Refuse to render more combinations than this.")
        var limit = 500

        @Flag(name: .long, help: "Allow the template's code: its _tasks run in every baked project, and its _bake_validators with --validate (refused otherwise, before anything is rendered).")
        var trust = false

        @Option(name: .long, help: ArgumentHelp("Fix an answer in every combination (the question is not enumerated); repeatable.", valueName: "KEY=VALUE"))
        var data: [String] = []

        @Option(name: .long, help: ArgumentHelp("Run this shell command in every baked project (after its tasks); a non-zero exit fails the combination.", valueName: "CMD"))
        var run: String?

        @Flag(name: .long, help: "Print the report as JSON on stdout (one object) instead of the table.")
        var json = false

        @Option(name: .long, help: ArgumentHelp("Also write the report as JUnit XML (one test case per combination) for CI.", valueName: "FILE"))
        var junit: String?

        @Flag(name: .long, help: "Render the named answer sets of the snapshots file and compare them with their committed folders; a difference is printed as a diff and fails (exit 1).")
        var snapshot = false

        @Flag(name: .customLong("update-snapshots"), help: "Render the snapshots and rewrite their committed folders.")
        var updateSnapshots = false

        @Option(name: .long, help: ArgumentHelp("The snapshots file (snapshot name -> answers); default bake-snapshots.yml in the template folder. Snapshots live in snapshots/ next to it.", valueName: "FILE"))
        var snapshots: String?

        @Flag(name: .long, help: "Print the planned combinations (one line each: folder name, then the answers) and render nothing.")
        var list = false

        @Flag(name: .customLong("skip-tasks"), help: "Render without the template's _tasks and hooks (they then need no --trust).")
        var skipTasks = false

        func run() async throws {
            InterruptionGuard.shared.install()
            let tree = try templateOptions.locate()
            let baker = try Baker(tree: tree, fixed: try AnswerInputs.parseData(data))
            if validate && !trust && !baker.bakeValidatorCommands.isEmpty {
                throw BakeError.validatorsNeedTrust(baker.bakeValidatorCommands)
            }
            if !trust && !skipTasks && !baker.codeThatRuns.isEmpty {
                throw BakeError.tasksNeedTrust(baker.codeThatRuns)
            }
            if snapshot || updateSnapshots {
                try runSnapshots(baker, tree: tree)
                return
            }
            if let junit {
                // Refused before anything is rendered, not after a long bake.
                var isDirectory: ObjCBool = false
                let folder = (Paths.absolute(junit) as NSString).deletingLastPathComponent
                guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw ValidationError("--junit \(junit): the folder \(folder) does not exist")
                }
            }
            let combinations = try baker.combinations(all ? .exhaustive : .pairwise, limit: limit)
            let enumerated = baker.dimensions.map { "\($0.question) (\($0.values.count)\($0.multiselect ? " options" : ""))" }.joined(separator: ", ")
            if list {
                for (offset, combination) in combinations.enumerated() {
                    let name = baker.name(of: combination, index: offset + 1, total: combinations.count)
                    Output.line(([name] + baker.answers(of: combination).map { "\($0.question)=\($0.label)" }).joined(separator: " "))
                }
                return
            }
            if !json { Output.line("bake: \(tree.source): \(combinations.count) \(all ? "combinations (all)" : "combinations (pairwise)") over \(enumerated)") }
            let validator = validate
                ? ProjectValidator(tools: ToolLocator(virtualenv: venv.map(Paths.absolute))) : nil
            let environmentJSON = await ProbedEnvironmentRecord(skipped: true, capturedAt: Date(timeIntervalSince1970: 0))
                .recordJSON(workingDirectory: FileManager.default.currentDirectoryPath)
            let results = try baker.bake(combinations, into: Paths.absolute(output), validator: validator,
                                         environmentJSON: environmentJSON, trust: trust, skipTasks: skipTasks, run: run) { result in
                if !json { Output.line("  \(result.name): \(Bake.summary(result))") }
            }
            if let junit {
                let xml = junitReport(results, source: tree.source)
                do {
                    try Data(xml.utf8).write(to: URL(fileURLWithPath: Paths.absolute(junit)), options: .atomic)
                } catch {
                    throw ValidationError("cannot write the JUnit report \(junit): \(error.localizedDescription)")
                }
            }
            if json { try printJSON(results, source: tree.source) } else { report(results) }
            if results.contains(where: \.failed) { throw ExitRequest(.differences) }
        }

        static func summary(_ result: BakeResult) -> String {
            switch result.outcome {
            case .renderFailed: return "render failed"
            case .runFailed(let status): return "\(result.files) files, --run exited \(status)"
            case .validationFailed:
                return "\(result.files) files, \(result.findings.filter(\.failed).count) validation failures"
            case .passed:
                let skipped = result.findings.filter { if case .skipped = $0.outcome { true } else { false } }.count
                let passed = result.findings.count - skipped
                return "\(result.files) files, ok" + (result.findings.isEmpty ? "" : " (\(passed) checks passed, \(skipped) skipped)")
            }
        }

        /// `--json`: `{"template", "passed", "failed", "combinations": [{"index", "name", "answers",
        /// "files", "result" ("passed"/"failed"), "problem"}]}`.
        func printJSON(_ results: [BakeResult], source: String) throws {
            let combinations: [[String: Any]] = results.map { result in
                var answers: [String: String] = [:]
                for answer in result.answers { answers[answer.question] = answer.label }
                var entry: [String: Any] = ["index": result.index, "name": result.name, "answers": answers,
                                            "files": result.files, "result": result.failed ? "failed" : "passed"]
                if result.failed { entry["problem"] = problemText(result) }
                return entry
            }
            let failed = results.filter(\.failed).count
            let checks: [[String: Any]] = Bake.checkSummary(results).map {
                ["check": $0.check, "files": $0.files, "failed": $0.failed, "skipped": $0.skipped]
            }
            let object: [String: Any] = ["template": source, "passed": results.count - failed, "failed": failed,
                                         "combinations": combinations, "checks": checks]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            Output.line(String(decoding: data, as: UTF8.self))
        }

        /// What went wrong in one combination, without its name or answers.
        func problemText(_ result: BakeResult) -> String {
            var lines: [String] = []
            if case .renderFailed(let message) = result.outcome {
                lines.append("render: " + message.replacingOccurrences(of: "\n", with: "\n    "))
            }
            if case .runFailed(let status) = result.outcome, let run {
                lines.append("run: `\(run)` exited \(status)")
            }
            for finding in result.findings {
                guard case .failed(let message) = finding.outcome else { continue }
                let text = message.split(separator: "\n").prefix(8).joined(separator: "\n    ")
                lines.append("\(finding.validator) \(finding.path):\n    \(text)")
            }
            return lines.joined(separator: "\n")
        }

        func report(_ results: [BakeResult]) {
            let failures = results.filter(\.failed)
            Output.line("")
            if !failures.isEmpty {
                Output.line("FAILURES")
                // One problem is printed once, with every combination it hit.
                var problems: [(text: String, results: [BakeResult])] = []
                for result in failures {
                    let text = problemText(result)
                    if let index = problems.firstIndex(where: { $0.text == text }) {
                        problems[index].results.append(result)
                    } else {
                        problems.append((text, [result]))
                    }
                }
                for problem in problems {
                    Output.line(problem.text)
                    Output.line("  in \(problem.results.count) combination\(problem.results.count == 1 ? "" : "s"):")
                    for result in problem.results {
                        Output.line("    \(result.name): " + result.answers.map { "\($0.question)=\($0.label)" }.joined(separator: " "))
                    }
                }
                Output.line("")
            }
            var skippedValidators: [String: String] = [:]
            for finding in results.flatMap(\.findings) {
                if case .skipped(let reason) = finding.outcome { skippedValidators[finding.validator] = reason }
            }
            for (validator, reason) in skippedValidators.sorted(by: { $0.key < $1.key }) {
                Output.line("skipped: \(validator) (\(reason))")
            }
            let checks = Bake.checkSummary(results)
            if !checks.isEmpty {
                Output.line("checks: " + checks.map { check in
                    var text = "\(check.check) \(check.files) file\(check.files == 1 ? "" : "s")"
                    var notes: [String] = []
                    if check.failed > 0 { notes.append("\(check.failed) failed") }
                    if check.skipped > 0 { notes.append("\(check.skipped) skipped") }
                    if !notes.isEmpty { text += " (" + notes.joined(separator: ", ") + ")" }
                    return text
                }.joined(separator: ", "))
            }
            let header = ["#", "combination", "files", "result"]
            let rows = (failures + results.filter { !$0.failed }).map { result in
                [String(result.index), result.answers.map(\.label).joined(separator: " "), String(result.files),
                 result.failed ? "FAILED" : "ok"]
            }
            let widths = header.indices.map { column in (rows + [header]).map { $0[column].count }.max() ?? 0 }
            for row in [header] + rows {
                Output.line(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                    .joined(separator: "  "))
            }
            Output.line("\(results.count - failures.count) passed, \(failures.count) failed")
        }
    }
}
