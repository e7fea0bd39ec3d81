/// `TERM=dumb`: every question is read as lines in the terminal's own mode, lists are numbered,
/// and nothing but plain text is written.
extension TerminalPrompter {
    func askByLines(_ question: PromptQuestion) throws(PromptError) -> PromptAnswer {
        let terminal = self.terminalIO
        var showIntroduction = true
        while true {
            if showIntroduction {
                terminal.write(LinePromptText.introduction(question))
                showIntroduction = false
            }
            terminal.write(LinePromptText.prompt(question))
            let isSecret = question.kind == .secret
            guard var typed = try terminal.readLine(echo: !isSecret) else {
                terminal.write("\n")
                throw .endOfInput
            }
            if case .structured = question.kind, !typed.trimmingWhitespace().isEmpty, typed.trimmingWhitespace() != "?" {
                var lines = [typed]
                while let next = try terminal.readLine(echo: true), !next.isEmpty {
                    lines.append(next)
                }
                typed = lines.joined(separator: "\n")
            }
            switch AnswerInterpreter.interpret(typed, for: question) {
            case .help:
                terminal.write(LinePromptText.help(question))
                showIntroduction = true
            case .invalid(let message):
                terminal.write("  error: \(message)\n")
            case .answer(let answer):
                if let problem = AnswerInterpreter.problem(with: answer, for: question) {
                    terminal.write("  error: \(problem)\n")
                } else {
                    return answer
                }
            }
        }
    }
}

/// The plain text of line-mode prompts. Pure, tested directly.
public enum LinePromptText {
    /// Hint and numbered choices, shown before the first prompt and after help.
    public static func introduction(_ question: PromptQuestion) -> String {
        var text = ""
        if let hint = question.hint?.trimmingWhitespace(), !hint.isEmpty { text += "  \(hint)\n" }
        let defaults: Set<Int> = {
            if case .choices(let indexes)? = question.defaultAnswer { return Set(indexes) }
            return []
        }()
        for (index, choice) in question.choices.enumerated() {
            let box = question.isMultiselect ? (defaults.contains(index) ? "[x] " : "[ ] ") : ""
            text += "  \(index + 1)) \(box)\(choice.label)\n"
        }
        return text
    }

    /// The prompt line, without a newline: label, what to type, and the default in brackets.
    public static func prompt(_ question: PromptQuestion) -> String {
        var text = question.label
        var notes: [String] = []
        switch question.kind {
        case .select(let choices):
            notes.append("1-\(choices.count)")
        case .multiselect:
            notes.append("numbers separated by commas, all or none")
        case .confirm:
            notes.append("y/n")
        case .structured(let format):
            notes.append("\(format.rawValue), end with an empty line")
        default:
            break
        }
        if question.trimmedHelp != nil { notes.append("? for help") }
        if !notes.isEmpty { text += " (" + notes.joined(separator: "; ") + ")" }
        if let shown = defaultText(question) { text += " [\(shown)]" }
        return text + ": "
    }

    public static func help(_ question: PromptQuestion) -> String {
        guard let help = question.trimmedHelp else { return "" }
        return help.split(separator: "\n", omittingEmptySubsequences: false).map { "  \($0)\n" }.joined()
    }

    private static func defaultText(_ question: PromptQuestion) -> String? {
        switch question.defaultAnswer {
        case .bool(let value)?: return value ? "Y" : "N"
        case .choice(let index)?: return String(index + 1)
        case .choices(let indexes)?:
            return indexes.isEmpty ? "none" : indexes.map { String($0 + 1) }.joined(separator: ",")
        case nil: return nil
        default: return question.defaultDisplay()
        }
    }
}
