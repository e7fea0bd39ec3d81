import Foundation
import TemplateEngine

/// What `.mlrepro/` says about a generated project: template, commit, answers, environment.
public struct ProjectRecord: Sendable {
    /// Absolute path of the project.
    public var project: String
    public var answers: AnswersFile
    /// `_template` as recorded.
    public var template: String
    /// `_commit`: a full git commit id, or `sha256:...` for templates that are not git.
    public var commit: String
    /// `_template_dirty`: the template's uncommitted working tree was rendered.
    public var templateWasDirty: Bool
    /// `_skip`: patterns of paths the project owns; never compared or updated.
    public var skip: [String]
    /// `.mlrepro/environment.json`, as-is.
    public var environmentJSON: String
    /// `.mlrepro/checksums`: sha256 by path of every file the template generated.
    public var checksums: PathMap<String>

    /// Paths listed in `.mlrepro/checksums`, sorted.
    public var checksummedPaths: [String] { checksums.sortedKeys }

    public var isGitCommit: Bool { commit.utf8.count == 40 && commit.utf8.allSatisfy { $0 < 128 && Character(UnicodeScalar($0)).isHexDigit } }

    /// Which tool's record this is: mlrepro's `.mlrepro/`, or copier's answers file alone.
    public var madeBy = "mlrepro"

    /// The git ref the project was generated from, when the template is a git repository: the
    /// recorded commit, or what copier's `_commit` names (a tag, or `git describe` output).
    public var generatedRef: String? {
        if isGitCommit { return commit }
        guard madeBy != "mlrepro", !commit.isEmpty, !commit.hasPrefix("sha256:") else { return nil }
        // `v1.2.0-3-gabc1234` (git describe): the commit is the part after `-g`.
        if let range = commit.range(of: "-g", options: .backwards) {
            let hash = commit[range.upperBound...]
            if hash.count >= 7, hash.allSatisfy(\.isHexDigit) { return String(hash) }
        }
        return commit
    }

    /// cruft's record of a cookiecutter project: `template`, `commit`, `context.cookiecutter`.
    public static let cruftPath = ".cruft.json"

    /// copier's answers file, as copier writes it without `_answers_file`.
    public static let copierAnswersPath = ".copier-answers.yml"

    /// Reads the record; a directory without `.mlrepro/answers.yml` is no generated project.
    public static func load(project: String) throws -> ProjectRecord {
        let answersPath = project + "/" + Provenance.answersPath
        guard FileManager.default.fileExists(atPath: answersPath) else {
            if FileManager.default.fileExists(atPath: project + "/" + copierAnswersPath) { return try loadCopier(project: project) }
            if FileManager.default.fileExists(atPath: project + "/" + cruftPath) { return try loadCruft(project: project) }
            throw ProjectRecordError.notAProject(project)
        }
        let answers = try AnswersFile.load(path: answersPath)
        func string(_ key: String) throws -> String {
            guard let entry = answers.entry(key) else { throw ProjectRecordError.missingKey(answersPath, key) }
            guard case .string(let text) = entry.value, !text.isEmpty else {
                throw ProjectRecordError.badValue(entry.location, key, "a non-empty string")
            }
            return text
        }
        var skip: [String] = []
        if let entry = answers.entry("_skip") {
            switch entry.value {
            case .list(let items):
                for item in items {
                    guard case .string(let pattern) = item else {
                        throw ProjectRecordError.badValue(entry.location, "_skip", "a list of path patterns")
                    }
                    skip.append(pattern)
                }
            case .string(let pattern): skip = [pattern]
            case .none: break
            default: throw ProjectRecordError.badValue(entry.location, "_skip", "a list of path patterns")
            }
        }
        var dirty = false
        if let entry = answers.entry("_template_dirty"), case .bool(let flag) = entry.value { dirty = flag }
        let environmentPath = project + "/" + Provenance.environmentPath
        guard let environment = FileManager.default.contents(atPath: environmentPath) else {
            throw ProjectRecordError.missingFile(environmentPath)
        }
        let checksums = FileManager.default.contents(atPath: project + "/" + Provenance.checksumsPath)
            .map { String(decoding: $0, as: UTF8.self) } ?? ""
        return ProjectRecord(project: project, answers: answers, template: try string("_template"),
                             commit: try string("_commit"), templateWasDirty: dirty, skip: skip,
                             environmentJSON: String(decoding: environment, as: UTF8.self),
                             checksums: parseChecksums(checksums))
    }

