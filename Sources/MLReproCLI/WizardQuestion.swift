import MLReproCore
import Prompting
import TemplateEngine

/// A manifest question turned into a prompt, and the prompt's answer turned back into a value of
/// the question's type. Enter on the default gives the default value itself, so a session that
/// accepts every default produces exactly what `--defaults` produces.
struct WizardQuestion: Sendable {
    let pending: PendingQuestion
    let prompt: PromptQuestion

    init(_ pending: PendingQuestion, hardware: String?) {
        self.pending = pending
        let question = pending.question
        let kind = WizardQuestion.kind(pending)
        let defaultAnswer = WizardQuestion.answer(for: pending.defaultValue, kind: kind, pending)
        var hintParts: [String] = []
        if pending.defaultUsesEnvironment, let hardware { hintParts.append(hardware) }
        if let help = pending.help?.split(separator: "\n").first.map(String.init), !help.isEmpty {
            hintParts.append(help)
        } else if let placeholder = question.placeholder, !placeholder.isEmpty {
            hintParts.append(placeholder)
        }
        var help = pending.help ?? ""
        if pending.defaultUsesEnvironment, let hardware {
            help += (help.isEmpty ? "" : "\n") + "The default comes from this machine's probe record: \(hardware)."
        }
        // `?` tells more than the one-line hint already shown: what is expected, and what Enter gives.
        var details = ["Expected: \(WizardQuestion.expectation(pending, kind: kind))."]
        if let value = pending.defaultValue, !question.secret {
            var text = pending.text(of: value)
            if case .bool(let flag) = value { text = flag ? "yes" : "no" }
            details.append(text.isEmpty ? "Enter keeps the default: empty." : "Enter keeps the default: \(text).")
        }
        details.append("Recorded in .mlrepro/answers.yml as '\(question.name)'\(question.secret ? " (not recorded: secret)" : "").")
        help += (help.isEmpty ? "" : "\n") + details.joined(separator: "\n")
        let decode = WizardQuestion.decoder(pending, kind: kind, defaultAnswer: defaultAnswer)
        prompt = PromptQuestion(
            name: question.name, label: question.name, kind: kind,
            help: help.isEmpty ? nil : TerminalText.visible(help),
            hint: hintParts.isEmpty ? nil : TerminalText.visible(hintParts.joined(separator: " · "), keepingNewlines: false),
            defaultAnswer: defaultAnswer,
            validate: { answer in
                do {
                    return pending.problem(with: try decode(answer))
                } catch {
                    return String(describing: error)
                }
            })
    }

    /// The value for a prompt answer.
    func value(from answer: PromptAnswer) throws -> Value {
        try WizardQuestion.decoder(pending, kind: prompt.kind, defaultAnswer: prompt.defaultAnswer)(answer)
    }

    // MARK: - Mapping

    /// What an answer must look like, in words.
    static func expectation(_ pending: PendingQuestion, kind: PromptQuestion.Kind) -> String {
        switch kind {
        case .select(let choices): return "one of \(choices.count) choices (arrow keys, Enter)"
        case .multiselect: return "any of the choices (space toggles, Enter accepts)"
        case .confirm: return "yes or no"
        case .integer: return "a whole number"
        case .float: return "a number"
        case .structured(.yaml): return "YAML (a value, list or mapping)"
        case .structured(.json): return "JSON"
        case .secret: return "text, not shown while typed"
        case .text: return pending.question.multiline ? "text, several lines allowed" : "one line of text"
        }
    }

    private static func kind(_ pending: PendingQuestion) -> PromptQuestion.Kind {
        let question = pending.question
        if let choices = pending.choices {
            let labels = choices.map { Prompting.Choice($0.label) }
            return question.multiselect ? .multiselect(labels) : .select(labels)
        }
        switch question.type {
        case .bool: return .confirm
        case .int: return .integer
        case .float: return .float
        case .yaml: return .structured(.yaml)
        case .json: return .structured(.json)
        case .str: return question.secret ? .secret : .text
        }
    }

    private static func answer(for value: Value?, kind: PromptQuestion.Kind, _ pending: PendingQuestion) -> PromptAnswer? {
        guard let value else { return nil }
        switch kind {
        case .select:
            return pending.choices?.firstIndex { $0.value == value }.map(PromptAnswer.choice)
        case .multiselect:
            guard case .list(let items) = value, let choices = pending.choices else { return .choices([]) }
            return .choices(choices.indices.filter { items.contains(choices[$0].value) })
        case .confirm:
            if case .bool(let flag) = value { return .bool(flag) }
            return nil
        case .integer:
            if case .int(let number) = value { return .integer(number) }
            return nil
        case .float:
            if case .float(let number) = value { return .float(number) }
            if case .int(let number) = value { return .float(Double(number)) }
            return nil
        case .text, .secret, .structured:
            if case .none = value, case .structured = kind { return nil }
            return .text(pending.text(of: value))
        }
    }

    private static func decoder(
        _ pending: PendingQuestion, kind: PromptQuestion.Kind, defaultAnswer: PromptAnswer?
    ) -> @Sendable (PromptAnswer) throws -> Value {
        { answer in
            if let defaultAnswer, answer == defaultAnswer, let value = pending.defaultValue { return value }
            switch answer {
            case .choice(let index):
                guard let choices = pending.choices, choices.indices.contains(index) else {
                    throw AnswerProblem(message: "not one of the choices")
                }
                return choices[index].value
            case .choices(let indexes):
                let choices = pending.choices ?? []
                return .list(indexes.filter { choices.indices.contains($0) }.map { choices[$0].value })
            case .bool(let flag): return .bool(flag)
            case .integer(let number): return .int(number)
            case .float(let number): return .float(number)
            case .text(let text):
                if case .structured = kind { return try pending.value(fromText: text) }
                return .string(text)
            }
        }
    }
}
