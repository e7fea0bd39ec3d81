import Foundation
import TemplateEngine

/// A question about to be asked interactively, its templated fields rendered against the answers
/// given so far and the rendering context (`env`, `_mlrepro`, ...).
public struct PendingQuestion: Sendable {
    public var question: Question
    /// The default, rendered and cast to the question's type (the answers file's value with
    /// `--ask`); nil when the question has none.
    public var defaultValue: Value?
    /// The allowed values with their labels, rendered; nil when the question has no choices.
    public var choices: [Choice]?
    /// The help text, rendered.
    public var help: String?
    /// True when the default is computed from the probe record (`env`).
    public var defaultUsesEnvironment: Bool

    let resolver: AnswerResolver
    let scope: OrderedMapping

    public struct Choice: Sendable, Equatable {
        public var label: String
        public var value: Value
    }

    /// Casts typed text to the question's type (`yaml`/`json` text is parsed).
    /// - Throws: `AnswerProblem` with the message to show.
    public func value(fromText text: String) throws -> Value {
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
    public func problem(with value: Value) -> String? {
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
    public func text(of value: Value) -> String {
        switch value {
        case .list, .dict: return JSONText.encode(value)
        case .none: return ""
        default: return AnswerCast.text(value)
        }
    }
}

/// A typed answer that does not fit the question.
public struct AnswerProblem: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}

extension AnswerResolver {
    /// Resolves every question in manifest order like `resolve(_:)`, but asks through `ask` each
    /// question that is asked (`when` true) and not answered by `--data`, nor by the answers file
    /// unless `reask` (then the file's value is the default). Unasked questions take their defaults.
    public func resolve(
        _ inputs: AnswerInputs, reask: Bool, ask: (PendingQuestion) throws -> Value
    ) throws -> ResolvedAnswers {
        let (data, extra) = try sortInputs(inputs)
        var answers = ResolvedAnswers()
        var answerScope = AnswerScope(base: context.base, namespace: manifest.answersNamespace)
        for (key, value) in extra.pairs {
            answers.all[key] = value
            answerScope.publish(key, value)
            answers.unasked.append(key)
        }
        for question in manifest.questions {
            let scope = try answerScope.current(self)
            let asked = try isAsked(question, scope: scope)
            let entry = inputs.file?.entry(question.name)
            let fromFile = try entry.map { entry in
                try castProvided(question, location: entry.location) { try castValue(entry.value, question) }
            }
            var value: Value
            var location: SourceLocation?
            if let text = data[question.name] {
                value = try castData(text, question)
            } else if fromFile == nil, try !isPrompted(question, scope: scope) {
                // copier's `ask: false`: the default answers it; without one it stays unanswered.
                if question.defaultValue == nil { continue }
                value = try defaultValue(question, scope: scope)
            } else if asked && (fromFile == nil || reask) {
                value = try ask(pending(question, scope: scope, default: fromFile))
            } else if let fromFile, let entry {
                value = fromFile
                location = entry.location
            } else {
                value = try defaultValue(question, scope: scope)
            }
            value = try keyedAnswer(value, question, scope: scope)
            if asked {
                try check(value, question, scope: scope, location: location)
            }
            answers.all[question.name] = value
            answerScope.publish(question.name, value)
            if asked && !question.secret { answers.recorded[question.name] = value }
        }
        answers.warnings = answerScope.warnings
        return answers
    }

    private func pending(_ question: Question, scope: OrderedMapping, default given: Value?) throws -> PendingQuestion {
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
