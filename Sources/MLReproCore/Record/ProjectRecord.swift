import Foundation
import Prompting
import TemplateEngine

/// What `.mlrepro/` says about a generated project: template, commit, answers, environment.
package struct ProjectRecord: Sendable {
    /// Absolute path of the project.
    package var project: String
    package var answers: AnswersFile
    /// `_template` as recorded.
    package var template: String
    /// `_commit`: a full git commit id, or `sha256:...` for templates that are not git.
    package var commit: String
    /// `_template_dirty`: the template's uncommitted working tree was rendered.
    package var templateWasDirty: Bool
    /// `_skip`: patterns of paths the project owns; never compared or updated.
    package var skip: [String]
    /// `.mlrepro/environment.json`, as-is.
    package var environmentJSON: String
    /// `.mlrepro/checksums`: sha256 by path of every file the template generated.
    package var checksums: PathMap<String>

    /// Paths listed in `.mlrepro/checksums`, sorted.
    package var checksummedPaths: [String] { checksums.sortedKeys }

    package var isGitCommit: Bool { commit.utf8.count == 40 && commit.utf8.allSatisfy { $0 < 128 && Character(UnicodeScalar($0)).isHexDigit } }

    /// Which tool's record this is: mlrepro's `.mlrepro/`, copier's answers file alone, or cruft's
    /// `.cruft.json`.
    package var madeBy = Maker.mlrepro

    /// The tool that wrote a project's record. It is known from which file the record was read,
    /// never written to the record itself.
    package enum Maker: Sendable, Equatable {
        /// `.mlrepro/answers.yml` (or a template's `.mlrepro/answers.NAME.yml`).
        case mlrepro
        /// A copier answers file (`.copier-answers.yml` or copier's `--answers-file`).
        case copier
        /// cruft's `.cruft.json` of a cookiecutter project.
        case cruft
    }

    /// Where mlrepro's record of this template is (or goes, for a copier or cruft record that
    /// `update` or `recopy` rewrites): `.mlrepro/answers.yml`, or `.mlrepro/answers.NAME.yml` for a
    /// template recorded apart (see `RecordLayout`).
    package var layout = RecordLayout.standard

    /// The git ref the project was generated from, when the template is a git repository: the
    /// recorded commit, or what copier's `_commit` names (a tag, or `git describe` output).
    package var generatedRef: String? {
        if isGitCommit { return commit }
        guard madeBy != .mlrepro, !commit.isEmpty, !commit.hasPrefix("sha256:") else { return nil }
        // `v1.2.0-3-gabc1234` (git describe): the commit is the part after `-g`.
        if let range = commit.range(of: "-g", options: .backwards) {
            let hash = commit[range.upperBound...]
            if hash.count >= 7, hash.allSatisfy(\.isHexDigit) { return String(hash) }
        }
        return commit
    }

    /// Reads the record; a directory without `.mlrepro/answers.yml` is no generated project.
    /// The record is untrusted input (`RecordInput`): its files are read only as regular files
    /// inside the project, and every path it names is checked before anything uses it.
    ///
    /// `answersFile` (copier's `--answers-file`, relative to the project) names the record to read
    /// instead of looking for one: `.mlrepro/answers.yml`, `.cruft.json`, or a copier answers file
    /// anywhere inside the project (e.g. `.copier/.copier-answers.yml`).
    package static func load(project: String, answersFile: String? = nil) throws -> ProjectRecord {
        if let answersFile {
            if let reason = RecordInput.problem(with: answersFile) {
                throw ProjectRecordError.unreadable(answersFile, "--answers-file must be a path inside the project: \(reason)")
            }
            let normalised = answersFile.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
            if normalised == cruftPath { return try loadCruft(project: project) }
            if let name = RecordLayout.mlreproName(of: normalised) {
                guard RecordInput.exists(normalised, in: project) else { throw ProjectRecordError.missingFile(project + "/" + normalised) }
                return try loadMLRepro(project: project, layout: RecordLayout(name: name))
            }
            if normalised != Provenance.answersPath {
                guard RecordInput.exists(normalised, in: project) else {
                    throw ProjectRecordError.missingFile(project + "/" + normalised)
                }
                return try loadCopier(project: project, relative: normalised)
            }
        }
        if !RecordInput.exists(Provenance.answersPath, in: project) {
            if RecordInput.exists(copierAnswersPath, in: project) { return try loadCopier(project: project) }
            if RecordInput.exists(cruftPath, in: project) { return try loadCruft(project: project) }
            // Only templates recorded apart (`.mlrepro/answers.NAME.yml`): one of them is the record.
            let named = ProjectRecords.find(in: project).filter { RecordLayout.mlreproName(of: $0) != nil }
            if named.count == 1, let name = RecordLayout.mlreproName(of: named[0]) {
                return try loadMLRepro(project: project, layout: RecordLayout(name: name))
            }
            throw ProjectRecordError.notAProject(project)
        }
        return try loadMLRepro(project: project, layout: .standard)
    }

    /// mlrepro's own record of one template, in `layout`'s files.
    static func loadMLRepro(project: String, layout: RecordLayout) throws -> ProjectRecord {
        let answersPath = project + "/" + layout.answersPath
        guard let answersData = try RecordInput.contents(of: layout.answersPath, in: project,
                                                          maxBytes: YAMLValueReader.defaultMaxBytes) else {
            throw ProjectRecordError.notAProject(project)
        }
        let answers = try AnswersFile.load(contents: answersData, path: answersPath, cookiecutterForms: false)
        func string(_ key: String) throws -> String {
            guard let entry = answers.entry(key) else { throw ProjectRecordError.missingKey(answersPath, key) }
            guard case .string(let text) = entry.value, !text.isEmpty else {
                throw ProjectRecordError.badValue(entry.location, key, "a non-empty string")
            }
            return text
        }
        let skip = try skipPatterns(answers)
        var dirty = false
        if let entry = answers.entry("_template_dirty"), case .bool(let flag) = entry.value { dirty = flag }
        let environmentPath = project + "/" + layout.environmentPath
        guard let environment = try RecordInput.contents(of: layout.environmentPath, in: project) else {
            throw ProjectRecordError.missingFile(environmentPath)
        }
        guard let environmentText = String(data: environment, encoding: .utf8) else {
            throw ProjectRecordError.unreadable(environmentPath, "it is not UTF-8 text")
        }
        let checksums = try RecordInput.contents(of: layout.checksumsPath, in: project)
        var record = ProjectRecord(project: project, answers: answers, template: try string("_template"),
                                   commit: try string("_commit"), templateWasDirty: dirty, skip: skip,
                                   environmentJSON: environmentText,
                                   checksums: try parseChecksums(checksums.map { String(decoding: $0, as: UTF8.self) } ?? "",
                                                                 file: project + "/" + layout.checksumsPath))
        record.layout = layout
        return record
    }

    /// `_skip`: a pattern or a list of them, each one that can only match inside the project.
    static func skipPatterns(_ answers: AnswersFile) throws -> [String] {
        guard let entry = answers.entry("_skip") else { return [] }
        var patterns: [String] = []
        switch entry.value {
        case .list(let items):
            for item in items {
                guard case .string(let pattern) = item else {
                    throw ProjectRecordError.badValue(entry.location, "_skip", "a list of path patterns")
                }
                patterns.append(pattern)
            }
        case .string(let pattern): patterns = [pattern]
        case .none: break
        default: throw ProjectRecordError.badValue(entry.location, "_skip", "a list of path patterns")
        }
        for pattern in patterns {
            if let reason = RecordInput.patternProblem(pattern) {
                throw ProjectRecordError.unsafePath(entry.location, pattern, reason)
            }
        }
        return patterns
    }

    /// Digest by path of a `sha256sum` listing (GNU escaping of `\` and newlines undone). Each
    /// line must be a SHA-256 digest and a path inside the project; anything else is an error
    /// located in `file`.
    static func parseChecksums(_ text: String, file: String) throws -> PathMap<String> {
        var result = PathMap<String>()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty { continue }
            func location(_ column: Int) -> SourceLocation { SourceLocation(file: file, line: number + 1, column: column) }
            var body = Substring(line)
            let escaped = body.hasPrefix("\\")
            if escaped { body = body.dropFirst() }
            let digest = body.prefix { $0 != " " }
            guard digest.utf8.count == 64, digest.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }),
                  body.dropFirst(64).hasPrefix("  ") || body.dropFirst(64).hasPrefix(" *") else {
                throw ProjectRecordError.badValue(location(1), "checksums", "lines of a SHA-256 digest (64 hex digits), two spaces and a path, as sha256sum writes them")
            }
            let name = body.dropFirst(66)
            var path = ""
            if escaped {
                var iterator = name.makeIterator()
                while let character = iterator.next() {
                    if character == "\\", let next = iterator.next() { path.append(next == "n" ? "\n" : next) } else { path.append(character) }
                }
            } else {
                path = String(name)
            }
            try RecordInput.check(path, at: location(67 + (escaped ? 1 : 0)))
            result[path] = String(digest).lowercased()
        }
        return result
    }

    /// The recorded answers as inputs, keeping only questions `manifest` asks (a question the
    /// template dropped is dropped with it) and leaving out `_` settings. A cookiecutter template
    /// that chooses a nested template keeps them all: the chosen one asks its own questions.
    package func answerInputs(for manifest: TemplateManifest, overrides: AnswersFile? = nil,
                             data: [(key: String, value: String)] = []) -> AnswerInputs {
        let overrides = overrides?.read(by: manifest)
        let overridden = Set(overrides?.entries.map(\.key) ?? [])
        var entries = answers.entries.filter { entry in
            !entry.key.hasPrefix("_") && (manifest.question(named: entry.key) != nil || manifest.nestedTemplates != nil)
                && !overridden.contains(entry.key)
        }
        entries += overrides?.entries ?? []
        return AnswerInputs(file: AnswersFile(path: answers.path, entries: entries), data: data, useDefaults: true)
    }
}

/// Why a project's record cannot be used.
package enum ProjectRecordError: Error, Sendable, CustomStringConvertible {
    case notAProject(String)
    case missingKey(String, String)
    case badValue(SourceLocation, String, String)
    case missingFile(String)
    /// A record file that may not be read: a link, not a regular file, too large.
    case unreadable(String, String)
    /// A path (or pattern) in the record that could reach outside the project.
    case unsafePath(SourceLocation, String, String)
    /// A path only the record names leads through a symbolic link in the project.
    case throughLink(path: String, link: String)

    package var description: String {
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
        case let .unreadable(path, reason):
            return "\(path): error: the project's record cannot be read: \(reason); nothing was changed"
        case let .throughLink(path, link):
            return "the record names '\(TerminalText.visible(path, keepingNewlines: false))', but '\(TerminalText.visible(link, keepingNewlines: false))' "
                + "is a symbolic link; paths from a project's record are never read through links"
        case let .unsafePath(location, path, reason):
            return "\(location): error: the record names '\(TerminalText.visible(path, keepingNewlines: false))', which is refused: \(reason). "
                + "A project's record is untrusted input; nothing was read or changed"
        }
    }
}
