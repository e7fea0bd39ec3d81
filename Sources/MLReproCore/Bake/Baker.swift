import EnvironmentProbe
import Foundation
import Prompting
import TemplateEngine

/// One enumerable question and the values `bake` tries for it.
public struct BakeDimension: Sendable {
    public let question: String
    public let values: [Value]
    /// Short text for each value, used in folder names and the table.
    public let labels: [String]
}

/// One rendered combination and what came of it.
public struct BakeResult: Sendable {
    public enum Outcome: Sendable {
        case passed
        case renderFailed(String)
        case validationFailed
        /// `bake --run CMD` exited non-zero in the project (its status).
        case runFailed(Int32)
    }

    public let index: Int
    public let name: String
    /// The enumerated answers of this combination, in question order.
    public let answers: [(question: String, label: String)]
    public let files: Int
    public let outcome: Outcome
    public let findings: [ValidationFinding]

    public var failed: Bool {
        if case .passed = outcome { return false }
        return true
    }
}

public enum BakeError: Error, Sendable, CustomStringConvertible {
    case outputNotEmpty(String)
    case defaultsInvalid(String)
    /// `--validate` would run the template's `_bake_validators`, and `--trust` was not given.
    case validatorsNeedTrust([String])
    /// The template has `_tasks` or hooks, and neither `--trust` nor `--skip-tasks` was given.
    case tasksNeedTrust([String])

