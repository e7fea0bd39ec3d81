import EnvironmentProbe
import Foundation
import Prompting
import Synchronization
import TemplateEngine

/// One enumerable question and the values `bake` tries for it.
package struct BakeDimension: Sendable {
    package let question: String
    /// The values (for a multiselect question: its options, each of which is in or out of a selection).
    package let values: [Value]
    /// Short text for each value, used in folder names and the table.
    package let labels: [String]
    /// The answer is a selection of `values` (planned as one in/out dimension per option).
    package var multiselect = false

    /// The planner's dimension names for this question: the question's name, or one per option.
    var plannerNames: [String] {
        multiselect ? values.indices.map { "\(question)[\($0)]" } : [question]
    }

    /// The answer a planned combination gives this question: nil when it is not asked (or, for a
    /// multiselect question, not every option is decided yet), else the value and its label.
    func answer(in combination: Combination) -> (value: Value, label: String)? {
        guard multiselect else {
            return combination[question].flatMap { $0 < values.count ? (values[$0], labels[$0]) : nil }
        }
        var chosen: [Int] = []
        for (index, name) in plannerNames.enumerated() {
            guard let state = combination[name] else { return nil }
            if state == 1 { chosen.append(index) }
        }
        let label = chosen.isEmpty ? "(none)" : chosen.map { labels[$0] }.joined(separator: "+")
        return (.list(chosen.map { values[$0] }), label)
    }
}

/// One rendered combination and what came of it.
package struct BakeResult: Sendable {
    package enum Outcome: Sendable {
        case passed
        case renderFailed(String)
        case validationFailed
        /// `bake --run CMD` exited non-zero in the project (its status).
        case runFailed(Int32)
    }

    package let index: Int
    package let name: String
    /// The enumerated answers of this combination, in question order.
    package let answers: [(question: String, label: String)]
    package let files: Int
    package let outcome: Outcome
    package let findings: [ValidationFinding]
    /// Wall time of rendering and checking it.
    package var seconds: Double = 0

    package var failed: Bool {
        if case .passed = outcome { return false }
        return true
    }
}

package enum BakeError: Error, Sendable, CustomStringConvertible {
    case outputNotEmpty(String)
    case defaultsInvalid(String)
    /// `--validate` would run the template's `_bake_validators`, and `--trust` was not given.
    case validatorsNeedTrust([String])
    /// The template has `_tasks` or hooks, and neither `--trust` nor `--skip-tasks` was given.
    case tasksNeedTrust([String])

    package var description: String {
        switch self {
        case .outputNotEmpty(let path):
            return "output folder \(path) exists and is not empty; remove it or choose another with --output"
        case .defaultsInvalid(let message):
            return "the template's default answers do not resolve: \(message)"
        case .validatorsNeedTrust(let commands):
            let shown = commands.prefix(10).map { "  " + TerminalText.visible(String($0.prefix(200)), keepingNewlines: false) }.joined(separator: "\n")
            return "this template's _bake_validators run \(commands.count) command(s) in every rendered project:\n\(shown)\n"
                + "review them and pass --trust to allow them (or bake without --validate). Nothing was rendered"
        case .tasksNeedTrust(let code):
            return "this template runs its own code when a project is generated: \(code.joined(separator: "; ")). "
                + "Pass --trust to run it in every baked project, or --skip-tasks to render without it. Nothing was rendered"
        }
    }
}

