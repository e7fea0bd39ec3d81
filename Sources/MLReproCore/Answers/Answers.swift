import Foundation
import TemplateEngine
import Yams

/// An answers file (`--answers FILE`, or a recorded `.mlrepro/answers.yml`), keys in file order.
package struct AnswersFile: Sendable {
    package struct Entry: Sendable {
        package var key: String
        package var value: Value
        package var location: SourceLocation
    }

    package var path: String
    package var entries: [Entry]
    /// The keys are the answers as they stand. False for an `--answers` file until the template's
    /// format has read it (`read(by:)`): a cookiecutter template finds its answers inside
    /// cookiecutter's forms of the file, every other format reads the keys as they are.
    package var formSettled = true

    package init(path: String, entries: [Entry]) {
        self.path = path
        self.entries = entries
    }

    /// Reads and parses an answers file (`--answers`); its top level must be a mapping. Its form
    /// is settled once the template's format is known (`read(by:)`).
    package static func load(path: String) throws -> AnswersFile {
        let reader = YAMLValueReader(file: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw YAMLValueError(location: reader.location(line: 1, column: 1), message: "answers file not found")
        }
        var file = try parse(reader.parseFile(at: path), reader: reader, path: path, cookiecutterForms: false)
        file.formSettled = false
        return file
    }

    /// The file as a template of `manifest`'s format reads it: for cookiecutter, the answers
    /// inside cookiecutter's forms (`unwrapped`); for any other format, the keys as they are (a
    /// copier question may be named `default_context`). A settled file is returned unchanged.
    package func read(by manifest: TemplateManifest) -> AnswersFile {
        guard !formSettled else { return self }
        var file = self
        if manifest.readsCookiecutterAnswerForms { file.entries = Self.unwrapped(entries) }
        file.formSettled = true
        return file
    }

    /// Parses answers already read (a project's record, read by `RecordInput`). Only cruft's
    /// `.cruft.json` is in a cookiecutter form (`cookiecutterForms`); mlrepro's and copier's records
    /// are read as they are, whatever their keys are named.
    static func load(contents: Data, path: String, cookiecutterForms: Bool) throws -> AnswersFile {
        let reader = YAMLValueReader(file: path)
        guard let text = String(data: contents, encoding: .utf8) else {
            throw YAMLValueError(location: reader.location(line: 1, column: 1), message: "file is not valid UTF-8 text")
        }
        return try parse(reader.parse(text), reader: reader, path: path, cookiecutterForms: cookiecutterForms)
    }

    private static func parse(_ root: Node?, reader: YAMLValueReader, path: String, cookiecutterForms: Bool) throws -> AnswersFile {
        guard let root else { return AnswersFile(path: path, entries: []) }
        guard case .mapping(let mapping) = root else {
            throw YAMLValueError(location: reader.location(root), message: "an answers file must be a mapping of question names to answers")
        }
        var entries: [Entry] = []
        for (key, value) in mapping {
            entries.append(Entry(key: try reader.keyString(key), value: try reader.value(value), location: reader.location(key)))
        }
        return AnswersFile(path: path, entries: cookiecutterForms ? unwrapped(entries) : entries)
    }

    package func entry(_ key: String) -> Entry? { entries.last { $0.key == key } }
}

/// Where answers come from: `--data` overrides the answers file, which overrides defaults.
package struct AnswerInputs: Sendable {
    package var file: AnswersFile?
    /// `--data KEY=VALUE` pairs, in command-line order (a later one wins).
    package var data: [(key: String, value: String)]
    /// Unanswered questions take their defaults (`--defaults`, or implied by `--answers`).
    package var useDefaults: Bool

    package init(file: AnswersFile? = nil, data: [(key: String, value: String)] = [], useDefaults: Bool = false) {
        self.file = file
        self.data = data
        self.useDefaults = useDefaults
    }

    /// Splits `KEY=VALUE` arguments.
    package static func parseData(_ arguments: [String]) throws -> [(key: String, value: String)] {
        try arguments.map { argument in
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw GenerationError.badDataArgument(argument)
            }
            return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
        }
    }
}

/// The resolved answers: all of them for rendering, and those that are recorded.
package struct ResolvedAnswers: Sendable {
    /// Every answer by question name, in question order (secrets and `when: false` included).
    package var all = OrderedMapping()
    /// What `.mlrepro/answers.yml` records: asked, non-secret answers.
    package var recorded = OrderedMapping()
    /// Answers for names no question asks, kept for the templates (copier manifests only).
    package var unasked: [String] = []
    /// The answers as given, before any question cast them: the answers file's values, then each
    /// `--data` text (copier's `_copier_conf.data`).
    package var given = OrderedMapping()
    /// Notes for the user (an `_external_data` file that does not exist).
    package var warnings: [String] = []
}