    public var description: String {
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
public struct Baker {
    public let tree: TemplateTree
    let manifest: TemplateManifest
    let resolver: AnswerResolver
    public let dimensions: [BakeDimension]
    private let cache = ResolutionCache()

    static let bakeLocation = SourceLocation(file: "<bake>", line: 1, column: 1)

    /// What of the template's own code generating a project runs (`_tasks`, hooks), in words.
    public var codeThatRuns: [String] { ProjectGenerator.codeThatRuns(manifest) }

    /// The template's `_bake_validators`, as shown to the user (they run only with `--trust`).
    public var bakeValidatorCommands: [String] { manifest.bakeValidators.map(\.display) }

    /// Answers every combination shares (`bake --data KEY=VALUE`); their questions are not enumerated.
    public let fixed: [(key: String, value: String)]

    public init(tree: TemplateTree, fixed: [(key: String, value: String)] = []) throws {
        self.tree = tree
        self.fixed = fixed
        manifest = try tree.manifest()
        let base = try GenerationPlanner.base(of: manifest, in: tree)
        let environment = RenderingContext.environment(options: manifest.environmentOptions,
                                                      loader: TreeLoader(tree: tree, base: base, manifest: manifest))
        let context = RenderingContext(environmentRecord: Baker.unprobedEnvironment, destination: "/bake/project",
                                       templateSource: tree.source, templatePath: tree.origin,
                                       answersFile: manifest.answersFile ?? Provenance.answersPath,
                                       git: Baker.identity)
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
            var values: [Value] = []
            if let choices = try resolver.choiceValues(question, scope: scope) {
                let options = choices.filter(\.disabled.isEmpty).map(\.value)
                values = question.multiselect ? Baker.selections(of: options) : options
                if question.multiselect {
                    // A selection the question itself refuses with every other answer at its
                    // default (an empty one its validator rejects) is tried here, not baked.
                    values = values.filter { value in
                        let entry = AnswersFile.Entry(key: question.name, value: value, location: Baker.bakeLocation)
                        do {
                            _ = try resolver.resolve(AnswerInputs(file: AnswersFile(path: "<bake>", entries: [entry]), data: fixed, useDefaults: true))
                        } catch GenerationError.invalidAnswer(let key, _, _) where key == question.name {
                            return false
                        } catch {}
                        return true
                    }
                }
            } else if question.type == .bool {
                values = [.bool(true), .bool(false)]
            }
            guard !values.isEmpty else { continue }
            dimensions.append(BakeDimension(question: question.name, values: values, labels: values.map(Baker.label)))
        }
        self.dimensions = dimensions
    }

    static let identity = GitIdentity(name: "mlrepro bake", email: "bake@example.org")

    /// The record bake renders with (as `--no-probe` writes it): every group present, nothing
    /// probed, so that `env.nvidia.gpus | length` works in a default as in `init`.
    public static var unprobedEnvironmentJSON: String {
        ProbeRecord.skipped(mlreproVersion: MLReproVersion.current, capturedAt: Date(timeIntervalSince1970: 0)).jsonString()
    }

    static var unprobedEnvironment: Value {
        let reader = YAMLValueReader(file: Provenance.environmentPath)
        return (try? reader.parse(unprobedEnvironmentJSON).map { try reader.value($0) }) ?? .dict(OrderedMapping())
    }

    /// The selections tried for a multiselect question: none, each option alone, all of them,
    /// and each pair of options when there are at most `maxOptionsForPairs` (more values make
    /// the pairwise search with the other questions too slow).
    static let maxOptionsForPairs = 3

    static func selections(of options: [Value]) -> [Value] {
        var selections: [Value] = [.list([])]
        selections += options.map { .list([$0]) }
        for first in options.indices where options.count <= maxOptionsForPairs {
            for second in options.indices where second > first {
                selections.append(.list([options[first], options[second]]))
            }
        }
        if options.count > 2 { selections.append(.list(options)) }
        return selections
    }

    static func label(_ value: Value) -> String {
        switch value {
        case .list(let items): return items.isEmpty ? "(none)" : items.map(label).joined(separator: "+")
        default: return AnswerCast.text(value)
        }
    }

    // MARK: - Planning

    /// The combinations to render, each as question -> value index.
    public func combinations(_ strategy: CombinationStrategy, limit: Int = 10_000) throws -> [Combination] {
        let planner = CombinationPlanner(
            dimensions: dimensions.map { CombinationDimension(name: $0.question, valueCount: $0.values.count) },
            isApplicable: { assigned, name in
                if case .resolved(let answers) = resolve(assigned) { return answers.recorded[name] != nil }
                return false
            },
            // A combination the template rejects as an answer (outside choices an earlier answer
            // allows, a failing validator) is not tried; one that breaks the template (a `when`,
            // `default` or `choices` that does not render) is kept, so that it fails when baked.
            accepts: { assigned in
                if case .rejected = resolve(assigned) { return false }
                return true
            })
        return try planner.plan(strategy, limit: limit)
    }

    func inputs(for combination: Combination) -> AnswerInputs {
        let entries = dimensions.compactMap { dimension in
            combination[dimension.question].map {
                AnswersFile.Entry(key: dimension.question, value: dimension.values[$0], location: Baker.bakeLocation)
            }
        }
        return AnswerInputs(file: AnswersFile(path: "<bake>", entries: entries), data: fixed, useDefaults: true)
    }

    enum Resolution {
        case resolved(ResolvedAnswers)
        /// An answer the template refuses (choices, validator, type).
        case rejected
        /// The template itself fails for these answers.
        case broken(String)
    }

    private func resolve(_ combination: Combination) -> Resolution {
        let key = combination.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return cache.value(for: key) {
            do {
                return .resolved(try resolver.resolve(inputs(for: combination)))
            } catch GenerationError.invalidAnswer {
                return .rejected
            } catch {
                return .broken(String(describing: error))
            }
        }
    }

    /// The project folder inside each combination's folder: the template's name as a slug.
    public var projectFolderName: String {
        let last = tree.source.split(separator: "/").last.map(String.init) ?? "project"
        let slug = last.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let trimmed = String(slug).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return trimmed.count >= 3 ? String(trimmed.prefix(40)) : "project"
    }

    /// Folder name: index, then the labels of the enumerated answers.
    public func name(of combination: Combination, index: Int, total: Int) -> String {
        let width = String(total).count
        let number = String(repeating: "0", count: max(0, width - String(index).count)) + String(index)
        let labels = dimensions.compactMap { d in combination[d.question].map { d.labels[$0] } }
        let slug = labels.map { label in
            String(label.lowercased().map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" })
        }.joined(separator: "_")
        return String((number + "-" + slug).prefix(150))
    }

    // MARK: - Rendering

    /// Renders each combination into `output/<name>` and validates it when a validator is given.
    public func bake(_ combinations: [Combination], into output: String, validator: ProjectValidator?,
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
            let answers = dimensions.compactMap { d in combination[d.question].map { (d.question, d.labels[$0]) } }
            var files = 0
            var outcome = BakeResult.Outcome.passed
            var findings: [ValidationFinding] = []
            do {
                var request = GenerationRequest(destination: destination, tree: tree, inputs: inputs(for: combination),
                                                environmentJSON: environmentJSON, git: Baker.identity, trust: trust)
                request.skipTasks = skipTasks
                let prepared = try ProjectGenerator.prepare(request)
                files = prepared.plan.files.count
                _ = try ProjectGenerator.write(prepared)
                try ProjectGenerator.runTasks(prepared)
                if let run {
                    let status = try ProcessTaskRunner().run(.shell(run), in: destination)
                    if status != 0 { outcome = .runFailed(status) }
                }
                if let validator, case .passed = outcome {
                    findings = validator.validate(projectAt: URL(fileURLWithPath: destination), declared: manifest.bakeValidators)
                    if findings.contains(where: \.failed) { outcome = .validationFailed }
                }
            } catch {
                outcome = .renderFailed(String(describing: error))
            }
            let result = BakeResult(index: index, name: name, answers: answers, files: files, outcome: outcome,
                                    findings: findings)
            progress(result)
            results.append(result)
        }
        return results
    }
}

/// Memoises answer resolution during planning (the search asks about the same prefixes often).
private final class ResolutionCache: @unchecked Sendable {
    private var entries: [String: Baker.Resolution] = [:]
    private let lock = NSLock()

    func value(for key: String, _ compute: () -> Baker.Resolution) -> Baker.Resolution {
        lock.lock()
        if let cached = entries[key] {
            lock.unlock()
            return cached
        }
        lock.unlock()
        let value = compute()
        lock.lock()
        entries[key] = value
        lock.unlock()
        return value
    }
}
