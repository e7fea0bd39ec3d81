import Foundation
import TemplateEngine
import Yams

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
}

/// What a manifest's `_tasks` entry runs: a shell command line or an argument vector.
package enum TaskCommand: Sendable, Equatable {
    case shell(String)
    case arguments([String])
}

/// One of copier's `_migrations`: a command `update` runs (with `--trust`) before or after it
/// merges a newer template version in.
package struct Migration: Sendable, Equatable {
    package var command: TaskCommand
    /// Run only when the update crosses this version (`from < version <= to`); nil: every update.
    package var version: String?
    /// A bool or a template (default: `{{ _stage == "after" }}`); the legacy form sets it per stage.
    package var when: Value?
    package var workingDirectory: String?
}

/// When and where a `_tasks` entry runs (copier's mapping form).
package struct TaskCondition: Sendable, Equatable {
    /// A bool, or a template string rendered with the answers; nil runs always.
    package var when: Value?
    /// Relative to DEST; templated.
    package var workingDirectory: String?

    package init(when: Value? = nil, workingDirectory: String? = nil) {
        self.when = when
        self.workingDirectory = workingDirectory
    }
}

/// A template's manifest in the format-neutral model every stage after `TemplateFormat` consumes.
package struct TemplateManifest: Sendable {
    /// The manifest file at the template root, for messages.
    package var fileName: String
    /// Root files the format reads itself; never copied into the project.
    package var formatFiles: [String] = []
    /// Answers for names no question asks are kept for the templates, with a warning (copier),
    /// instead of refused (mlrepro's own manifests).
    package var keepsUnknownAnswers = false
    /// copier: a question whose `when` is false and that has no default gets no answer at all
    /// (its name stays undefined and out of the record); otherwise its type's empty value or an
    /// error "has no answer and no default".
    package var skipsHiddenQuestionsWithoutDefault = false
    /// copier: a file whose name renders to the answers file's path (`.copier-answers/project.yml`)
    /// is the answers file, in whatever folder of the template it lies.
    package var answersFileNamedAnywhere = false
    /// Recorded answers list those the answers file and `--data` gave first, in their order (copier).
    package var recordsGivenAnswersFirst = false
    /// A mapping every answer is also visible under while rendering (`cookiecutter`).
    package var answersNamespace: String?
    /// Patterns (fnmatch, on paths inside the project folder) of files and folders copied
    /// without rendering (cookiecutter's `_copy_without_render`).
    package var copyWithoutRender: [String] = []
    /// With an empty templates suffix, files that are not UTF-8 text are copied, not rendered.
    package var copiesBinaryFiles = false
    /// When a task fails, a DEST that did not exist before is removed (cookiecutter's hooks).
    package var removesProjectWhenTasksFail = false
    /// The tasks are part of what the template generates (cookiecutter's `post_gen_project` hook
    /// deletes and rewrites files): `check` and `update` run them, with `--trust`, on their
    /// render before comparing.
    package var tasksShapeOutput = false
    /// The tasks are cookiecutter's hooks (`hooks/pre_gen_project`, `hooks/post_gen_project`), so
    /// messages name them as hooks rather than `_tasks`.
    package var tasksAreHooks = false
    /// Rendered files keep the line ending of their source's first line (cookiecutter).
    package var keepsSourceLineEndings = false
    package var questions: [Question] = []
    package var description: String?
    package var subdirectory: String?
    /// `subdirectory` is a template rendered with the answers (copier's `_subdirectory`); false
    /// where it names a folder literally (cookiecutter's `{{cookiecutter.project_slug}}` folder).
    package var rendersSubdirectory = false
    /// Where `{% include %}`, `{% import %}` and `{% extends %}` look for a name, as folders of
    /// the template (`.` is the subdirectory, `""` the root); nil: the subdirectory, then the root.
    /// cookiecutter's loader searches the project folder and `../templates` beside it.
    package var includeFolders: [String]?
    /// cookiecutter's nested templates: the question that chooses one (`templates`, or the old
    /// list form's `template`) and the folder each choice names, relative to the template's root.
    package var nestedTemplates: (question: String, paths: [String: String])?
    /// A problem with the template's layout found while reading the manifest that is reported
    /// only after the `pre_prompt` hook had its chance to fix it (cookiecutter's project folder).
    package var layoutProblem: ManifestError?
    /// cookiecutter's `_new_lines`: the line ending every rendered file is written with.
    package var lineEnding: String?
    /// cookiecutter's variables as `cookiecutter.json` has them (`_cookiecutter` in the context).
    package var rawVariables: OrderedMapping?
    package var templatesSuffix = ".jinja"
    /// nil when the manifest has no `_exclude` (the default list applies).
    package var exclude: [String]?
    package var skipIfExists: [String] = []
    /// `_project_owned`: patterns of generated files that become the project's own. `check` lists
    /// their edits as information (`--strict` compares them too); `update` still merges template
    /// changes into them three-way (or leaves them alone with `--keep-owned`).
    package var projectOwned: [String] = []
    package var secretFiles: [String] = []
    package var answersFile: String?
    package var messageBeforeCopy: String?
    package var messageAfterCopy: String?
    /// copier's `_message_before_update` / `_message_after_update`, printed by `update`.
    package var messageBeforeUpdate: String?
    package var messageAfterUpdate: String?
    package var environmentOptions = EnvironmentOptions()
    /// `_undefined: strict | lenient`, when the manifest says; otherwise the format's default
    /// applies (strict for mlrepro.yml and cookiecutter.json, lenient for copier.yml).
    package var undefinedSetting: UndefinedBehavior?
    /// copier's `_external_data`: name -> path (a template, relative to DEST) of a YAML file that
    /// templates read as `_external_data.name`.
    package var externalData = OrderedMapping()
    /// copier's `_preserve_symlinks`: a link of the template is generated as a link (its target
    /// rendered when its name has the templates suffix) instead of the file it leads to.
    package var preserveSymlinks = false
    /// cookiecutter's `pre_prompt` hook: run (with `--trust`) in a copy of the template before
    /// the questions, which are then read from that copy.
    package var promptHook: TaskCommand?
    /// copier's `_migrations`, in order.
    package var migrations: [Migration] = []
    /// copier's `_jinja_extensions`, as written (see `PythonExtensions`).
    package var jinjaExtensions: [String] = []
    package var minimumVersion: String?
    package var tasks: [TaskCommand] = []
    /// Commands run before anything is written, in an empty folder (cookiecutter's
    /// `pre_gen_project` hook); one that fails stops the run with nothing written.
    package var tasksBeforeWriting: [TaskCommand] = []
    /// Per task (same order): copier's `when` and `working_directory`.
    package var taskConditions: [TaskCondition] = []
    /// `_bake_validators`: commands `mlrepro bake --validate` runs in every rendered project.
    package var bakeValidators: [TaskCommand] = []
    /// Other warnings about the manifest (`file:line:col: warning: ...`), shown before generating.
    package var warnings: [String] = []
    /// Settings this version does not know; reported as warnings.
    package var unknownSettings: [(name: String, location: SourceLocation)] = []

    /// copier's default `_exclude` when the template sets none and has no `_subdirectory`.
    package static let defaultExclude = [
        "copier.yaml", "copier.yml", "mlrepro.yml", "~*", "*.py[co]", "__pycache__", ".git", ".DS_Store", ".svn",
    ]

    package var effectiveExclude: [String] {
        if let exclude { return exclude }
        if let subdirectory, !subdirectory.isEmpty, subdirectory != "." { return [] }
        return TemplateManifest.defaultExclude
    }

    package func question(named name: String) -> Question? { questions.first { $0.name == name } }
}

