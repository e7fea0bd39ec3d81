import Foundation
import Testing
@testable import MLReproCore

/// Records calls and answers with a fixed status, standing in for real validator programs.
final class FakeRunner: ProcessRunning, @unchecked Sendable {
    let status: Int32
    let output: String
    private(set) var calls: [[String]] = []
    init(status: Int32 = 0, output: String = "") { self.status = status; self.output = output }
    func run(_ command: ProcessCommand) throws -> ProcessResult {
        calls.append([(command.executable as NSString).lastPathComponent] + command.arguments)
        return ProcessResult(status: status, output: output)
    }
}

/// Temporary directories of one test, removed when the test's suite instance goes away.
final class Scratch: @unchecked Sendable {
    private(set) var directories: [URL] = []
    func make(_ prefix: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        directories.append(url)
        return url
    }
    deinit { for url in directories { try? FileManager.default.removeItem(at: url) } }
}

@Suite struct ProjectValidatorTests {
    let scratch = Scratch()

    func project(_ files: [String: String]) throws -> URL {
        let root = scratch.make("mlrepro-validate")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    /// A directory holding executables named like the validators, so `ToolLocator` finds them.
    func fakeToolDirectory(_ names: [String]) throws -> String {
        let dir = scratch.make("mlrepro-tools")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in names {
            let path = dir.appendingPathComponent(name).path
            _ = FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        }
        return dir.path
    }

    func findings(_ list: [ValidationFinding], _ validator: String) -> [ValidationFinding] {
        list.filter { $0.validator == validator }
    }

    @Test func composeBuildingAMissingDockerfileFails() throws {
        let root = try project([
            "compose.yaml": "services:\n  trainer:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile.gpu\n    depends_on: [mlflow]\n",
        ])
        let result = ProjectValidator(tools: ToolLocator(path: "")).validate(projectAt: root)
        let references = findings(result, "references")
        #expect(references.count == 1)
        guard case .failed(let message)? = references.first?.outcome else {
            Issue.record("expected a failure, got \(references)")
            return
        }
        #expect(message.contains("docker/Dockerfile.gpu"))
        #expect(message.contains("unknown service 'mlflow'"))
    }

    @Test func consistentComposeFilePasses() throws {
        let root = try project([
            "compose.yaml": "services:\n  db:\n    image: postgres:16.4\n  app:\n    build: .\n    env_file: .env\n    depends_on:\n      db:\n        condition: service_healthy\n    volumes: ['./data:/data', 'cache:/cache']\nvolumes:\n  cache: {}\n",
            "Dockerfile": "FROM python:3.11.9-slim\n", ".env": "A=1\n", "data/.keep": "",
        ])
        let result = ProjectValidator(tools: ToolLocator(path: "")).validate(projectAt: root)
        #expect(findings(result, "references").map(\.outcome) == [.passed])
    }

    @Test func onlyReadOnlyBindMountsMustExist() throws {
        let root = try project([
            "compose.yaml": "services:\n  app:\n    image: python:3.11.9-slim\n    volumes:\n      - ./outputs:/app/outputs\n      - ./configs:/app/configs:ro\n      - {type: bind, source: ./data, target: /data, read_only: true}\n",
        ])
        let result = ProjectValidator(tools: ToolLocator(path: "")).validate(projectAt: root)
        guard case .failed(let message)? = findings(result, "references").first?.outcome else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(message.contains("./configs") && message.contains("./data"))
        #expect(!message.contains("./outputs"))
    }

    @Test func templateDeclaredValidatorsRunInTheProject() throws {
        let root = try project(["README.md": "hello\n"])
        let manifest = try TemplateManifest.parse("""
            _bake_validators:
              - test -f README.md
              - grep -q missing README.md
              - [no-such-validator-program, --check]
            """, file: "mlrepro.yml", fileName: "mlrepro.yml")
        #expect(manifest.bakeValidators.count == 3)
        let result = ProjectValidator(tools: ToolLocator(path: "/usr/bin:/bin")).validate(projectAt: root, declared: manifest.bakeValidators)
        let declared = findings(result, "declared")
        #expect(declared.map(\.path) == ["test -f README.md", "grep -q missing README.md", "no-such-validator-program --check"])
        #expect(declared[0].outcome == .passed)
        guard case .failed = declared[1].outcome else {
            Issue.record("a failing declared validator must fail, got \(declared[1].outcome)")
            return
        }
        guard case .skipped = declared[2].outcome else {
            Issue.record("a missing program must be skipped, got \(declared[2].outcome)")
            return
        }
    }

    @Test func declaredValidatorsMustBeCommands() throws {
        #expect(throws: ManifestError.self) {
            _ = try TemplateManifest.parse("_bake_validators: ruff\n", file: "mlrepro.yml", fileName: "mlrepro.yml")
        }
    }

