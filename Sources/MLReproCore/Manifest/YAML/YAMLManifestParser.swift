import Foundation
import TemplateEngine
import Yams

/// One YAML document of a manifest, with the reader that locates its nodes in their file.
struct ManifestDocument {
    var reader: YAMLValueReader
    var node: Node
}

/// Reading copier's schema of questions and settings (`mlrepro.yml`, `copier.yml`) into the model:
/// questions in document order, `_` keys as settings, lists of several documents joined.
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