/// One YAML document of a manifest, with the reader that locates its nodes in their file.
struct ManifestDocument {
    var reader: YAMLValueReader
    var node: Node
}

/// A manifest problem, located in the manifest file.
package struct ManifestError: Error, Sendable, CustomStringConvertible {
    package var location: SourceLocation
    package var message: String
    package var description: String { "\(location): error: \(message)" }
}

extension TemplateManifest {
    /// The most `/`-separated components one `_exclude`-style pattern may have.
    static let maxPatternComponents = 128

    /// copier 9.19's settings, exactly (its `Template` reads these keys of `copier.yml` and no other).
    static let copierSettings: Set<String> = [
        "_answers_file", "_envops", "_exclude", "_external_data", "_jinja_extensions", "_message_after_copy",
        "_message_after_update", "_message_before_copy", "_message_before_update", "_migrations", "_min_copier_version",
        "_preserve_symlinks", "_secret_questions", "_skip_if_exists", "_subdirectory", "_tasks", "_templates_suffix",
    ]

    /// mlrepro's own settings, read in every YAML manifest (copier ignores them).
    static let mlreproSettings: Set<String> = [
        "_project_owned", "_min_mlrepro_version", "_secret_files", "_description", "_bake_validators", "_undefined",
    ]

    static let knownSettings: Set<String> = copierSettings.union(mlreproSettings)

