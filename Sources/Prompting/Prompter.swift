/// Asks questions. The terminal implementation talks to a user; the scripted one replays
/// prepared input for tests.
public protocol Prompter: AnyObject {
    /// Asks until the answer is accepted by the question's checks.
    /// - Throws: `PromptError.interrupted` (Ctrl-C) or `PromptError.endOfInput` (Ctrl-D, EOF).
    func ask(_ question: PromptQuestion) throws(PromptError) -> PromptAnswer

    /// Shows informational text between questions (a heading, a summary). Lines end with "\n".
    func show(_ text: String, style: TextStyle)
}

extension Prompter {
    public func show(_ text: String) { show(text, style: .plain) }

    /// Asks a yes/no question and returns the answer.
    public func confirm(_ label: String, default value: Bool, help: String? = nil) throws(PromptError) -> Bool {
        let question = PromptQuestion(name: label, label: label, kind: .confirm, help: help, defaultAnswer: .bool(value))
        if case .bool(let answer) = try ask(question) { return answer }
        return value
    }
}

/// How informational text is emphasised (only where colour is allowed).
public enum TextStyle: Sendable {
    case plain, heading, dim, success, warning
}

/// Why a prompt ended without an answer.
public enum PromptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Ctrl-C (or SIGINT) at a prompt.
    case interrupted
    /// Ctrl-D at an empty prompt, or the input closed.
    case endOfInput
    /// A scripted prompter ran out of input (a test expected fewer questions).
    case scriptExhausted(question: String)

    /// The process exit status the command line uses: 130 after Ctrl-C, 1 otherwise.
    public var exitStatus: Int32 {
        switch self {
        case .interrupted: return 130
        case .endOfInput, .scriptExhausted: return 1
        }
    }

    public var description: String {
        switch self {
        case .interrupted:
            return "interrupted; nothing was written"
        case .endOfInput:
            return "input ended before every question was answered; nothing was written "
                + "(pass --answers FILE or --defaults to run without prompts)"
        case .scriptExhausted(let question):
            return "no scripted input left for question '\(question)'"
        }
    }
}
