import Foundation
import Testing
import MLReproCore
import Prompting
import TemplateEngine
@testable import MLReproCLI

/// The wizard's questions, defaults, `when` chains and summary, driven by the scripted prompter.
@Suite struct InitWizardTests {
    private static let h100Record = """
    {"nvidia": {"driver_version": "550.54.15", "cuda_driver_version": "12.4",
                "gpus": [{"index": 0, "name": "NVIDIA H100 80GB HBM3", "memory_mib": 81559}]},
     "amd": {"gpus": [], "rocm_version": null},
     "meta": {"schema_version": 1, "sources": {"nvidia": {"status": "ok", "errors": []}}}}
    """
    private static let cpuRecord = """
    {"nvidia": {"driver_version": null, "gpus": []}, "amd": {"gpus": []},
     "meta": {"schema_version": 1, "sources": {"nvidia": {"status": "not_found", "errors": []}}}}
    """

    private func request(environment: String, file: AnswersFile? = nil, data: [(String, String)] = []) throws -> GenerationRequest {
        let tree = try TemplateLocator.locate(Harness.fixture("wizard"))
        return GenerationRequest(destination: NSTemporaryDirectory() + "mlrepro-wizard-" + UUID().uuidString,
                                 tree: tree, inputs: AnswerInputs(file: file, data: data.map { (key: $0.0, value: $0.1) }),
                                 environmentJSON: environment)
    }