    /// Parses manifest text. `file` names the manifest in diagnostics.
    package static func parse(_ text: String, file: String, fileName: String) throws -> TemplateManifest {
        let reader = YAMLValueReader(file: file)
        return try parse(documents: try reader.parseAll(text).map { ManifestDocument(reader: reader, node: $0) },
                         description: firstComment(text), fileName: fileName)
    }

    /// Settings whose lists from several documents are joined, as copier joins them; for every
    /// other key a later document's value replaces an earlier one (in the earlier one's place).
    static let joinedSettings: Set<String> = ["_exclude", "_jinja_extensions", "_secret_questions", "_skip_if_exists", "_project_owned"]

    /// Parses the manifest's YAML documents (copier allows several, and `!include`s them).
    static func parse(documents: [ManifestDocument], description: String?, fileName: String) throws -> TemplateManifest {
        var manifest = TemplateManifest(fileName: fileName)
        manifest.description = description
        struct Entry { var key: String; var location: SourceLocation; var reader: YAMLValueReader; var node: Node; var value: Value }
        var entries: [Entry] = []
        var positions: [String: Int] = [:]
        for document in documents {
            guard case .mapping(let mapping) = document.node else {
                throw ManifestError(location: document.reader.location(document.node),
                                    message: "the manifest must be a mapping of questions and settings")
            }
            for (keyNode, valueNode) in mapping {
                let key = try document.reader.keyString(keyNode)
                let entry = Entry(key: key, location: document.reader.location(keyNode), reader: document.reader,
                                  node: valueNode, value: try document.reader.value(valueNode))
                guard let position = positions[key] else {
                    positions[key] = entries.count
                    entries.append(entry)
                    continue
                }
                if joinedSettings.contains(key), case .list(let earlier) = entries[position].value,
                   case .list(let later) = entry.value {
                    entries[position].value = .list(earlier + later)
                } else {
                    entries[position] = entry
                }
            }
        }
        var secretQuestions: Set<String> = []
        for entry in entries {
            if entry.key.hasPrefix("_") {
                try manifest.apply(setting: entry.key, value: entry.value, location: entry.location, reader: entry.reader,
                                   node: entry.node)
                if entry.key == "_secret_questions", case .list(let names) = entry.value {
                    for case .string(let name) in names { secretQuestions.insert(name) }
                }
            } else {
                manifest.questions.append(try question(entry.key, entry.value, location: entry.location,
                                                       reader: entry.reader, node: entry.node))
            }
        }
        for index in manifest.questions.indices where secretQuestions.contains(manifest.questions[index].name) {
            manifest.questions[index].secret = true
        }
        manifest.environmentOptions.undefined = manifest.undefinedSetting ?? .strict
        return manifest
    }

