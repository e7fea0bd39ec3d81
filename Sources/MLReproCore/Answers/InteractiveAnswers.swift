import Foundation
import TemplateEngine

/// A question about to be asked interactively, its templated fields rendered against the answers
/// given so far and the rendering context (`env`, `_mlrepro`, ...).
package struct PendingQuestion: Sendable {
    package var question: Question
    /// The default, rendered and cast to the question's type (the answers file's value with
    /// `--ask`); nil when the question has none.
    package var defaultValue: Value?
    /// The allowed values with their labels, rendered; nil when the question has no choices.
    package var choices: [Choice]?
    /// The help text, rendered.
    package var help: String?
    /// True when the default is computed from the probe record (`env`).
    package var defaultUsesEnvironment: Bool

    let resolver: AnswerResolver
    let scope: OrderedMapping

    package struct Choice: Sendable, Equatable {
        package var label: String
        package var value: Value
    }

    /// Casts typed text to the question's type (`yaml`/`json` text is parsed).
    /// - Throws: `AnswerProblem` with the message to show.
    package func value(fromText text: String) throws -> Value {
        do {
            let value = try AnswerCast.cast(text: text, to: question.type, origin: question.name)
            return try resolver.castValue(value, question)
        } catch let failure as CastFailure {
            throw AnswerProblem(message: failure.message)
        } catch let error as YAMLValueError {
            throw AnswerProblem(message: error.message)
        }
    }

    /// Why `value` is not acceptable (a choice it is not, or the validator's message); nil when it is.
    package func problem(with value: Value) -> String? {
        do {
            try resolver.check(value, question, scope: scope, location: nil)
            return nil
        } catch GenerationError.invalidAnswer(_, _, let message) {
            return message
        } catch {
            return String(describing: error)
        }
    }

    /// The value as text a user types (YAML/JSON for containers).
    package func text(of value: Value) -> String {
        switch value {
        case .list, .dict: return JSONText.encode(value)
        case .none: return ""
        default: return AnswerCast.text(value)
        }
    }
}

/// A typed answer that does not fit the question.
package struct AnswerProblem: Error, Sendable, CustomStringConvertible {
    package var message: String
    package var description: String { message }
    package init(message: String) { self.message = message }
}

extension AnswerResolver {
    func pending(_ question: Question, scope: OrderedMapping, default given: Value?) throws -> PendingQuestion {
        var fallback = given
        if fallback == nil {
            do {
                fallback = try defaultValue(question, scope: scope)
            } catch GenerationError.missingAnswer {
                fallback = nil
            }
        }
        let choices = try choiceValues(question, scope: scope)?.filter(\.disabled.isEmpty)
            .map { PendingQuestion.Choice(label: $0.label, value: $0.value) }
        let help = try question.help.map { try render($0, question, "help", scope) }
        var usesEnvironment = false
        if given == nil, case .string(let text)? = question.defaultValue {
            // The machine's hardware, not just the record's metadata (a date from `env.meta` is no
            // reason to show what the probe found).
            let withoutMeta = text.replacingOccurrences(of: "env.meta", with: "")
            usesEnvironment = ["env.", "env[", "env |", "env }", "env)"].contains { withoutMeta.contains($0) }
        }
        return PendingQuestion(question: question, defaultValue: fallback, choices: choices, help: help,
                               defaultUsesEnvironment: usesEnvironment, resolver: self, scope: scope)
    }
}
