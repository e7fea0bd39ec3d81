import Foundation
import MLReproCore
import Prompting
import TemplateEngine

/// The interactive side of `mlrepro init`: asks the template's questions on the terminal, then
/// shows what will be created and asks for confirmation. Nothing is written before that.
final class InitWizard {
    private let prompter: any Prompter
    private let reask: Bool
    private let hardware: String?
    /// Answers given so far, by question name (kept when the plan is prepared a second time).
    private var given: [String: Value] = [:]
    /// Names of the questions asked, in order.
    private(set) var askedNames: [String] = []

    init(prompter: any Prompter, reask: Bool, environmentJSON: String) {
        self.prompter = prompter
        self.reask = reask
        self.hardware = HardwareSummary.line(environmentJSON: environmentJSON)
    }

    /// True once at least one question was asked (so the summary and confirmation are due).
    var askedAnything: Bool { !askedNames.isEmpty }

    /// Prepares the generation, asking every question that the command line leaves open.
    func prepare(_ request: GenerationRequest) throws -> PreparedGeneration {
        try ProjectGenerator.prepare(request) { resolver, inputs in
            try resolver.resolve(inputs, reask: self.reask) { pending in try self.ask(pending) }
        }
    }

    func ask(_ pending: PendingQuestion) throws -> Value {
        let name = pending.question.name
        if let known = given[name] { return known }
        if askedNames.isEmpty {
            prompter.show("Enter keeps the default · ? shows help · Ctrl-C quits · nothing is written yet", style: .dim)
        }
        let wizardQuestion = WizardQuestion(pending, hardware: hardware)
        let answer = try prompter.ask(wizardQuestion.prompt)
        let value = try wizardQuestion.value(from: answer)
        given[name] = value
        askedNames.append(name)
        return value
    }

    // MARK: - Summary

    /// Shows the answers and the files to be created, then asks whether to go ahead.
    func confirm(_ prepared: PreparedGeneration) throws -> Bool {
        prompter.show(summary(prepared))
        return try prompter.confirm("Create the project?", default: true)
    }

    func summary(_ prepared: PreparedGeneration) -> String {
        var lines = ["", "Answers:"]
        let names = prepared.manifest.questions.map(\.name).filter { name in
            prepared.answers.recorded[name] != nil || askedNames.contains(name)
        }
        let width = min(names.map(\.count).max() ?? 0, 24)
        for name in names {
            let secret = prepared.manifest.question(named: name)?.secret ?? false
            let shown = secret ? "(hidden)" : prepared.answers.all[name].map(ValueText.display) ?? ""
            lines.append("  " + name.padding(toLength: max(width, name.count), withPad: " ", startingAt: 0) + "  " + shown)
        }
        let actions = ProjectGenerator.actions(prepared)
        let destination = prepared.request.destination
        let creating = actions.filter { $0.action == .create }.count
        let overwriting = actions.filter { $0.action == .overwrite }.count
        var heading = "Files to create in \(destination): \(creating)"
        if overwriting > 0 { heading += ", to overwrite: \(overwriting)" }
        lines.append("")
        lines.append(heading)
        for (folder, count) in FolderCounts.count(actions.filter { $0.action != .skip }.map(\.path)) {
            lines.append("  " + folder.padding(toLength: max(folder.count, 24), withPad: " ", startingAt: 0) + "  " + String(count))
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    // MARK: - Ending without writing

    /// What `init` does when a prompt ends without an answer: a message and the exit status.
    static func exitRequest(for error: PromptError) -> ExitRequest {
        switch error {
        case .interrupted:
            Terminal.writeStderr("mlrepro: interrupted; nothing was written\n")
            return ExitRequest(.interrupted)
        case .endOfInput, .scriptExhausted:
            Diagnostics.standard.error(error.description)
            return ExitRequest(.differences)  // status 1: input ended
        }
    }
}

/// Files per folder for the summary: the top-level folder of each path ("." for top-level files).
enum FolderCounts {
    static func count(_ paths: [String]) -> [(folder: String, count: Int)] {
        var counts: [String: Int] = [:]
        for path in paths {
            let parts = path.split(separator: "/", omittingEmptySubsequences: true)
            let folder = parts.count > 1 ? String(parts[0]) + "/" : "./"
            counts[folder, default: 0] += 1
        }
        return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// Values as the summary shows them.
enum ValueText {
    static func display(_ value: Value) -> String {
        switch value {
        case .none: return "(none)"
        case .bool(let flag): return flag ? "yes" : "no"
        case .int(let number): return String(number)
        case .float(let number): return String(number)
        case .string(let text), .markup(let text): return text.isEmpty ? "(empty)" : text
        case .list(let items): return items.isEmpty ? "(none)" : items.map(display).joined(separator: ", ")
        case .dict(let mapping):
            return "{" + mapping.pairs.map { "\($0.key): \(display($0.value))" }.joined(separator: ", ") + "}"
        case .callable: return "(function)"
        case .undefined: return "(undefined)"
        }
    }
}

/// One line about the accelerators the probe saw, for the hint of questions whose default
/// comes from the probe record.
enum HardwareSummary {
    static func line(environmentJSON: String) -> String? {
        guard let data = environmentJSON.data(using: .utf8),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        let nvidia = root["nvidia"] as? [String: Any]
        if let gpus = nvidia?["gpus"] as? [[String: Any]], let name = gpus.first?["name"] as? String {
            var text = (gpus.count > 1 ? "\(gpus.count)× " : "") + "\(name) detected"
            if let driver = nvidia?["driver_version"] as? String { text += ", driver \(driver)" }
            if let cuda = nvidia?["cuda_driver_version"] as? String {
                text += " (CUDA \(cuda))"
            }
            return text
        }
        let amd = root["amd"] as? [String: Any]
        if let gpus = amd?["gpus"] as? [[String: Any]], !gpus.isEmpty {
            let name = gpus.first?["name"] as? String ?? gpus.first?["product"] as? String ?? "AMD GPU"
            var text = (gpus.count > 1 ? "\(gpus.count)× " : "") + "\(name) detected"
            if let rocm = amd?["rocm_version"] as? String { text += ", ROCm \(rocm)" }
            return text
        }
        let meta = root["meta"] as? [String: Any]
        let sources = meta?["sources"] as? [String: Any]
        let status = (sources?["nvidia"] as? [String: Any])?["status"] as? String
        if status == "skipped" { return "machine not probed (--no-probe)" }
        if status == "not_probed" { return nil }
        return "no GPU detected on this machine"
    }
}

extension InitWizard {
    /// A signal during a prompt ends the prompt (SIGINT) or puts the terminal back first (others),
    /// for every command that asks questions.
    static func interceptSignalsWhilePrompting() {
        InterruptionGuard.shared.intercept { signal in
            guard PromptSignals.isReadingKeys else { return false }
            if signal == SIGINT {
                PromptSignals.interruptPrompt()
                return true
            }
            PromptSignals.restoreTerminal()
            return false
        }
    }
}
