/// One prepared response for `ScriptedPrompter`.
public enum ScriptedInput: Sendable, Equatable, ExpressibleByStringLiteral {
    /// A line typed and Enter pressed. "" is Enter alone (the default); "?" asks for help.
    case line(String)
    /// Several lines for a yaml/json question; the closing empty line is implied.
    case lines([String])
    /// Ctrl-C.
    case interrupt
    /// Ctrl-D.
    case endOfInput

    public init(stringLiteral value: String) { self = .line(value) }
}

/// What a question looked like when it was asked (for assertions on order, defaults, hints).
public struct AskedQuestion: Sendable, Equatable {
    public var name: String
    public var label: String
    public var kind: PromptQuestion.Kind
    public var help: String?
    public var hint: String?
    public var defaultAnswer: PromptAnswer?
}

/// Everything that happened during a scripted session, in order.
public enum TranscriptEntry: Sendable, Equatable {
    case asked(AskedQuestion)
    case help(question: String, text: String)
    case error(question: String, message: String)
    case answered(question: String, answer: PromptAnswer, shown: String)
    case shown(String)
}

/// Replays prepared input through the same interpretation and checks as the terminal prompter,
/// and records a transcript. For tests of anything that asks questions.
public final class ScriptedPrompter: Prompter {
    public private(set) var remaining: [ScriptedInput]
    public private(set) var transcript: [TranscriptEntry] = []

    public init(_ inputs: [ScriptedInput]) {
        remaining = inputs
    }

    /// The questions asked, in order.
    public var asked: [AskedQuestion] {
        transcript.compactMap { if case .asked(let question) = $0 { return question }; return nil }
    }

    /// The inline error messages shown, in order.
    public var errors: [String] {
        transcript.compactMap { if case .error(_, let message) = $0 { return message }; return nil }
    }

    public func ask(_ question: PromptQuestion) throws(PromptError) -> PromptAnswer {
        transcript.append(.asked(AskedQuestion(
            name: question.name, label: question.label, kind: question.kind,
            help: question.help, hint: question.hint, defaultAnswer: question.defaultAnswer)))
        while true {
            guard !remaining.isEmpty else { throw .scriptExhausted(question: question.name) }
            let input = remaining.removeFirst()
            let typed: String
            switch input {
            case .interrupt: throw .interrupted
            case .endOfInput: throw .endOfInput
            case .line(let line): typed = line
            case .lines(let lines): typed = lines.joined(separator: "\n")
            }
            switch AnswerInterpreter.interpret(typed, for: question) {
            case .help:
                transcript.append(.help(question: question.name, text: question.trimmedHelp ?? ""))
            case .invalid(let message):
                transcript.append(.error(question: question.name, message: message))
            case .answer(let answer):
                if let problem = AnswerInterpreter.problem(with: answer, for: question) {
                    transcript.append(.error(question: question.name, message: problem))
                    continue
                }
                transcript.append(.answered(question: question.name, answer: answer, shown: question.display(answer)))
                return answer
            }
        }
    }

    public func show(_ text: String, style: TextStyle) {
        transcript.append(.shown(text))
    }
}
