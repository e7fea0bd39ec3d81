import Foundation
import Yams

/// Checks a rendered project with the field's own validators.
///
/// Built in (always run): YAML parses, notebooks are nbformat 4 JSON, files that compose
/// files and Makefiles refer to exist. External (run when found in the virtualenv or on
/// `PATH`, reported as skipped otherwise): check-jsonschema with its vendored compose-spec,
/// github-workflows, gitlab-ci and citation-file-format schemas, hadolint (error threshold),
/// shellcheck, Python's py_compile and ruff.
public struct ProjectValidator: Sendable {
    let tools: ToolLocator
    let runner: any ValidationCommandRunning

    public init(tools: ToolLocator, runner: any ValidationCommandRunning = ProcessValidationRunner()) {
        self.tools = tools
        self.runner = runner
    }

    /// Validates the project; `declared` are the template's `_bake_validators`, run in the
    /// project folder with the virtualenv's `bin` first on `PATH`.
    public func validate(projectAt root: URL, declared: [TaskCommand] = []) -> [ValidationFinding] {
        let files = ValidatedFiles(root: root)
        var findings: [ValidationFinding] = []
        findings += files.yaml.map(parseYAML)
        findings += files.notebooks.map(checkNotebook)
        findings += checkReferences(files)
        findings += schemaChecks(files, root: root)
        findings += perFile("hadolint", ["--failure-threshold", "error"], files.dockerfiles, root: root)
        findings += files.shellScripts.map { shellcheck($0, root: root) }
        findings += pythonChecks(files, root: root)
        findings += declared.map { declaredCheck($0, root: root) }
        return findings
    }

    /// One `_bake_validators` entry: a shell line (`/bin/sh -c`) or an argument list whose
    /// program is looked up like the built-in validators (skipped when not found).
    func declaredCheck(_ command: TaskCommand, root: URL) -> ValidationFinding {
        let path = tools.directories.joined(separator: ":")
        switch command {
        case .shell(let line):
            return outcome("declared", line) {
                try runner.run("/bin/sh", ["-c", "PATH=\"$1\"; export PATH; eval \"$2\"", "sh", path, line], in: root)
            }
        case .arguments(let argv):
            let label = argv.joined(separator: " ")
            guard let program = argv.first else {
                return ValidationFinding(validator: "declared", path: label, outcome: .failed("empty command"))
            }
            guard let executable = program.contains("/") ? program : tools.find(program) else {
                return ValidationFinding(validator: "declared", path: label, outcome: .skipped("\(program) not found"))
            }
            return outcome("declared", label) { try runner.run(executable, Array(argv.dropFirst()), in: root) }
        }
    }

    // MARK: - Built-in checks

    func parseYAML(_ file: ProjectFile) -> ValidationFinding {
        do {
            let text = try String(contentsOf: file.url, encoding: .utf8)
            let parser = try Parser(yaml: text)
            while try parser.nextRoot() != nil {}
            return ValidationFinding(validator: "yaml", path: file.path, outcome: .passed)
        } catch {
            return ValidationFinding(validator: "yaml", path: file.path, outcome: .failed("\(error)"))
        }
    }

    func checkNotebook(_ file: ProjectFile) -> ValidationFinding {
        let fail = { (message: String) in ValidationFinding(validator: "notebook", path: file.path, outcome: .failed(message)) }
        guard let data = try? Data(contentsOf: file.url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return fail("not a JSON object")
        }
        guard (object["nbformat"] as? Int) == 4 else { return fail("nbformat is not 4") }
        guard object["metadata"] is [String: Any] else { return fail("metadata missing") }
        guard let cells = object["cells"] as? [[String: Any]] else { return fail("cells is not a list of objects") }
        for (index, cell) in cells.enumerated() {
            guard let kind = cell["cell_type"] as? String, ["code", "markdown", "raw"].contains(kind) else {
                return fail("cell \(index): cell_type missing or unknown")
            }
            guard cell["source"] is String || cell["source"] is [String] else {
                return fail("cell \(index): source must be a string or a list of strings")
            }
            if kind == "code", cell["outputs"] == nil || cell["execution_count"] == nil {
                return fail("cell \(index): code cells need outputs and execution_count")
            }
        }
        return ValidationFinding(validator: "notebook", path: file.path, outcome: .passed)
    }