    /// A project copier generated: `.copier-answers.yml` with `_src_path` (the template) and,
    /// for a git template, `_commit`. There is no environment record or checksum list: the
    /// template renders with an empty `env`, and only files it generates are compared.
    static func loadCopier(project: String, path: String? = nil) throws -> ProjectRecord {
        let path = path ?? project + "/" + copierAnswersPath
        let answers = try AnswersFile.load(path: path)
        guard let source = answers.entry("_src_path"), case .string(let template) = source.value, !template.isEmpty else {
            throw ProjectRecordError.missingKey(path, "_src_path")
        }
        var commit = ""
        if let entry = answers.entry("_commit") {
            guard case .string(let text) = entry.value else {
                throw ProjectRecordError.badValue(entry.location, "_commit", "a string")
            }
            commit = text
        }
        var record = ProjectRecord(project: project, answers: answers, template: template, commit: commit,
                                   templateWasDirty: false, skip: [], environmentJSON: "{}", checksums: PathMap())
        record.madeBy = "copier"
        return record
    }

    /// A cookiecutter project cruft made: `.cruft.json` names the template and commit, and its
    /// `context.cookiecutter` holds the answers (read by `AnswersFile`, which keeps `template` and
    /// `commit` as `_src_path` and `_commit`).
    static func loadCruft(project: String) throws -> ProjectRecord {
        var record = try loadCopier(project: project, path: project + "/" + cruftPath)
        record.madeBy = "cruft"
        return record
    }

    /// Digest by path of a `sha256sum` listing (GNU escaping of `\` and newlines undone).
    static func parseChecksums(_ text: String) -> PathMap<String> {
        var result = PathMap<String>()
        for line in text.split(separator: "\n") {
            var body = Substring(line)
            let escaped = body.hasPrefix("\\")
            if escaped { body = body.dropFirst() }
            guard let space = body.firstIndex(of: " ") else { continue }
            let digest = String(body[..<space])
            var name = body[body.index(after: space)...]
            if name.hasPrefix(" ") || name.hasPrefix("*") { name = name.dropFirst() }
            guard escaped else { result[String(name)] = digest; continue }
            var path = ""
            var iterator = name.makeIterator()
            while let character = iterator.next() {
                if character == "\\", let next = iterator.next() { path.append(next == "n" ? "\n" : next) } else { path.append(character) }
            }
            result[path] = digest
        }
        return result
    }

    /// The recorded answers as inputs, keeping only questions `manifest` asks (a question the
    /// template dropped is dropped with it) and leaving out `_` settings.
    public func answerInputs(for manifest: TemplateManifest, overrides: AnswersFile? = nil,
                             data: [(key: String, value: String)] = []) -> AnswerInputs {
        let overridden = Set(overrides?.entries.map(\.key) ?? [])
        var entries = answers.entries.filter { entry in
            !entry.key.hasPrefix("_") && manifest.question(named: entry.key) != nil && !overridden.contains(entry.key)
        }
        entries += overrides?.entries ?? []
        return AnswerInputs(file: AnswersFile(path: answers.path, entries: entries), data: data, useDefaults: true)
    }
}

/// Why a project's record cannot be used.
public enum ProjectRecordError: Error, Sendable, CustomStringConvertible {
    case notAProject(String)
    case missingKey(String, String)
    case badValue(SourceLocation, String, String)
    case missingFile(String)

    public var description: String {
        switch self {
        case let .notAProject(path):
            return "'\(path)' is not a generated project (no \(Provenance.answersPath), nor copier's \(ProjectRecord.copierAnswersPath) or cruft's \(ProjectRecord.cruftPath)); "
                + "run this in a generated project or pass its path"
        case let .missingKey(file, key):
            return "\(file): the record has no '\(key)'; it cannot be regenerated"
        case let .badValue(location, key, expected):
            return "\(location): error: '\(key)' must be \(expected)"
        case let .missingFile(path):
            return "\(path) is missing; the project cannot be regenerated without its environment record"
        }
    }
}
