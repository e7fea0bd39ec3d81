import TemplateEngine

/// The type a question's answer is cast to.
package enum QuestionType: String, Sendable, CaseIterable {
    case str, int, float, bool, yaml, json
}

/// One question of a template manifest (copier field names and semantics).
package struct Question: Sendable {
    package var name: String
    package var type: QuestionType
    /// Raw `default`: a string may be templated; nil when the manifest gives none.
    package var defaultValue: Value?
    /// The default is used as written, never rendered (cookiecutter's `_name` variables).
    package var rawDefault = false
    /// Raw `choices`: a list, a label->value mapping, or a templated YAML string.
    package var choices: Value?
    package var multiselect = false
    /// `multiline: true`: a `str` answer may hold newlines and tabs (asked as several lines).
    package var multiline = false
    package var help: String?
    /// Raw `when`: a bool or a templated string; nil means always asked.
    package var when: Value?
    /// Raw `ask` (copier's): a bool or a templated string; false: the question is not put to the
    /// user, its default (if it has one) is the answer; nil means prompted.
    package var ask: Value?
    package var validator: String?
    package var secret = false
    package var placeholder: String?
    package var location: SourceLocation
    /// A mapping or list default whose strings (keys and values, at any depth) are rendered, as
    /// cookiecutter renders a dict variable.
    package var rendersNestedDefault = false
    /// cookiecutter-data-science's choice with sub-items (`[{"none": "none"}, {"s3": {"bucket": ...}}]`):
    /// each key is a choice, and the answer is `{key: its sub-items rendered}`; an answer may
    /// give just the key, or `{key: {...}}` overriding sub-items.
    package var keyedChoices: OrderedMapping?

    /// Never put to anyone, whatever the other answers: `when` or `ask` is a constant false
    /// (`when: false`, `ask: 0`), so its default decides it (a computed answer).
    package var isNeverAsked: Bool {
        [when, ask].contains { flag in
            guard let flag else { return false }
            if case .string = flag { return false }
            return !AnswerCast.truthy(flag)
        }
    }
}