    @Test func missingToolsAreSkippedNeverPassed() throws {
        let root = try project(["Dockerfile": "FROM x\n", "run.sh": "echo hi\n", "a.py": "x = 1\n", "compose.yaml": "services: {}\n"])
        let result = ProjectValidator(tools: ToolLocator(path: "")).validate(projectAt: root)
        for name in ["hadolint", "shellcheck", "ruff", "py_compile", "compose-spec"] {
            let list = findings(result, name)
            #expect(!list.isEmpty, "\(name) not reported")
            #expect(list.allSatisfy { if case .skipped = $0.outcome { true } else { false } }, "\(name): \(list)")
        }
    }

    @Test func failingValidatorReportsItsOutput() throws {
        let root = try project(["Dockerfile": "FROM x\n", "jobs/train.sbatch": "#!/bin/bash\nsrun x\n"])
        let tools = try fakeToolDirectory(["hadolint", "shellcheck"])
        let runner = FakeRunner(status: 1, output: "DL3006 error: Always tag the version of an image explicitly")
        let result = ProjectValidator(tools: ToolLocator(path: tools), runner: runner).validate(projectAt: root)
        #expect(findings(result, "hadolint").first?.outcome == .failed("DL3006 error: Always tag the version of an image explicitly"))
        #expect(runner.calls.contains(["hadolint", "--failure-threshold", "error", "Dockerfile"]))
        #expect(runner.calls.contains(["shellcheck", "--shell=bash", "jobs/train.sbatch"]))
    }

    @Test func schemaValidatorsUseTheVendoredSchemas() throws {
        let root = try project([
            "compose.yaml": "services: {}\n", ".github/workflows/ci.yml": "on: push\n",
            ".gitlab-ci.yml": "test:\n  script: [make test]\n", "CITATION.cff": "cff-version: 1.2.0\n",
        ])
        let runner = FakeRunner()
        let tools = try fakeToolDirectory(["check-jsonschema"])
        let result = ProjectValidator(tools: ToolLocator(path: tools), runner: runner).validate(projectAt: root)
        #expect(runner.calls.contains(["check-jsonschema", "--builtin-schema", "vendor.compose-spec", "compose.yaml"]))
        #expect(runner.calls.contains(["check-jsonschema", "--builtin-schema", "vendor.github-workflows", ".github/workflows/ci.yml"]))
        #expect(runner.calls.contains(["check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"]))
        #expect(runner.calls.contains(["check-jsonschema", "--builtin-schema", "vendor.citation-file-format", "CITATION.cff"]))
        #expect(findings(result, "citation-file-format").map(\.outcome) == [.passed])
    }

    @Test func brokenYAMLAndNotebooksFail() throws {
        let root = try project([
            "configs/train.yaml": "lr: [0.1\n",
            "notebooks/a.ipynb": #"{"nbformat": 3, "metadata": {}, "cells": []}"#,
            "notebooks/b.ipynb": #"{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": "1", "metadata": {}, "outputs": [], "execution_count": null}]}"#,
        ])
        let result = ProjectValidator(tools: ToolLocator(path: "")).validate(projectAt: root)
        #expect(findings(result, "yaml").first?.failed == true)
        let notebooks = findings(result, "notebook")
        #expect(notebooks.map(\.path) == ["notebooks/a.ipynb", "notebooks/b.ipynb"])
        #expect(notebooks.map(\.outcome) == [.failed("nbformat is not 4"), .passed])
    }

    @Test func makefileReferencesToMissingSourceFilesFail() throws {
        let root = try project([
            "Makefile": "train: configs/train.yaml\n\tpython -m pkg.train --config configs/train.yaml\n\tsbatch infra/slurm/train.sbatch\nreport/out.md: src/report.py\n\tpython src/report.py > report/out.md\n",
            "configs/train.yaml": "x: 1\n", "src/report.py": "print(1)\n",
        ])
        let result = ProjectValidator(tools: ToolLocator(path: "")).validate(projectAt: root)
        #expect(findings(result, "references").map(\.outcome) == [.failed("line 3: 'infra/slurm/train.sbatch' does not exist")])
    }
}