// MARK: - Casting values to question types

enum AnswerCast {
    static let falseWords: Set<String> = ["false", "no", "n", "f", "off", "0", "", "none", "null", "~"]
    static let trueWords: Set<String> = ["true", "yes", "y", "t", "on", "1"]

    /// Python-like `str()` of a scalar value.
    static func text(_ value: Value) -> String {
        switch value {
        case .none: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .int(let number): return String(number)
        case .float(let number): return pythonFloat(number)
        case .string(let string), .markup(let string): return string
        case .list, .dict: return JSONText.encode(value)
        case .callable: return "<function>"
        case .undefined: return ""
        }
    }

    static func pythonFloat(_ number: Double) -> String {
        if number.isNaN { return "nan" }
        if number.isInfinite { return number < 0 ? "-inf" : "inf" }
        if number == number.rounded(), abs(number) < 1e16 { return String(format: "%.1f", number) }
        return "\(number)"
    }

    /// The `when` cast: rendered text is false for the usual false words.
    static func truthy(_ value: Value) -> Bool {
        switch value {
        case .none: return false
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        case .float(let number): return number != 0
        case .string(let text), .markup(let text): return !falseWords.contains(text.trimmingSpaces.lowercased())
        case .list(let items): return !items.isEmpty
        case .dict(let mapping): return mapping.count > 0
        case .callable: return true
        case .undefined: return false
        }
    }

    /// Casts text given on the command line.
    static func cast(text: String, to type: QuestionType, origin: String) throws -> Value {
        switch type {
        case .str: return .string(text)
        case .yaml, .json:
            let reader = YAMLValueReader(file: origin)
            guard let node = try reader.parse(text) else { return .none }
            return try reader.value(node)
        default: return try cast(value: .string(text), to: type)
        }
    }

    /// Casts a value from a file, a default or a choice. Throws a message on mismatch.
    static func cast(value: Value, to type: QuestionType) throws -> Value {
        switch (type, value) {
        case (.str, .string): return value
        case (.str, .none): return .string("")
        case (.str, .int), (.str, .float), (.str, .bool): return .string(text(value))
        case (.int, .int): return value
        case (.int, .float(let number)) where number == number.rounded() && abs(number) < 9e18: return .int(Int(number))
        case (.int, .string(let string)):
            if let number = Int(string.trimmingSpaces) { return .int(number) }
        case (.float, .float): return value
        case (.float, .int(let number)): return .float(Double(number))
        case (.float, .string(let string)):
            if let number = Double(string.trimmingSpaces) { return .float(number) }
        case (.bool, .bool): return value
        case (.bool, .int(let number)) where number == 0 || number == 1: return .bool(number == 1)
        case (.bool, .string(let string)):
            let word = string.trimmingSpaces.lowercased()
            if trueWords.contains(word) { return .bool(true) }
            if falseWords.contains(word) { return .bool(false) }
        case (.yaml, .string(let string)), (.json, .string(let string)):
            let reader = YAMLValueReader(file: "value")
            do {
                guard let node = try reader.parse(string) else { return .none }
                return try reader.value(node)
            } catch let error as YAMLValueError {
                throw CastFailure(message: "cannot parse as \(type.rawValue): \(error.message)")
            }
        case (.yaml, _), (.json, _): return value
        default: break
        }
        throw CastFailure(message: "expected \(typeWord(type)), got \(describe(value))")
    }

    static func typeWord(_ type: QuestionType) -> String {
        switch type {
        case .str: return "a string"
        case .int: return "an integer"
        case .float: return "a number"
        case .bool: return "true or false"
        case .yaml: return "YAML"
        case .json: return "JSON"
        }
    }

    static func describe(_ value: Value) -> String {
        switch value {
        case .none: return "null"
        case .string(let string): return "'\(string)'"
        case .list: return "a list"
        case .dict: return "a mapping"
        default: return text(value)
        }
    }
}

struct CastFailure: Error { var message: String }

/// JSON text of values (used for `str()` of containers and for messages).
enum JSONText {
    static func encode(_ value: Value) -> String {
        switch value {
        case .none: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .float(let number): return number.isFinite ? "\(number)" : "null"
        case .string(let string), .markup(let string): return quote(string)
        case .list(let items): return "[" + items.map(encode).joined(separator: ", ") + "]"
        case .dict(let mapping):
            return "{" + mapping.pairs.map { quote($0.key) + ": " + encode($0.value) }.joined(separator: ", ") + "}"
        case .callable, .undefined: return "null"
        }
    }

    static func quote(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f || (0x80...0x9f).contains(scalar.value)
                    || (0x2028...0x2029).contains(scalar.value) || scalar.value == 0xfeff {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
