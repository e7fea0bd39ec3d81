import Foundation
import TemplateEngine

/// Resolves every question in manifest order: provided answer or rendered default, cast to the
/// question's type, checked against choices and validator.
package struct AnswerResolver: Sendable {
    package var manifest: TemplateManifest
    package var environment: TemplateEnvironment
    package var context: RenderingContext
    /// `--trust`: `_external_data` may read files outside DEST.
    package var trust = false
    /// Context hooks of the template's Python extensions: they see (and may add to) what each
    /// question's templates are rendered with, as copier runs them for every render.
    package var contextHook: (@Sendable (OrderedMapping) throws -> OrderedMapping)?

    package init(manifest: TemplateManifest, environment: TemplateEnvironment, context: RenderingContext) {
        self.manifest = manifest
        self.environment = environment
        self.context = context
    }

    package func resolve(_ inputs: AnswerInputs) throws -> ResolvedAnswers {
        try resolve(inputs, reask: false, asking: nil)
    }

    /// Resolves every question in manifest order like `resolve(_:)`, but asks through `ask` each
    /// question that is asked (`when` true) and not answered by `--data`, nor by the answers file
    /// unless `reask` (then the file's value is the default). Unasked questions take their defaults.
    package func resolve(
        _ inputs: AnswerInputs, reask: Bool, ask: (PendingQuestion) throws -> Value
    ) throws -> ResolvedAnswers {
        try withoutActuallyEscaping(ask) { ask in try resolve(inputs, reask: reask, asking: ask) }
    }

    /// The one resolution loop. Without `asking`, an asked question nobody answered takes its
    /// default (with `useDefaults` or an answers file) or is missing; the answers as given are kept
    /// (`given`), a multiselect answer is put in its choices' order, and a copier manifest records
    /// given answers first. With `asking`, such a question (or, with `reask`, one the file
    /// answers) is asked; the file's value is then cast even where `--data` overrides it.
    private func resolve(_ inputs: AnswerInputs, reask: Bool,
                         asking ask: ((PendingQuestion) throws -> Value)?) throws -> ResolvedAnswers {
        let (data, extra) = try sortInputs(inputs)
        let useDefaults = inputs.useDefaults || inputs.file != nil
        var answers = ResolvedAnswers()
        if ask == nil {
            for entry in inputs.file?.entries ?? [] where !entry.key.hasPrefix("_") { answers.given[entry.key] = entry.value }
            for (key, value) in inputs.data { answers.given[key] = .string(value) }
        }
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
            var fromFile: Value?
            if let entry, ask != nil || data[question.name] == nil {
                fromFile = try castProvided(question, location: entry.location) { try castValue(entry.value, question) }
            }
            let prompted = try isPrompted(question, scope: scope)
            var value: Value
            var location: SourceLocation?
            var defaulted = false
            if let text = data[question.name] {
                value = try castData(text, question)
            } else if fromFile == nil, !prompted {
                // copier's `ask: false`: the default answers it; without one it stays unanswered.
                if question.defaultValue == nil { continue }
                value = try defaultValue(question, scope: scope)
                defaulted = true
            } else if let ask, asked && (fromFile == nil || reask) {
                value = try ask(pending(question, scope: scope, default: fromFile))
            } else if let fromFile, let entry {
                location = entry.location
                value = fromFile
            } else if !asked, question.defaultValue == nil, manifest.skipsHiddenQuestionsWithoutDefault {
                continue
            } else if !asked || useDefaults || ask != nil {
                value = try defaultValue(question, scope: scope)
                defaulted = true
            } else {
                throw GenerationError.missingAnswer(key: question.name)
            }
            value = try keyedAnswer(value, question, scope: scope)
            if asked {
                do {
                    try check(value, question, scope: scope, location: location)
                } catch GenerationError.invalidAnswer(let key, let where_, let message) where defaulted {
                    // Nobody typed this value: say where it came from and how to give another.
                    let shown = question.secret ? "(hidden)" : AnswerCast.text(value)
                    throw GenerationError.invalidAnswer(
                        key: key, location: where_,
                        message: "\(message) (nobody gave '\(key)': its default '\(shown)' comes from the earlier answers or the "
                            + "destination folder's name; give it with --data \(key)=VALUE, or choose another DEST)")
                }
            }
            if ask == nil { value = try inChoiceOrder(value, question, scope: scope) }
            answers.all[question.name] = value
            answerScope.publish(question.name, value)
            if asked && !question.secret { answers.recorded[question.name] = value }
        }
        answers.warnings = answerScope.warnings
        if ask == nil && manifest.recordsGivenAnswersFirst {
            answers.recorded = Self.givenFirst(answers.recorded, inputs)
        }
        return answers
    }

    /// What questions' templates see while answers come in: the rendering context, the answers so
    /// far (also as `cookiecutter.name` for cookiecutter templates) and `_external_data`.
    struct AnswerScope {
        private var scope: OrderedMapping
        private let namespace: String?
        private var namespaced = OrderedMapping()
        private var external = ExternalData()

        init(base: OrderedMapping, namespace: String?) {
            scope = base
            self.namespace = namespace
            if let namespace { scope[namespace] = .dict(namespaced) }
        }

        mutating func publish(_ key: String, _ value: Value) {
            scope[key] = value
            guard let namespace else { return }
            namespaced[key] = value
            scope[namespace] = .dict(namespaced)
        }

        /// The scope for the next question (`_external_data` read with the answers so far).
        mutating func current(_ resolver: AnswerResolver) throws -> OrderedMapping {
            if resolver.manifest.externalData.count > 0 {
                scope["_external_data"] = try resolver.externalData(scope: scope, loaded: &external)
            }
            return try resolver.contextHook?(scope) ?? scope
        }

        var warnings: [String] { external.missing.map { "_external_data: \($0) does not exist; it reads as an empty mapping" } }
    }

    /// The files `_external_data` names, read once each.
    package struct ExternalData: Sendable {
        var files: [String: Value] = [:]
        var missing: [String] = []
        package init() {}
    }

    /// `_external_data` as the templates see it: each name's path rendered with `scope`, read
    /// as YAML from DEST (an absent file is an empty mapping, as in copier). A path that leaves
    /// DEST is refused unless `trust`.
    package func externalData(scope: OrderedMapping, loaded: inout ExternalData) throws -> Value {
        var result = OrderedMapping()
        let root = (context.destination as NSString).standardizingPath
        for (name, template) in manifest.externalData.pairs {
            guard case .string(let text) = template else { continue }
            let location = SourceLocation(file: manifest.fileName, line: 1, column: 1)
            let relative: String
            do {
                relative = try environment.render(text, name: "_external_data.\(name)", context: scope)
            } catch let error as TemplateError {
                throw GenerationError.questionTemplate(question: "_external_data", field: name, location: location, message: error.message)
            }
            let joined = relative.hasPrefix("/") ? relative : root + "/" + relative
            let resolved = ((joined as NSString).resolvingSymlinksInPath as NSString).standardizingPath
            let realRoot = ((root as NSString).resolvingSymlinksInPath as NSString).standardizingPath
            if !trust && resolved != realRoot && !resolved.hasPrefix(realRoot + "/") {
                throw GenerationError.externalDataOutside(name: name, path: relative, location: location)
            }
            if let cached = loaded.files[resolved] {
                result[name] = cached
                continue
            }
            var value: Value = .dict(OrderedMapping())
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), !isDirectory.boolValue {
                let reader = YAMLValueReader(file: joined)
                value = try reader.parseFile(at: resolved).map { try reader.value($0) } ?? .none
            } else if !loaded.missing.contains(relative) {
                loaded.missing.append(relative)
            }
            loaded.files[resolved] = value
            result[name] = value
        }
        return .dict(result)
    }

    // MARK: - Pieces

    /// `--data` by question, and the answers no question asks: kept for a format that keeps them
    /// (copier, cookiecutter), an error otherwise.
    func sortInputs(_ inputs: AnswerInputs) throws -> (data: [String: String], extra: OrderedMapping) {
        let known = Set(manifest.questions.map(\.name))
        var data: [String: String] = [:]
        var extra = OrderedMapping()
        for entry in inputs.file?.entries ?? [] where !known.contains(entry.key) && !entry.key.hasPrefix("_") {
            guard manifest.keepsUnknownAnswers else {
                throw GenerationError.unknownAnswer(key: entry.key, location: entry.location, suggestion: NearestName.suggestion(for: entry.key, among: manifest.questions.map(\.name)))
            }
            extra[entry.key] = entry.value
        }
        for (key, value) in inputs.data {
            if !known.contains(key) && !key.hasPrefix("_") {
                guard manifest.keepsUnknownAnswers else {
                    throw GenerationError.unknownAnswer(key: key, location: nil, suggestion: NearestName.suggestion(for: key, among: manifest.questions.map(\.name)))
                }
                extra[key] = try AnswerCast.cast(text: value, to: .yaml, origin: "--data \(key)")
            }
            data[key] = value
        }
        return (data, extra)
    }

    /// A `--data` value cast to the question's type. A multiselect value is YAML
    /// (`[local, slurm]`); one plain value selects just that choice.
    func castData(_ text: String, _ question: Question) throws -> Value {
        try castProvided(question, location: nil) {
            guard question.multiselect else {
                return try AnswerCast.cast(text: text, to: question.type, origin: "--data \(question.name)")
            }
            let parsed = try AnswerCast.cast(text: text, to: .yaml, origin: "--data \(question.name)")
            if case .list = parsed { return try castValue(parsed, question) }
            return try castValue(.list([parsed]), question)
        }
    }

    /// copier's `ask`: whether the question is put to the user (false: its default answers it).
    func isPrompted(_ question: Question, scope: OrderedMapping) throws -> Bool {
        guard let ask = question.ask else { return true }
        if case .string(let text) = ask {
            return AnswerCast.truthy(.string(try render(text, question, "ask", scope)))
        }
        return AnswerCast.truthy(ask)
    }

    func isAsked(_ question: Question, scope: OrderedMapping) throws -> Bool {
        guard let when = question.when else { return true }
        if case .string(let text) = when {
            return AnswerCast.truthy(.string(try render(text, question, "when", scope)))
        }
        return AnswerCast.truthy(when)
    }

    func castProvided(_ question: Question, location: SourceLocation?, _ cast: () throws -> Value) throws -> Value {
        do {
            return try cast()
        } catch let failure as CastFailure {
            throw GenerationError.invalidAnswer(key: question.name, location: location, message: failure.message)
        } catch let error as YAMLValueError {
            throw GenerationError.invalidAnswer(key: question.name, location: location, message: error.description)
        }
    }

    func castValue(_ value: Value, _ question: Question) throws -> Value {
        if question.multiselect {
            guard case .list(let items) = value else {
                throw CastFailure(message: "expected a list (multiselect), got \(AnswerCast.describe(value))")
            }
            return .list(try items.map { try AnswerCast.cast(value: $0, to: question.type) })
        }
        return try AnswerCast.cast(value: value, to: question.type)
    }

    func defaultValue(_ question: Question, scope: OrderedMapping) throws -> Value {
        guard var raw = question.defaultValue else {
            if question.multiselect { return .list([]) }
            if question.type == .bool { return .bool(false) }
            throw GenerationError.missingAnswer(key: question.name)
        }
        if let keyed = question.keyedChoices, let first = keyed.pairs.first {
            return try keyedAnswer(.string(first.key), question, scope: scope)
        }
        if case .string(let text) = raw, !question.rawDefault, isTemplated(text) {
            raw = .string(try render(text, question, "default", scope))
        }
        if question.rendersNestedDefault {
            raw = try renderNested(raw, question, scope: scope)
        }
        if question.multiselect, case .string(let text) = raw {
            raw = (try? AnswerCast.cast(value: .string(text), to: .yaml)) ?? .list([])
        }
        do {
            return try castValue(raw, question)
        } catch let failure as CastFailure {
            throw GenerationError.questionTemplate(question: question.name, field: "default",
                                                   location: question.location, message: failure.message)
        }
    }

    /// Every string in `value` rendered, mapping keys included (cookiecutter's `render_variable`).
    func renderNested(_ value: Value, _ question: Question, scope: OrderedMapping) throws -> Value {
        switch value {
        case .string(let text): return .string(try render(text, question, "default", scope))
        case .list(let items): return .list(try items.map { try renderNested($0, question, scope: scope) })
        case .dict(let mapping):
            var rendered = OrderedMapping()
            for (key, item) in mapping.pairs {
                rendered[try render(key, question, "default", scope)] = try renderNested(item, question, scope: scope)
            }
            return .dict(rendered)
        default: return value
        }
    }

    /// A keyed choice's answer (see `Question.keyedChoices`): `key` or `{key: overrides}` becomes
    /// `{key: sub-items}`, the sub-items rendered (a list of them: its first item) with the
    /// overrides on top. Other questions' values pass through.
    func keyedAnswer(_ value: Value, _ question: Question, scope: OrderedMapping) throws -> Value {
        guard let keyed = question.keyedChoices else { return value }
        var key: String
        var overrides = OrderedMapping()
        switch value {
        case .string(let text): key = text
        case .dict(let mapping) where mapping.count == 1:
            key = mapping.keys[0]
            if case .dict(let given)? = mapping.values.first { overrides = given }
        default:
            throw GenerationError.invalidAnswer(key: question.name, location: nil,
                                                message: "expected one of \(keyed.keys.joined(separator: ", ")) (or {choice: {sub-item: value}}), got \(AnswerCast.describe(value))")
        }
        guard let raw = keyed[key] ?? keyed.pairs.first(where: { (try? render($0.key, question, "choices", scope)) == key })?.value else {
            throw GenerationError.invalidAnswer(key: question.name, location: nil,
                                                message: "'\(key)' is not one of the choices: \(keyed.keys.joined(separator: ", "))")
        }
        key = try render(key, question, "choices", scope)
        var items: Value
        switch raw {
        case .dict(let mapping):
            var rendered = OrderedMapping()
            for (name, item) in mapping.pairs {
                if let given = overrides[name] { rendered[name] = given } else { rendered[name] = try renderNested(item, question, scope: scope) }
            }
            items = .dict(rendered)
        case .list(let options):
            items = try options.first.map { try renderNested($0, question, scope: scope) } ?? .string("")
            if case .string(let picked)? = value.dictValues?.first { items = .string(picked) }
        default:
            items = raw
        }
        return .dict(OrderedMapping([(key, items)]))
    }

    /// The allowed values, cast to the question's type. A choice given as a mapping with `value`
    /// and `validator` (copier's extended form) is disabled when its validator renders text:
    /// `disabled` is that text, empty for a choice that may be picked.
    func choiceValues(_ question: Question, scope: OrderedMapping) throws -> [(label: String, value: Value, disabled: String)]? {
        guard var raw = question.choices else { return nil }
        if case .string(let text) = raw {
            let rendered = try render(text, question, "choices", scope)
            raw = (try? AnswerCast.cast(value: .string(rendered), to: .yaml)) ?? .none
        }
        var pairs: [(String, Value, paired: Bool)] = []
        switch raw {
        case .list(let items):
            for item in items {
                if case .list(let pair) = item, pair.count == 2 {
                    pairs.append((AnswerCast.text(pair[0]), pair[1], true))
                } else {
                    pairs.append((AnswerCast.text(item), item, false))
                }
            }
        case .dict(let mapping):
            pairs = mapping.pairs.map { ($0.key, $0.value, true) }
        default:
            throw GenerationError.questionTemplate(question: question.name, field: "choices", location: question.location,
                                                   message: "choices must give a list or a mapping")
        }
        return try pairs.map { label, value, paired in
            var value = value
            var disabled = ""
            if paired, case .dict(let extended) = value {
                guard let inner = extended["value"] else {
                    throw GenerationError.questionTemplate(question: question.name, field: "choices", location: question.location,
                                                           message: "choice '\(label)': a mapping needs the property 'value'")
                }
                if let validator = extended["validator"] {
                    guard case .string(let text) = validator else {
                        throw GenerationError.questionTemplate(question: question.name, field: "choices", location: question.location,
                                                               message: "choice '\(label)': the property 'validator' must be a string")
                    }
                    disabled = try render(text, question, "choices", scope).trimmingSpaces
                }
                value = inner
            }
            if case .string(let text) = value { value = .string(try render(text, question, "choices", scope)) }
            let shown = try render(label, question, "choices", scope)
            // A choice without a value (`label: null`) stands for its label, as in copier's
            // prompt library (questionary's `Choice` takes the title when the value is None).
            if case .none = value { value = .string(shown) }
            do {
                return (shown, try AnswerCast.cast(value: value, to: question.type), disabled)
            } catch let failure as CastFailure {
                throw GenerationError.questionTemplate(question: question.name, field: "choices", location: question.location,
                                                       message: "choice '\(label)': \(failure.message)")
            }
        }
    }

    func check(_ value: Value, _ question: Question, scope: OrderedMapping, location: SourceLocation?) throws {
        if question.type == .str {
            let texts: [Value] = question.multiselect ? (value.listItems ?? []) : [value]
            for case .string(let text) in texts {
                let multiline = question.multiline || manifest.textAnswersMayBreakLines
                if let bad = Self.forbiddenCharacter(in: text, multiline: multiline) {
                    throw GenerationError.invalidAnswer(key: question.name, location: location, message: bad)
                }
            }
        }
        if question.keyedChoices == nil, let choices = try choiceValues(question, scope: scope) {
            let allowed = choices.filter(\.disabled.isEmpty).map(\.value)
            let picked: [Value]
            if question.multiselect, case .list(let items) = value { picked = items } else { picked = [value] }
            for item in picked where !allowed.contains(item) {
                if let reason = choices.first(where: { $0.value == item && !$0.disabled.isEmpty })?.disabled {
                    throw GenerationError.invalidAnswer(key: question.name, location: location,
                                                        message: "\(AnswerCast.describe(item)) is a disabled choice: \(reason)")
                }
                let list = allowed.map { AnswerCast.text($0) }.joined(separator: ", ")
                throw GenerationError.invalidAnswer(key: question.name, location: location,
                                                    message: "\(AnswerCast.describe(item)) is not one of the choices: \(list)")
            }
        }
        if let validator = question.validator {
            var withAnswer = scope
            withAnswer[question.name] = value
            let message = try render(validator, question, "validator", withAnswer).trimmingSpaces
            if !message.isEmpty {
                throw GenerationError.invalidAnswer(key: question.name, location: location, message: message)
            }
        }
    }

    /// `recorded` in copier's order (its `AnswersMap.combined`): the answers the answers file gave,
    /// in its order, then those `--data` gave, then the rest in question order.
    static func givenFirst(_ recorded: OrderedMapping, _ inputs: AnswerInputs) -> OrderedMapping {
        var ordered = OrderedMapping()
        for key in (inputs.file?.entries.map(\.key) ?? []) + inputs.data.map(\.key) {
            if ordered[key] == nil, let value = recorded[key] { ordered[key] = value }
        }
        for (key, value) in recorded.pairs where ordered[key] == nil { ordered[key] = value }
        return ordered
    }

    /// A multiselect answer as copier's `parse_answer` leaves it: the choices it picks, in the
    /// choices' order, each once.
    func inChoiceOrder(_ value: Value, _ question: Question, scope: OrderedMapping) throws -> Value {
        guard question.multiselect, question.keyedChoices == nil, case .list(let items) = value, items.count > 0,
              let choices = try choiceValues(question, scope: scope) else { return value }
        return .list(choices.map(\.value).filter { items.contains($0) })
    }

    /// Why a `str` answer cannot be used, if it cannot: C0 control characters and DEL (a
    /// multiline question takes tabs and newlines), which no file format the answer may land in
    /// reads back as the same text.
    static func forbiddenCharacter(in text: String, multiline: Bool) -> String? {
        for scalar in text.unicodeScalars where scalar.value < 0x20 || scalar.value == 0x7F {
            if multiline && (scalar == "\n" || scalar == "\t") { continue }
            let code = "U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(4)
            let hint = scalar == "\n" || scalar == "\t" ? " (only a question with multiline: true takes newlines and tabs)" : ""
            return "contains the control character \(code)\(hint)"
        }
        return nil
    }

    private func isTemplated(_ text: String) -> Bool {
        let delimiters = manifest.environmentOptions.delimiters
        return text.contains(delimiters.variableStart) || text.contains(delimiters.blockStart)
            || text.contains(delimiters.commentStart)
    }

    func render(_ text: String, _ question: Question, _ field: String, _ scope: OrderedMapping) throws -> String {
        if !isTemplated(text) { return text }
        do {
            return try environment.render(text, name: "\(question.name).\(field)", context: scope)
        } catch let error as TemplateError {
            throw GenerationError.questionTemplate(question: question.name, field: field, location: question.location,
                                                   message: error.message)
        }
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

private extension Value {
    var dictValues: [Value]? {
        guard case .dict(let mapping) = self else { return nil }
        return mapping.values
    }

    var listItems: [Value]? { if case .list(let items) = self { return items } else { return nil } }
}
