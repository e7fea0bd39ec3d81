/// One question as the wizard asks it: what is shown, what kind of answer it takes, and how an
/// answer is checked. Built by the caller (the manifest is not known here).
public struct PromptQuestion: Sendable {
    /// The kind of answer a question takes.
    public enum Kind: Sendable, Equatable {
        /// Free text; Enter on an empty line accepts the default.
        case text
        /// A whole number.
        case integer
        /// A number with an optional fraction.
        case float
        /// Yes or no.
        case confirm
        /// Exactly one of the choices (arrow keys, j/k or its number).
        case select([Choice])
        /// Any number of the choices (space toggles, `a` all, `i` invert).
        case multiselect([Choice])
        /// Text that is never echoed nor shown again.
        case secret
        /// Several lines of YAML or JSON, ended by an empty line.
        case structured(StructuredFormat)
    }

    /// The language of a multi-line answer.
    public enum StructuredFormat: String, Sendable, Equatable {
        case yaml, json
    }

    /// Identifies the question (the manifest key); not shown.
    public var name: String
    /// The prompt text.
    public var label: String
    public var kind: Kind
    /// Longer explanation, shown when the user types `?`.
    public var help: String?
    /// One dim line shown above the prompt (for example what the probe detected).
    public var hint: String?
    /// What Enter on an empty input gives. For `select` a `.choice`, for `multiselect` `.choices`.
    public var defaultAnswer: PromptAnswer?
    /// Returns a message when the answer is not acceptable; the question is then asked again
    /// with the message shown inline.
    public var validate: @Sendable (PromptAnswer) -> String?

    public init(
        name: String,
        label: String? = nil,
        kind: Kind,
        help: String? = nil,
        hint: String? = nil,
        defaultAnswer: PromptAnswer? = nil,
        validate: @escaping @Sendable (PromptAnswer) -> String? = { _ in nil }
    ) {
        self.name = name
        self.label = label ?? name
        self.kind = kind
        self.help = help
        self.hint = hint
        self.defaultAnswer = defaultAnswer
        self.validate = validate
    }

    /// The choices of a select or multiselect question; empty otherwise.
    public var choices: [Choice] {
        switch kind {
        case .select(let choices), .multiselect(let choices): return choices
        default: return []
        }
    }

    var isMultiselect: Bool {
        if case .multiselect = kind { return true }
        return false
    }

    /// The help text with surrounding blank space removed, or nil when there is none.
    var trimmedHelp: String? {
        guard let help else { return nil }
        let trimmed = help.trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// One entry of a select or multiselect list.
public struct Choice: Sendable, Equatable {
    public var label: String
    public init(_ label: String) { self.label = label }
}

/// A typed answer. Select answers are indexes into the question's choices.
public enum PromptAnswer: Sendable, Equatable {
    case text(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    case choice(Int)
    case choices([Int])
}

extension PromptQuestion {
    /// The answer as the user reads it back (summary, collapsed prompt). Secrets stay hidden.
    public func display(_ answer: PromptAnswer) -> String {
        if case .secret = kind {
            if case .text(let value) = answer, value.isEmpty { return "(empty)" }
            return "(hidden)"
        }
        switch answer {
        case .text(let value):
            if case .structured = kind {
                let lines = value.split(separator: "\n", omittingEmptySubsequences: true)
                guard let first = lines.first else { return "(empty)" }
                return lines.count > 1 ? "\(first) … (\(lines.count) lines)" : String(first)
            }
            return value
        case .integer(let value): return String(value)
        case .float(let value): return String(value)
        case .bool(let value): return value ? "yes" : "no"
        case .choice(let index):
            return choices.indices.contains(index) ? choices[index].label : "?"
        case .choices(let indexes):
            let labels = indexes.compactMap { choices.indices.contains($0) ? choices[$0].label : nil }
            return labels.isEmpty ? "(none)" : labels.joined(separator: ", ")
        }
    }

    /// The default as shown in brackets after the label, or nil when there is none to show.
    func defaultDisplay() -> String? {
        guard let defaultAnswer else { return nil }
        switch kind {
        case .confirm:
            return nil
        case .secret:
            if case .text(let value) = defaultAnswer, value.isEmpty { return nil }
            return "hidden default"
        case .select:
            return nil
        case .multiselect:
            return nil
        default:
            let shown = display(defaultAnswer)
            return shown.isEmpty ? nil : shown
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
