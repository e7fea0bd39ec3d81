import Foundation

/// What one typed line means for a question.
public enum Interpretation: Sendable, Equatable {
    case answer(PromptAnswer)
    /// The user asked for the question's help (`?`).
    case help
    /// The line cannot be an answer; the message says what to type instead.
    case invalid(String)
}

/// Turns typed text into a typed answer, the same way for every prompter, so the terminal and
/// scripted prompters accept exactly the same input.
///
/// - An empty line takes the default.
/// - `?` alone asks for help (when the question has help).
/// - Select: a choice number (1-based) or a choice label.
/// - Multiselect: numbers or labels separated by commas or spaces, `all`, or `none`.
public enum AnswerInterpreter {
    public static func interpret(_ line: String, for question: PromptQuestion) -> Interpretation {
        let typed = line.trimmingWhitespace()
        if typed == "?", question.trimmedHelp != nil {
            return .help
        }
        if typed.isEmpty, let fallback = question.defaultAnswer {
            return .answer(fallback)
        }
        switch question.kind {
        case .text:
            return .answer(.text(typed))
        case .secret:
            return .answer(.text(line))
        case .integer:
            if let value = Int(typed) { return .answer(.integer(value)) }
            return .invalid(typed.isEmpty ? "type a whole number" : "'\(typed)' is not a whole number; type digits, e.g. 42")
        case .float:
            if let value = Double(typed), value.isFinite { return .answer(.float(value)) }
            return .invalid(typed.isEmpty ? "type a number" : "'\(typed)' is not a number; type e.g. 0.001 or 3e-4")
        case .confirm:
            switch typed.lowercased() {
            case "y", "yes", "true", "on", "1": return .answer(.bool(true))
            case "n", "no", "false", "off", "0": return .answer(.bool(false))
            default: return .invalid("answer y or n")
            }
        case .select(let choices):
            if let index = choiceIndex(typed, in: choices) { return .answer(.choice(index)) }
            return .invalid(typed.isEmpty
                ? "type a number from 1 to \(choices.count)"
                : "'\(typed)' is not one of the choices; type a number from 1 to \(choices.count)")
        case .multiselect(let choices):
            return interpretMany(typed, choices: choices)
        case .structured:
            return .answer(.text(line))
        }
    }

    /// Checks a complete answer: structural checks of this module first, then the question's validator.
    /// Returns the message to show, or nil when the answer is accepted.
    public static func problem(with answer: PromptAnswer, for question: PromptQuestion) -> String? {
        if case .structured(.json) = question.kind, case .text(let text) = answer, !text.isEmpty,
           let message = jsonProblem(text) {
            return message
        }
        return question.validate(answer)
    }

    static func choiceIndex(_ typed: String, in choices: [Choice]) -> Int? {
        if let number = Int(typed), number >= 1, number <= choices.count { return number - 1 }
        if let exact = choices.firstIndex(where: { $0.label == typed }) { return exact }
        let folded = typed.lowercased()
        let matches = choices.indices.filter { choices[$0].label.lowercased() == folded }
        return matches.count == 1 ? matches[0] : nil
    }

    private static func interpretMany(_ typed: String, choices: [Choice]) -> Interpretation {
        switch typed.lowercased() {
        case "": return .answer(.choices([]))
        case "none", "-": return .answer(.choices([]))
        case "all", "*": return .answer(.choices(Array(choices.indices)))
        default: break
        }
        var picked: [Int] = []
        let separators: Set<Character> = [",", " ", "\t"]
        for part in typed.split(whereSeparator: { separators.contains($0) }) {
            let item = String(part)
            guard let index = choiceIndex(item, in: choices) else {
                return .invalid("'\(item)' is not one of the choices; type numbers from 1 to \(choices.count) separated by commas")
            }
            if !picked.contains(index) { picked.append(index) }
        }
        return .answer(.choices(picked.sorted()))
    }

    static func jsonProblem(_ text: String) -> String? {
        guard let data = text.data(using: .utf8) else { return "the text is not valid UTF-8" }
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            return "not valid JSON: check quotes, commas and brackets"
        }
    }
}
