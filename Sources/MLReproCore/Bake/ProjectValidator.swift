import Foundation
import Yams

/// Checks a rendered project with the field's own validators.
///
/// Built in (always run): YAML parses, notebooks are nbformat 4 JSON, files that compose
/// files and Makefiles refer to exist. TOML and JSON files parse (Python's tomllib and json, so
/// a syntax error is reported as `file:line:col`). External (run when found in the virtualenv or on
/// `PATH`, reported as skipped otherwise): check-jsonschema with its vendored compose-spec,
/// github-workflows, gitlab-ci and citation-file-format schemas, hadolint (error threshold),
/// shellcheck, Python's py_compile and ruff.
package struct ProjectValidator: Sendable {
    let tools: ToolLocator
    let runner: any ProcessRunning

    package init(tools: ToolLocator, runner: any ProcessRunning = SystemProcessRunner()) {
        self.tools = tools
        self.runner = runner
    }

    /// Validates the project; `declared` are the template's `_bake_validators`, run in the
    /// project folder with the virtualenv's `bin` first on `PATH`.
    package func validate(projectAt root: URL, declared: [TaskCommand] = []) -> [ValidationFinding] {
        let files = ValidatedFiles(root: root)
        var findings: [ValidationFinding] = []
        findings += files.yaml.map(parseYAML)
        findings += files.notebooks.map(checkNotebook)
        findings += dataFileChecks(files, root: root)
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

    /// Every TOML and JSON file parsed by one Python process (tomllib needs Python 3.11); an
    /// error is `path:line:col: message`.
    static let dataFileScript = #"""
    import json, re, sys
    try:
        import tomllib
    except ImportError:
        tomllib = None
    for f in sys.argv[1:]:
        try:
            with open(f, 'rb') as h:
                data = h.read()
            if f.endswith('.toml'):
                if tomllib is None:
                    print(f + '\tskip\tthis python has no tomllib (3.11 or later needed)')
                    continue
                tomllib.loads(data.decode('utf-8'))
            else:
                json.loads(data.decode('utf-8'))
            print(f + '\tok\t')
        except json.JSONDecodeError as e:
            print('%s\tfail\t%s:%d:%d: %s' % (f, f, e.lineno, e.colno, e.msg))
        except Exception as e:
            text = str(e)
            m = re.search(r'\(at line (\d+), column (\d+)\)', text)
            where = '%s:%s:%s' % (f, m.group(1), m.group(2)) if m else f
            text = re.sub(r'\s*\(at line \d+, column \d+\)', '', text) if m else text
            print('%s\tfail\t%s: %s' % (f, where, text.replace('\n', ' ')))
    """#

    func dataFileChecks(_ files: ValidatedFiles, root: URL) -> [ValidationFinding] {
        let checked = files.toml + files.json
        guard !checked.isEmpty else { return [] }
        func validator(_ file: ProjectFile) -> String { file.path.hasSuffix(".toml") ? "toml" : "json" }
        guard let python = tools.find("python3") ?? tools.find("python") else {
            return checked.map { ValidationFinding(validator: validator($0), path: $0.path, outcome: .skipped("python3 not found")) }
        }
        let result: (status: Int32, output: String)
        do {
            result = try runner.run(python, ["-c", Self.dataFileScript] + checked.map(\.path), in: root)
        } catch {
            return checked.map { ValidationFinding(validator: validator($0), path: $0.path, outcome: .skipped("could not start: \(error)")) }
        }
        var verdicts: [String: (String, String)] = [:]
        for line in result.output.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            if parts.count == 3 { verdicts[parts[0]] = (parts[1], parts[2]) }
        }
        return checked.map { file in
            switch verdicts[file.path] {
            case ("ok", _)?: return ValidationFinding(validator: validator(file), path: file.path, outcome: .passed)
            case ("fail", let message)?: return ValidationFinding(validator: validator(file), path: file.path, outcome: .failed(message))
            case ("skip", let message)?: return ValidationFinding(validator: validator(file), path: file.path, outcome: .skipped(message))
            default:
                let text = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
                return ValidationFinding(validator: validator(file), path: file.path,
                                         outcome: .failed("the parser did not report on this file: \(text.isEmpty ? "exit status \(result.status)" : String(text.suffix(300)))"))
            }
        }
    }

    func pythonChecks(_ files: ValidatedFiles, root: URL) -> [ValidationFinding] {
        guard !files.python.isEmpty else { return [] }
        let summary = "\(files.python.count) Python files"
        var findings: [ValidationFinding] = []
        if let python = tools.find("python3") ?? tools.find("python") {
            // Compiles in memory: no bytecode is written into the project.
            let script = "import sys\nfor f in sys.argv[1:]:\n    with open(f, 'rb') as h:\n        compile(h.read(), f, 'exec')\n"
            findings.append(outcome("py_compile", summary, files: files.python.count) {
                try runner.run(python, ["-c", script] + files.python.map(\.path), in: root)
            })
        } else {
            findings.append(ValidationFinding(validator: "py_compile", path: summary, outcome: .skipped("python3 not found"), files: files.python.count))
        }
        if let ruff = tools.find("ruff") {
            findings.append(outcome("ruff", summary, files: files.python.count) {
                try runner.run(ruff, ["check", "--no-cache", "--quiet", "."], in: root)
            })
        } else {
            findings.append(ValidationFinding(validator: "ruff", path: summary, outcome: .skipped("ruff not found"), files: files.python.count))
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

    func outcome(_ validator: String, _ path: String, files: Int = 1,
                 _ body: () throws -> (status: Int32, output: String)) -> ValidationFinding {
        do {
            let result = try body()
            if result.status == 0 {
                return ValidationFinding(validator: validator, path: path, outcome: .passed, files: files)
            }
            let message = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            return ValidationFinding(validator: validator, path: path,
                                     outcome: .failed(message.isEmpty ? "exit status \(result.status)" : message), files: files)
        } catch {
            return ValidationFinding(validator: validator, path: path, outcome: .skipped("could not start: \(error)"), files: files)
        }
    }
}
