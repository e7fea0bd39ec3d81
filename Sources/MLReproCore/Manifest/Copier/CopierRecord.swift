import Foundation
import TemplateEngine

/// copier's record of a project: its answers file alone.
extension ProjectRecord {
    /// copier's answers file, as copier writes it without `_answers_file`.
    package static let copierAnswersPath = ".copier-answers.yml"

    /// A project copier generated: `.copier-answers.yml` with `_src_path` (the template) and,
    /// for a git template, `_commit`. There is no environment record or checksum list: the
    /// template renders with an empty `env`, and only files it generates are compared.
    static func loadCopier(project: String, relative: String = copierAnswersPath) throws -> ProjectRecord {
        let path = project + "/" + relative
        guard let data = try RecordInput.contents(of: relative, in: project, maxBytes: YAMLValueReader.defaultMaxBytes) else {
            throw ProjectRecordError.notAProject(project)
        }
        let answers = try AnswersFile.load(contents: data, path: path, cookiecutterForms: relative == cruftPath)
        guard let source = answers.entry("_src_path"), case .string(let template) = source.value, !template.isEmpty else {
            throw ProjectRecordError.missingKey(path, "_src_path")
        }
        var commit = ""
        if let entry = answers.entry("_commit") {
            switch entry.value {
            case .string(let text): commit = text
            // cruft writes `"commit": null` for a template that is not a git repository.
            case .none: commit = ""
            default: throw ProjectRecordError.badValue(entry.location, relative == cruftPath ? "commit" : "_commit", "a string or null")
            }
        }
        var record = ProjectRecord(project: project, answers: answers, template: template, commit: commit,
                                   templateWasDirty: false, skip: try skipPatterns(answers), environmentJSON: "{}",
                                   checksums: PathMap())
        record.madeBy = .copier
        record.layout = RecordLayout.of(record: relative)
        return record
    }
}