    /// The first comment block of the manifest: the template's one-line description fallback.
    static func firstComment(_ text: String) -> String? {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = String(line).trimmingSpaces
            if trimmed.isEmpty || trimmed == "---" { continue }
            guard trimmed.hasPrefix("#") else { return nil }
            let body = String(trimmed.drop { $0 == "#" }).trimmingSpaces
            if !body.isEmpty { return body }
        }
        return nil
    }

    private static func question(_ name: String, _ value: Value, location: SourceLocation,
                                 reader: YAMLValueReader, node: Node) throws -> Question {
        var question = Question(name: name, type: .str, location: location)
        guard case .dict(let fields) = value else {
            // copier shorthand: `name: default`.
            question.defaultValue = value
            question.type = inferredType(value)
            return question
        }
        func fieldLocation(_ field: String) -> SourceLocation {
            if case .mapping(let mapping) = node {
                for (key, _) in mapping where key.string == field { return reader.location(key) }
            }
            return location
        }
        var explicitType = false
        for (field, fieldValue) in fields.pairs {
            switch field {
            case "type":
                // copier's `path` is a `str` asked with path completion.
                guard case .string(let text) = fieldValue, let type = QuestionType(rawValue: text == "path" ? "str" : text) else {
                    let allowed = (QuestionType.allCases.map(\.rawValue) + ["path"]).joined(separator: ", ")
                    throw ManifestError(location: fieldLocation(field),
                                        message: "question '\(name)': type must be one of \(allowed)")
                }
                question.type = type
                explicitType = true
            case "default": question.defaultValue = fieldValue
            case "choices":
                switch fieldValue {
                case .list, .dict, .string: question.choices = fieldValue
                default:
                    throw ManifestError(location: fieldLocation(field),
                                        message: "question '\(name)': choices must be a list, a mapping or a template string")
                }
            case "multiselect": question.multiselect = try boolField(fieldValue, name, field, fieldLocation(field))
            case "secret": question.secret = try boolField(fieldValue, name, field, fieldLocation(field))
            case "multiline": question.multiline = try boolField(fieldValue, name, field, fieldLocation(field))
            case "help": question.help = try stringField(fieldValue, name, field, fieldLocation(field))
            case "placeholder": question.placeholder = try stringField(fieldValue, name, field, fieldLocation(field))
            case "validator": question.validator = try stringField(fieldValue, name, field, fieldLocation(field))
            // copier's prompt prefix: it changes how a question is asked, never an answer.
            case "qmark": _ = try stringField(fieldValue, name, field, fieldLocation(field))
            case "when":
                switch fieldValue {
                case .bool, .string, .int: question.when = fieldValue
                default:
                    throw ManifestError(location: fieldLocation(field),
                                        message: "question '\(name)': when must be a bool or a template string")
                }
            case "ask":
                switch fieldValue {
                case .bool, .string, .int: question.ask = fieldValue
                default:
                    throw ManifestError(location: fieldLocation(field),
                                        message: "question '\(name)': ask must be a bool or a template string")
                }
            default:
                throw ManifestError(location: fieldLocation(field),
                                    message: "question '\(name)': unknown field '\(field)' (known: type, default, choices, multiselect, multiline, help, when, ask, validator, secret, placeholder, qmark)")
            }
        }
        if !explicitType, let defaultValue = question.defaultValue { question.type = inferredType(defaultValue) }
        return question
    }

    private static func inferredType(_ value: Value) -> QuestionType {
        switch value {
        case .bool: return .bool
        case .int: return .int
        case .float: return .float
        case .list, .dict: return .yaml
        default: return .str
        }
    }

    private static func boolField(_ value: Value, _ name: String, _ field: String, _ location: SourceLocation) throws -> Bool {
        guard case .bool(let flag) = value else {
            throw ManifestError(location: location, message: "question '\(name)': \(field) must be true or false")
        }
        return flag
    }

    private static func stringField(_ value: Value, _ name: String, _ field: String, _ location: SourceLocation) throws -> String {
        guard case .string(let text) = value else {
            throw ManifestError(location: location, message: "question '\(name)': \(field) must be a string")
        }
        return text
    }

    private mutating func apply(setting key: String, value: Value, location: SourceLocation,
                                reader: YAMLValueReader, node: Node) throws {
        func text() throws -> String {
            guard case .string(let string) = value else {
                throw ManifestError(location: location, message: "setting \(key) must be a string")
            }
            return string
        }
        func strings() throws -> [String] {
            if case .string(let single) = value { return [single] }
            guard case .list(let items) = value else {
                throw ManifestError(location: location, message: "setting \(key) must be a list of strings")
            }
            return try items.map { item in
                guard case .string(let string) = item else {
                    throw ManifestError(location: location, message: "setting \(key) must be a list of strings")
                }
                return string
            }
        }
        /// Path patterns, bounded so that matching stays fast whatever the template holds.
        func patterns() throws -> [String] {
            let list = try strings()
            for pattern in list where pattern.utf8.count > 4000 || pattern.split(separator: "/").count > Self.maxPatternComponents {
                throw ManifestError(location: location, message: "setting \(key): a pattern may have at most \(Self.maxPatternComponents) components and 4000 bytes")
            }
            return list
        }
        switch key {
        case "_subdirectory": subdirectory = try text()
        case "_templates_suffix":
            if case .none = value { templatesSuffix = "" } else { templatesSuffix = try text() }
        case "_exclude": exclude = try patterns()
        case "_skip_if_exists": skipIfExists = try patterns()
        case "_project_owned": projectOwned = try patterns()
        case "_secret_files": secretFiles = try patterns()
        case "_answers_file": answersFile = try text()
        case "_message_before_copy": messageBeforeCopy = try text()
        case "_message_after_copy": messageAfterCopy = try text()
        case "_message_before_update": messageBeforeUpdate = try text()
        case "_message_after_update": messageAfterUpdate = try text()
        case "_description": description = try text()
        case "_min_mlrepro_version":
            minimumVersion = try text()
            if SemanticVersion(minimumVersion ?? "") == nil {
                throw ManifestError(location: location, message: "setting _min_mlrepro_version: '\(minimumVersion ?? "")' is not a version like 1.2.3")
            }
        case "_envops":
            environmentOptions = try Self.envops(value, location: location)
            // `_envops.undefined` is the format's default; `_undefined` still overrides it.
            if case .dict(let fields) = value, fields["undefined"] != nil, undefinedSetting == nil {
                undefinedSetting = environmentOptions.undefined
            }
        case "_jinja_extensions": jinjaExtensions = try strings()
        case "_preserve_symlinks":
            guard case .bool(let flag) = value else {
                throw ManifestError(location: location, message: "setting _preserve_symlinks must be true or false")
            }
            preserveSymlinks = flag
        case "_external_data":
            guard case .dict(let paths) = value, paths.values.allSatisfy({ if case .string = $0 { true } else { false } }) else {
                throw ManifestError(location: location, message: "setting _external_data must map names to file paths")
            }
            externalData = paths
        case "_undefined":
            guard case .string(let name) = value, let behavior = UndefinedBehavior(rawValue: name) else {
                throw ManifestError(location: location, message: "setting _undefined must be strict or lenient")
            }
            undefinedSetting = behavior
        case "_tasks", "_bake_validators":
            guard case .list(let items) = value else {
                throw ManifestError(location: location, message: "setting \(key) must be a list of commands")
            }
            func command(_ item: Value) throws -> TaskCommand {
                try Self.taskCommand(item, setting: key, location: location,
                                     expected: "each command must be a string, a list of strings or a mapping with command")
            }
            var commands: [TaskCommand] = []
            var conditions: [TaskCondition] = []
            for item in items {
                // copier's mapping form: {command: str | [str], when: template, working_directory: path}.
                if case .dict(let fields) = item {
                    guard let raw = fields["command"] else {
                        throw ManifestError(location: location, message: "setting \(key): a task mapping needs 'command'")
                    }
                    for name in fields.keys where !["command", "when", "working_directory"].contains(name) {
                        throw ManifestError(location: location, message: "setting \(key): unknown task field '\(name)' (known: command, when, working_directory)")
                    }
                    var condition = TaskCondition()
                    if let when = fields["when"] {
                        switch when {
                        case .bool, .string: condition.when = when
                        default: throw ManifestError(location: location, message: "setting \(key): when must be a bool or a template string")
                        }
                    }
                    if let directory = fields["working_directory"] {
                        guard case .string(let path) = directory else {
                            throw ManifestError(location: location, message: "setting \(key): working_directory must be a string")
                        }
                        condition.workingDirectory = path
                    }
                    commands.append(try command(raw))
                    conditions.append(condition)
                } else {
                    commands.append(try command(item))
                    conditions.append(TaskCondition())
                }
            }
            if key == "_tasks" { tasks = commands; taskConditions = conditions } else { bakeValidators = commands }
        case "_migrations":
            migrations = try Self.migrations(value, location: location)
        case "_min_copier_version", "_secret_questions": break
        default: unknownSettings.append((key, location))
        }
    }

    /// A command of `_tasks`, `_bake_validators` or `_migrations`: a shell line or an argument list.
    private static func taskCommand(_ item: Value, setting: String, location: SourceLocation, expected: String) throws -> TaskCommand {
        switch item {
        case .string(let line): return .shell(line)
        case .list(let parts):
            return .arguments(try parts.map { part in
                guard case .string(let text) = part else {
                    throw ManifestError(location: location, message: "setting \(setting): each argument must be a string")
                }
                return text
            })
        default:
            throw ManifestError(location: location, message: "setting \(setting): \(expected)")
        }
    }

    /// `_migrations`: commands (a string or an argument list), mappings `{command, version, when,
    /// working_directory}`, or copier's legacy `{version, before: [...], after: [...]}`.
    private static func migrations(_ value: Value, location: SourceLocation) throws -> [Migration] {
        guard case .list(let items) = value else {
            throw ManifestError(location: location, message: "setting _migrations must be a list")
        }
        func command(_ item: Value) throws -> TaskCommand {
            try taskCommand(item, setting: "_migrations", location: location, expected: "a command must be a string or a list of strings")
        }
        func text(_ value: Value?, _ field: String) throws -> String? {
            guard let value else { return nil }
            guard case .string(let string) = value else {
                if case .int = value { return value.pythonString }
                if case .float = value { return value.pythonString }
                throw ManifestError(location: location, message: "setting _migrations: \(field) must be a string")
            }
            return string
        }
        var result: [Migration] = []
        for item in items {
            guard case .dict(let fields) = item else {
                result.append(Migration(command: try command(item), version: nil, when: nil, workingDirectory: nil))
                continue
            }
            let version = try text(fields["version"], "version")
            if fields["before"] != nil || fields["after"] != nil {
                guard version != nil else {
                    throw ManifestError(location: location, message: "setting _migrations: the before/after form needs a version")
                }
                for stage in ["before", "after"] {
                    guard let commands = fields[stage] else { continue }
                    guard case .list(let list) = commands else {
                        throw ManifestError(location: location, message: "setting _migrations: \(stage) must be a list of commands")
                    }
                    for entry in list {
                        result.append(Migration(command: try command(entry), version: version,
                                                when: .string("{{ _stage == '\(stage)' }}"), workingDirectory: nil))
                    }
                }
                continue
            }
            guard let raw = fields["command"] else {
                throw ManifestError(location: location, message: "setting _migrations: a migration mapping needs 'command'")
            }
            for name in fields.keys where !["command", "version", "when", "working_directory"].contains(name) {
                throw ManifestError(location: location, message: "setting _migrations: unknown field '\(name)' (known: command, version, when, working_directory)")
            }
            var when: Value?
            if let condition = fields["when"] {
                switch condition {
                case .bool, .string: when = condition
                default: throw ManifestError(location: location, message: "setting _migrations: when must be a bool or a template string")
                }
            }
            result.append(Migration(command: try command(raw), version: version, when: when,
                                    workingDirectory: try text(fields["working_directory"], "working_directory")))
        }
        return result
    }

    static func envops(_ value: Value, location: SourceLocation) throws -> EnvironmentOptions {
        guard case .dict(let fields) = value else {
            throw ManifestError(location: location, message: "setting _envops must be a mapping")
        }
        var options = EnvironmentOptions()
        for (name, field) in fields.pairs {
            func flag() throws -> Bool {
                guard case .bool(let value) = field else {
                    throw ManifestError(location: location, message: "_envops.\(name) must be true or false")
                }
                return value
            }
            func delimiter() throws -> String {
                guard case .string(let value) = field, !value.isEmpty else {
                    throw ManifestError(location: location, message: "_envops.\(name) must be a non-empty string")
                }
                return value
            }
            switch name {
            case "trim_blocks": options.trimBlocks = try flag()
            case "lstrip_blocks": options.lstripBlocks = try flag()
            case "keep_trailing_newline": options.keepTrailingNewline = try flag()
            case "block_start_string": options.delimiters.blockStart = try delimiter()
            case "block_end_string": options.delimiters.blockEnd = try delimiter()
            case "variable_start_string": options.delimiters.variableStart = try delimiter()
            case "variable_end_string": options.delimiters.variableEnd = try delimiter()
            case "comment_start_string": options.delimiters.commentStart = try delimiter()
            case "comment_end_string": options.delimiters.commentEnd = try delimiter()
            case "undefined":
                // copier imports these two classes by name and refuses any other.
                switch field {
                case .string("jinja2.Undefined"): options.undefined = .lenient
                case .string("jinja2.StrictUndefined"): options.undefined = .strict
                default:
                    throw ManifestError(location: location, message: "_envops.undefined must be jinja2.Undefined or jinja2.StrictUndefined, "
                        + "as copier accepts (got \(AnswerCast.describe(field)))")
                }
            case "autoescape":
                if try flag() {
                    throw ManifestError(location: location, message: "_envops.autoescape: true is not supported")
                }
            default:
                throw ManifestError(location: location, message: "_envops.\(name) is not supported (supported: trim_blocks, lstrip_blocks, keep_trailing_newline, undefined, autoescape: false, *_start_string, *_end_string)")
            }
        }
        return options
    }
}

/// `major.minor.patch` with optional pre-release, compared numerically.
package struct SemanticVersion: Sendable, Comparable {
    package var parts: [Int]

    package init?(_ text: String) {
        let core = text.split(separator: "-", maxSplits: 1).first.map(String.init) ?? text
        let numbers = core.split(separator: ".").map { Int($0) }
        guard !numbers.isEmpty, numbers.count <= 4, numbers.allSatisfy({ $0 != nil }) else { return nil }
        parts = numbers.compactMap { $0 }
        while parts.count < 3 { parts.append(0) }
    }

    package static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        lhs.parts.lexicographicallyPrecedes(rhs.parts)
    }
}
