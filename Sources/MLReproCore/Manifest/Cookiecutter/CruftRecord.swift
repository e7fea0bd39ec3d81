import Foundation
import TemplateEngine

/// cruft's record of a cookiecutter project, `.cruft.json`.
extension ProjectRecord {
    /// cruft's record of a cookiecutter project: `template`, `commit`, `context.cookiecutter`.
    package static let cruftPath = ".cruft.json"

    /// A cookiecutter project cruft made: `.cruft.json` names the template and commit, and its
    /// `context.cookiecutter` holds the answers (read by `AnswersFile`, which keeps `template` and
    /// `commit` as `_src_path` and `_commit`).
    static func loadCruft(project: String) throws -> ProjectRecord {
        var record = try loadCopier(project: project, relative: cruftPath)
        record.madeBy = .cruft
        return record
    }
}

/// cruft's record after an update: `.cruft.json` as it was, with the new commit and answers, so
/// that cruft (and the next `mlrepro update`) see the version the project now has.
enum CruftRecord {
    /// The rewritten file, keys in their order; nil when the file is not a JSON object.
    static func updated(_ original: Data, commit: String?, answers: OrderedMapping) throws -> [UInt8]? {
        let reader = YAMLValueReader(file: ProjectRecord.cruftPath)
        guard let node = try reader.parseAll(String(decoding: original, as: UTF8.self)).first,
              case .dict(var top) = try reader.value(node) else { return nil }
        top["commit"] = commit.map { .string($0) } ?? Value.none
        var context: OrderedMapping
        if case .dict(let existing)? = top["context"] { context = existing } else { context = OrderedMapping() }
        var cookiecutter: OrderedMapping
        if case .dict(let existing)? = context["cookiecutter"] { cookiecutter = existing } else { cookiecutter = OrderedMapping() }
        for (key, value) in answers.pairs where !key.hasPrefix("_") { cookiecutter[key] = value }
        context["cookiecutter"] = .dict(cookiecutter)
        top["context"] = .dict(context)
        return Array((pretty(.dict(top), indent: "") + "\n").utf8)
    }

    /// JSON with two-space indentation, as cruft writes it.
    private static func pretty(_ value: Value, indent: String) -> String {
        let inner = indent + "  "
        switch value {
        case .dict(let mapping) where !mapping.pairs.isEmpty:
            return "{\n" + mapping.pairs.map { inner + JSONText.quote($0.key) + ": " + pretty($0.value, indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        case .list(let items) where !items.isEmpty:
            return "[\n" + items.map { inner + pretty($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        default:
            return JSONText.encode(value)
        }
    }
}
