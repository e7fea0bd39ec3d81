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