/// Renders answer combinations of a template and, optionally, validates each project.
package struct Baker {
    package let tree: TemplateTree
    let manifest: TemplateManifest
    let resolver: AnswerResolver
    package let dimensions: [BakeDimension]
    private let cache = ResolutionCache()

    static let bakeLocation = SourceLocation(file: "<bake>", line: 1, column: 1)

    /// What of the template's own code generating a project runs (`_tasks`, hooks), in words.
    package var codeThatRuns: [String] { ProjectGenerator.codeThatRuns(manifest) }

    /// The template's `_bake_validators`, as shown to the user (they run only with `--trust`).
    package var bakeValidatorCommands: [String] { manifest.bakeValidators.map(\.display) }

    /// Answers every combination shares (`bake --data KEY=VALUE`); their questions are not enumerated.
    package let fixed: [(key: String, value: String)]

    package init(tree: TemplateTree, fixed: [(key: String, value: String)] = []) throws {
        self.tree = tree
        self.fixed = fixed
        manifest = try tree.manifest()
        let base = try GenerationPlanner.base(of: manifest, in: tree)
        let environment = RenderingContext.environment(options: manifest.environmentOptions,
                                                      loader: TreeLoader(tree: tree, base: base, manifest: manifest))
        let context = RenderingContext(environmentRecord: Baker.unprobedEnvironment, destination: "/bake/project",
                                       templateSource: tree.source, templatePath: tree.origin,
                                       answersFile: manifest.answersFile ?? Provenance.answersPath,
                                       git: Baker.identity, copierNames: manifest.copierNames)
        resolver = AnswerResolver(manifest: manifest, environment: environment, context: context)
        let defaults: ResolvedAnswers
        do {
            defaults = try resolver.resolve(AnswerInputs(data: fixed, useDefaults: true))
        } catch {
            throw BakeError.defaultsInvalid(String(describing: error))
        }
        var scope = context.base
        for (key, value) in defaults.all.pairs { scope[key] = value }
        var dimensions: [BakeDimension] = []
        let resolver = self.resolver
        let fixedNames = Set(fixed.map(\.key))
        for question in manifest.questions where !question.secret && !fixedNames.contains(question.name) {
            // A computed answer is never asked: its default decides it, so it is not a dimension
            // to combine.
            if question.isNeverAsked { continue }
            var values: [Value] = []
            if let choices = try resolver.choiceValues(question, scope: scope) {
                values = choices.filter(\.disabled.isEmpty).map(\.value)
            } else if question.type == .bool {
                values = [.bool(true), .bool(false)]
            }
            guard !values.isEmpty else { continue }
            dimensions.append(BakeDimension(question: question.name, values: values, labels: values.map(Baker.label),
                                            multiselect: question.multiselect))
        }
        self.dimensions = dimensions
    }

    static let identity = GitIdentity(name: "mlrepro bake", email: "bake@example.org")

    /// The record bake renders with (as `--no-probe` writes it): every group present, nothing
    /// probed, so that `env.nvidia.gpus | length` works in a default as in `init`.
    package static var unprobedEnvironmentJSON: String {
        ProbeRecord.skipped(mlreproVersion: MLReproVersion.current, capturedAt: Date(timeIntervalSince1970: 0)).jsonString()
    }

    static var unprobedEnvironment: Value {
        let reader = YAMLValueReader(file: Provenance.environmentPath)
        return (try? reader.parse(unprobedEnvironmentJSON).map { try reader.value($0) }) ?? .dict(OrderedMapping())
    }

    /// The selections a multiselect question is tried with, each in a combination of its own (as
    /// planner seeds: option dimension -> 1 in, 0 out): none, each option alone, each pair of
    /// options, all of them. The covering search then also puts every option in and out of a
    /// selection with every value of the other questions. A selection the template refuses (its
    /// validator) is not baked.
    static func selectionSeeds(_ dimension: BakeDimension) -> [[String: Int]] {
        let names = dimension.plannerNames
        func seed(_ chosen: Set<Int>) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.element, chosen.contains($0.offset) ? 1 : 0) })
        }
        var selections: [Set<Int>] = [[]]
        selections += names.indices.map { [$0] }
        for first in names.indices {
            for second in names.indices where second > first { selections.append([first, second]) }
        }
        selections.append(Set(names.indices))
        var seen = Set<Set<Int>>()
        return selections.filter { seen.insert($0).inserted }.map(seed)
    }

    static func label(_ value: Value) -> String {
        switch value {
        case .list(let items): return items.isEmpty ? "(none)" : items.map(label).joined(separator: "+")
        default: return AnswerCast.text(value)
        }
    }

    // MARK: - Planning

    /// The combinations to render, each as question -> value index.
    package func combinations(_ strategy: CombinationStrategy, limit: Int = 10_000) throws -> [Combination] {
        var questionOf: [String: String] = [:]
        var plannerDimensions: [CombinationDimension] = []
        for dimension in dimensions {
            for name in dimension.plannerNames {
                questionOf[name] = dimension.question
                plannerDimensions.append(CombinationDimension(name: name, valueCount: dimension.multiselect ? 2 : dimension.values.count))
            }
        }
        let dependencies = questionDependencies()
        let plannerNamesOf = Dictionary(grouping: questionOf.keys, by: { questionOf[$0] ?? $0 })
        func plannerNames(_ questions: Set<String>) -> Set<String> { Set(questions.flatMap { plannerNamesOf[$0] ?? [] }) }
        var influences: [String: Set<String>] = [:]
        for (name, question) in questionOf {
            if let found = dependencies.when[question] ?? nil { influences[name] = plannerNames(found) }
        }
        let planner = CombinationPlanner(
            dimensions: plannerDimensions,
            dependencies: influences,
            isApplicable: { assigned, name in
                if case .resolved(let answers) = resolve(assigned) { return answers.recorded[questionOf[name] ?? name] != nil }
                return false
            },
            // A combination the template rejects as an answer (outside choices an earlier answer
            // allows, a failing validator) is not tried; one that breaks the template (a `when`,
            // `default` or `choices` that does not render) is kept, so that it fails when baked.
            accepts: { assigned in
                if case .rejected = resolve(assigned) { return false }
                return true
            },
            refusalBlame: { assigned in
                guard case .rejected(let key) = resolve(assigned), let found = dependencies.all[key] ?? nil else { return nil }
                return plannerNames(found.union([key]))
            },
            dependenciesHold: { assigned in
                if case .broken = resolve(assigned) { return false }
                return true
            })
        let seeds = dimensions.filter(\.multiselect).flatMap(Baker.selectionSeeds)
        return try planner.plan(strategy, seeds: seeds, limit: limit)
    }

    /// For each question, the questions that can decide whether it is asked (`when`: what its
    /// `when` reads, and what those read in turn through their `default`, `when`, `choices` and
    /// `validator`) and whether its answer is accepted (`all`: the same from all four of its own
    /// fields). Nil for a question some expression on the way does not compile for (then any
    /// earlier question may matter).
    func questionDependencies() -> (when: [String: Set<String>?], all: [String: Set<String>?]) {
        let names = Set(manifest.questions.map(\.name))
        func reads(_ texts: [String]) -> Set<String>? {
            var found = Set<String>()
            for text in texts {
                guard let template = try? resolver.environment.compile(text, name: "<bake>") else { return nil }
                let analysis = template.analysis()
                found.formUnion(analysis.reads.map(\.name).filter(names.contains))
                found.formUnion(analysis.guarded.filter(names.contains))
            }
            return found
        }
        var whenReads: [String: Set<String>?] = [:]
        var allReads: [String: Set<String>?] = [:]
        for question in manifest.questions {
            var texts: [String] = []
            if case .string(let text)? = question.when { texts.append(text) }
            whenReads[question.name] = reads(texts)
            if !question.rawDefault, let value = question.defaultValue { texts += TemplateLint.strings(in: value) }
            if let choices = question.choices { texts += TemplateLint.strings(in: choices) }
            if let validator = question.validator { texts.append(validator) }
            allReads[question.name] = reads(texts)
        }
        func closure(_ start: Set<String>?) -> Set<String>? {
            guard let start else { return nil }
            var pending = Array(start)
            var seen = Set<String>()
            while let next = pending.popLast() {
                guard seen.insert(next).inserted else { continue }
                guard let more = allReads[next] ?? nil else { return nil }
                pending += more
            }
            return seen
        }
        var when: [String: Set<String>?] = [:]
        var all: [String: Set<String>?] = [:]
        for question in manifest.questions {
            when[question.name] = closure(whenReads[question.name] ?? nil)
            all[question.name] = closure(allReads[question.name] ?? nil)
        }
        return (when, all)
    }

    func inputs(for combination: Combination) -> AnswerInputs {
        let entries = dimensions.compactMap { dimension in
            dimension.answer(in: combination).map {
                AnswersFile.Entry(key: dimension.question, value: $0.value, location: Baker.bakeLocation)
            }
        }
        return AnswerInputs(file: AnswersFile(path: "<bake>", entries: entries), data: fixed, useDefaults: true)
    }

    enum Resolution {
        case resolved(ResolvedAnswers)
        /// An answer the template refuses (choices, validator, type): the question refusing it.
        case rejected(String)
        /// The template itself fails for these answers.
        case broken(String)
    }

    private func resolve(_ combination: Combination) -> Resolution {
        let key = combination.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return cache.value(for: key) {
            do {
                return .resolved(try resolver.resolve(inputs(for: combination)))
            } catch GenerationError.invalidAnswer(let key, _, _) {
                return .rejected(key)
            } catch {
                return .broken(String(describing: error))
            }
        }
    }

    /// The project folder inside each combination's folder: the template's name as a slug.
    package var projectFolderName: String {
        let last = tree.source.split(separator: "/").last.map(String.init) ?? "project"
        let slug = last.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let trimmed = String(slug).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return trimmed.count >= 3 ? String(trimmed.prefix(40)) : "project"
    }

    /// The enumerated answers of a combination, in question order, as labels.
    package func answers(of combination: Combination) -> [(question: String, label: String)] {
        dimensions.compactMap { d in d.answer(in: combination).map { (d.question, $0.label) } }
    }

    /// Folder name: index, then the labels of the enumerated answers.
    package func name(of combination: Combination, index: Int, total: Int) -> String {
        let width = String(total).count
        let number = String(repeating: "0", count: max(0, width - String(index).count)) + String(index)
        let labels = dimensions.compactMap { $0.answer(in: combination)?.label }
        let slug = labels.map { label in
            String(label.lowercased().map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" })
        }.joined(separator: "_")
        return String((number + "-" + slug).prefix(150))
    }

    // MARK: - Rendering

    /// Generates one project from `inputs` as bake does (the unprobed record, bake's git
    /// identity), runs its tasks unless skipped; the number of files planned.
    package func render(_ inputs: AnswerInputs, into destination: String, environmentJSON: String,
                       trust: Bool = false, skipTasks: Bool = false) throws -> Int {
        var request = GenerationRequest(destination: destination, tree: tree, inputs: inputs,
                                        environmentJSON: environmentJSON, git: Baker.identity, trust: trust)
        request.skipTasks = skipTasks
        let prepared = try ProjectGenerator.prepare(request)
        _ = try ProjectGenerator.write(prepared)
        try ProjectGenerator.runTasks(prepared)
        return prepared.plan.files.count
    }

    /// Renders each combination into `output/<name>` and validates it when a validator is given.
    package func bake(_ combinations: [Combination], into output: String, validator: ProjectValidator?,
                     environmentJSON: String, trust: Bool = false, skipTasks: Bool = false, run: String? = nil,
                     progress: (BakeResult) -> Void = { _ in }) throws -> [BakeResult] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? ["?"]
            guard isDirectory.boolValue, contents.isEmpty else { throw BakeError.outputNotEmpty(output) }
        }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        var results: [BakeResult] = []
        for (offset, combination) in combinations.enumerated() {
            let index = offset + 1
            let name = name(of: combination, index: index, total: combinations.count)
            // The project sits one level down, in a folder named like the template, so that
            // answers defaulting to DEST's name (a project name, a slug) stay valid.
            let destination = ((output as NSString).appendingPathComponent(name) as NSString)
                .appendingPathComponent(projectFolderName)
            let answers = answers(of: combination)
            let started = Date()
            var files = 0
            var outcome = BakeResult.Outcome.passed
            var findings: [ValidationFinding] = []
            do {
                files = try render(inputs(for: combination), into: destination, environmentJSON: environmentJSON,
                                   trust: trust, skipTasks: skipTasks)
                if let run {
                    let status = try SystemProcessRunner().run(.shell(run), in: destination)
                    if status != 0 { outcome = .runFailed(status) }
                }
                if let validator, case .passed = outcome {
                    findings = validator.validate(projectAt: URL(fileURLWithPath: destination), declared: manifest.bakeValidators)
                    if findings.contains(where: \.failed) { outcome = .validationFailed }
                }
            } catch {
                outcome = .renderFailed(String(describing: error))
            }
            var result = BakeResult(index: index, name: name, answers: answers, files: files, outcome: outcome,
                                    findings: findings)
            result.seconds = Date().timeIntervalSince(started)
            progress(result)
            results.append(result)
        }
        return results
    }
}

/// Memoises answer resolution during planning (the search asks about the same prefixes often).
private final class ResolutionCache: Sendable {
    private let entries = Mutex<[String: Baker.Resolution]>([:])

    /// The cached resolution, or `compute`'s (run outside the lock, so two callers may compute the same key once each).
    func value(for key: String, _ compute: () -> Baker.Resolution) -> Baker.Resolution {
        if let cached = entries.withLock({ $0[key] }) { return cached }
        let value = compute()
        entries.withLock { $0[key] = value }
        return value
    }
}