    func checkReferences(_ files: ValidatedFiles) -> [ValidationFinding] {
        var findings: [ValidationFinding] = []
        for compose in files.compose {
            let missing = ReferenceCheck.composeProblems(compose, root: files.root)
            findings.append(ValidationFinding(validator: "references", path: compose.path,
                                              outcome: missing.isEmpty ? .passed : .failed(missing.joined(separator: "; "))))
        }
        for makefile in files.makefiles {
            let missing = ReferenceCheck.makefileProblems(makefile, root: files.root)
            findings.append(ValidationFinding(validator: "references", path: makefile.path,
                                              outcome: missing.isEmpty ? .passed : .failed(missing.joined(separator: "; "))))
        }
        return findings
    }

    // MARK: - External validators

    func schemaChecks(_ files: ValidatedFiles, root: URL) -> [ValidationFinding] {
        let groups: [(String, String, [ProjectFile])] = [
            ("compose-spec", "vendor.compose-spec", files.compose),
            ("github-workflows", "vendor.github-workflows", files.githubWorkflows),
            ("gitlab-ci", "vendor.gitlab-ci", files.gitlabCI),
            ("citation-file-format", "vendor.citation-file-format", files.citation),
        ]
        return groups.flatMap { name, schema, group in
            perFile("check-jsonschema", ["--builtin-schema", schema], group, root: root, label: name)
        }
    }

    func shellcheck(_ file: ProjectFile, root: URL) -> ValidationFinding {
        let shellArguments = file.path.hasSuffix(".sbatch") ? ["--shell=bash"] : []
        return perFile("shellcheck", shellArguments, [file], root: root).first
            ?? ValidationFinding(validator: "shellcheck", path: file.path, outcome: .skipped("nothing to check"))
    }

    func pythonChecks(_ files: ValidatedFiles, root: URL) -> [ValidationFinding] {
        guard !files.python.isEmpty else { return [] }
        let summary = "\(files.python.count) Python files"
        var findings: [ValidationFinding] = []
        if let python = tools.find("python3") ?? tools.find("python") {
            // Compiles in memory: no bytecode is written into the project.
            let script = "import sys\nfor f in sys.argv[1:]:\n    with open(f, 'rb') as h:\n        compile(h.read(), f, 'exec')\n"
            findings.append(outcome("py_compile", summary) {
                try runner.run(python, ["-c", script] + files.python.map(\.path), in: root)
            })
        } else {
            findings.append(ValidationFinding(validator: "py_compile", path: summary, outcome: .skipped("python3 not found")))
        }
        if let ruff = tools.find("ruff") {
            findings.append(outcome("ruff", summary) {
                try runner.run(ruff, ["check", "--no-cache", "--quiet", "."], in: root)
            })
        } else {
            findings.append(ValidationFinding(validator: "ruff", path: summary, outcome: .skipped("ruff not found")))
        }
        return findings
    }

    /// Runs `tool arguments file` for each file; a missing tool skips them all.
    func perFile(_ tool: String, _ arguments: [String], _ files: [ProjectFile], root: URL, label: String? = nil) -> [ValidationFinding] {
        let name = label ?? tool
        guard !files.isEmpty else { return [] }
        guard let executable = tools.find(tool) else {
            return files.map { ValidationFinding(validator: name, path: $0.path, outcome: .skipped("\(tool) not found")) }
        }
        return files.map { file in
            outcome(name, file.path) { try runner.run(executable, arguments + [file.path], in: root) }
        }
    }

    func outcome(_ validator: String, _ path: String, _ body: () throws -> (status: Int32, output: String)) -> ValidationFinding {
        do {
            let result = try body()
            if result.status == 0 {
                return ValidationFinding(validator: validator, path: path, outcome: .passed)
            }
            let message = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            return ValidationFinding(validator: validator, path: path,
                                     outcome: .failed(message.isEmpty ? "exit status \(result.status)" : message))
        } catch {
            return ValidationFinding(validator: validator, path: path, outcome: .skipped("could not start: \(error)"))
        }
    }
}