    @Test func defaultsComeFromTheProbeRecordAndTheHintSaysWhatWasDetected() throws {
        let prompter = ScriptedPrompter(Array(repeating: "", count: 10))
        let wizard = InitWizard(prompter: prompter, reask: false, environmentJSON: Self.h100Record)
        let prepared = try wizard.prepare(try request(environment: Self.h100Record))
        let accelerator = try #require(prompter.asked.first { $0.name == "accelerator" })
        #expect(accelerator.defaultAnswer == .choice(0))  // nvidia
        #expect(accelerator.hint?.hasPrefix("NVIDIA H100 80GB HBM3 detected, driver 550.54.15 (CUDA 12.4)") == true)
        #expect(accelerator.help?.contains("probe record") == true)
        // The `when` chain: nvidia makes cuda_version a question.
        #expect(prompter.asked.map(\.name) == ["project_name", "project_slug", "accelerator", "cuda_version", "epochs",
                                               "learning_rate", "use_dvc", "compute", "params", "token"])
        #expect(prepared.answers.all["accelerator"] == .string("nvidia"))
        #expect(prepared.answers.recorded["token"] == nil)
        #expect(prepared.answers.all["token"] == .string("not-a-real-token"))
    }

    @Test func aQuestionWithAskFalseIsNotPutAndItsDefaultAnswersIt() throws {
        let folder = NSTemporaryDirectory() + "mlrepro-ask-wizard-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
        name: {type: str, default: demo}
        hidden: {type: str, default: "{{ name }}-h", ask: false}
        nodefault: {type: int, ask: "{{ name == 'other' }}"}
        path: {type: path, default: a/b}
        """.write(toFile: folder + "/copier.yml", atomically: true, encoding: .utf8)
        let prompter = ScriptedPrompter(["given", ""])
        let wizard = InitWizard(prompter: prompter, reask: false, environmentJSON: Self.cpuRecord)
        let request = GenerationRequest(destination: folder + "-out", tree: try TemplateLocator.locate(folder),
                                        inputs: AnswerInputs(file: nil, data: []), environmentJSON: Self.cpuRecord)
        let prepared = try wizard.prepare(request)
        #expect(prompter.asked.map(\.name) == ["name", "path"])
        #expect(prepared.answers.all["hidden"] == .string("given-h"))
        #expect(prepared.answers.recorded["hidden"] == .string("given-h"))
        #expect(prepared.answers.all["nodefault"] == nil)
        #expect(prepared.answers.all["path"] == .string("a/b"))
    }

    @Test func cookiecutterPromptsLabelChoicesAndTheValueIsTheOption() throws {
        let folder = NSTemporaryDirectory() + "mlrepro-cc-wizard-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/{{ cookiecutter.project_slug }}", withIntermediateDirectories: true)
        try #"""
        {"project_slug": "p", "license": ["MIT", "BSD-3-Clause"],
         "__prompts__": {"license": {"__prompt__": "Which license?", "MIT": "MIT License", "BSD-3-Clause": "BSD 3-Clause"}}}
        """#.write(toFile: folder + "/cookiecutter.json", atomically: true, encoding: .utf8)
        try "{{ cookiecutter.license }}\n".write(toFile: folder + "/{{ cookiecutter.project_slug }}/l.txt", atomically: true, encoding: .utf8)
        let prompter = ScriptedPrompter(["", "2"])
        let wizard = InitWizard(prompter: prompter, reask: false, environmentJSON: Self.cpuRecord)
        let request = GenerationRequest(destination: folder + "-out", tree: try TemplateLocator.locate(folder),
                                        inputs: AnswerInputs(file: nil, data: []), environmentJSON: Self.cpuRecord)
        let prepared = try wizard.prepare(request)
        let license = try #require(prompter.asked.first { $0.name == "license" })
        guard case .select(let choices) = license.kind else { Issue.record("not a choice: \(license.kind)"); return }
        #expect(choices.map(\.label) == ["MIT License", "BSD 3-Clause"])
        #expect(license.help?.contains("Which license?") == true)
        #expect(prepared.answers.all["license"] == .string("BSD-3-Clause"))
    }

    @Test func answersChangeLaterDefaultsAndQuestions() throws {
        let prompter = ScriptedPrompter(["Deep Net", "", "3", "", "", "", "", "", ""])
        let wizard = InitWizard(prompter: prompter, reask: false, environmentJSON: Self.h100Record)
        let prepared = try wizard.prepare(try request(environment: Self.h100Record))
        let slug = try #require(prompter.asked.first { $0.name == "project_slug" })
        #expect(slug.defaultAnswer == .text("deep-net"))
        #expect(!prompter.asked.map(\.name).contains("cuda_version"))  // cpu chosen
        #expect(prepared.answers.recorded["cuda_version"] == nil)
        #expect(prepared.answers.all["project_slug"] == .string("deep-net"))
    }

    @Test func validatorsAndTypesAreCheckedAtThePrompt() throws {
        let prompter = ScriptedPrompter(["", "has space", "ok-slug", "", "many", "5", "x", "0.5", "", "9", "2", "[1,", "[1, 2]", ""])
        let wizard = InitWizard(prompter: prompter, reask: false, environmentJSON: Self.cpuRecord)
        let prepared = try wizard.prepare(try request(environment: Self.cpuRecord))
        #expect(prompter.errors.contains("project_slug must not contain spaces"))
        #expect(prompter.errors.contains("'many' is not a whole number; type digits, e.g. 42"))
        #expect(prompter.transcript.contains { entry in
            if case .error(question: "params", _) = entry { return true }
            return false
        })
        #expect(prepared.answers.all["epochs"] == .int(5))
        #expect(prepared.answers.all["learning_rate"] == .float(0.5))
        #expect(prepared.answers.all["compute"] == .list([.string("slurm")]))
        #expect(prepared.answers.all["params"] == .list([.int(1), .int(2)]))
    }

    @Test func dataAndAnswersFileQuestionsAreNotAskedUnlessReasked() throws {
        let prompter = ScriptedPrompter(Array(repeating: "", count: 10))
        let wizard = InitWizard(prompter: prompter, reask: false, environmentJSON: Self.cpuRecord)
        _ = try wizard.prepare(try request(environment: Self.cpuRecord, data: [("epochs", "7"), ("project_name", "X")]))
        #expect(!prompter.asked.map(\.name).contains("epochs"))
        #expect(!prompter.asked.map(\.name).contains("project_name"))

        let again = ScriptedPrompter(Array(repeating: "", count: 10))
        let reasking = InitWizard(prompter: again, reask: true, environmentJSON: Self.cpuRecord)
        let path = NSTemporaryDirectory() + "mlrepro-answers-\(UUID().uuidString).yml"
        try "epochs: 12\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let prepared = try reasking.prepare(try request(environment: Self.cpuRecord, file: try AnswersFile.load(path: path)))
        #expect(again.asked.first { $0.name == "epochs" }?.defaultAnswer == .integer(12))
        #expect(prepared.answers.all["epochs"] == .int(12))
    }

    @Test func interruptionPropagatesAsAPromptError() throws {
        let prompter = ScriptedPrompter(["", .interrupt])
        let wizard = InitWizard(prompter: prompter, reask: false, environmentJSON: Self.cpuRecord)
        #expect(throws: PromptError.interrupted) { try wizard.prepare(try request(environment: Self.cpuRecord)) }
    }

    @Test func summaryListsAnswersAndFilesPerFolder() throws {
        let prompter = ScriptedPrompter(Array(repeating: "", count: 10))
        let wizard = InitWizard(prompter: prompter, reask: false, environmentJSON: Self.cpuRecord)
        let prepared = try wizard.prepare(try request(environment: Self.cpuRecord))
        let summary = wizard.summary(prepared)
        #expect(summary.contains("  project_slug   my-study"))
        #expect(summary.contains("  token          (hidden)"))
        #expect(!summary.contains("not-a-real-token"))
        #expect(summary.contains("Files to create in \(prepared.request.destination): 5"))
        #expect(summary.contains("  .mlrepro/                 3"))
        #expect(summary.contains("  src/                      1"))
    }

    @Test func hardwareSummaryLines() {
        #expect(HardwareSummary.line(environmentJSON: Self.h100Record) == "NVIDIA H100 80GB HBM3 detected, driver 550.54.15 (CUDA 12.4)")
        #expect(HardwareSummary.line(environmentJSON: Self.cpuRecord) == "no GPU detected on this machine")
        #expect(HardwareSummary.line(environmentJSON: """
            {"amd": {"gpus": [{"name": "AMD Instinct MI300X"}, {"name": "AMD Instinct MI300X"}], "rocm_version": "6.2.1"}}
            """) == "2× AMD Instinct MI300X detected, ROCm 6.2.1")
        #expect(HardwareSummary.line(environmentJSON: "not json") == nil)
    }

    @Test func folderCounts() {
        let counts = FolderCounts.count(["README.md", "src/a.py", "src/b/c.py", ".mlrepro/answers.yml", "Makefile"])
        #expect(counts.map(\.folder) == ["./", ".mlrepro/", "src/"])
        #expect(counts.map(\.count) == [2, 1, 2])
    }
}
