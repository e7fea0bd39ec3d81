import TemplateEngine

/// copier's manifest, `copier.yml` or `copier.yaml`, with copier's conventions: the answers
/// file defaults to `.copier-answers.yml` (rendered from the template when it ships
/// `{{ _copier_conf.answers_file }}.jinja`), answers no question asks are kept for the
/// templates with a warning, and undefined names are Jinja2's lenient `Undefined`.
package struct CopierManifestFormat: TemplateFormat {
    package init() {}

    package var name: String { "copier" }
    package var manifestFileNames: [String] { ["copier.yml", "copier.yaml"] }

    package func manifest(named fileName: String, in tree: TemplateTree) throws -> TemplateManifest {
        // copier reads whichever root `copier.*` has a YAML suffix, and refuses a template with two.
        let configs = tree.entries.filter { !$0.isDirectory && Self.isConfigFileName($0.path) }.map(\.path).sorted()
        if configs.count > 1 {
            throw ManifestError(location: SourceLocation(file: tree.displayPath(fileName), line: 1, column: 1),
                                message: "multiple config files (\(configs.joined(separator: ", "))): copier refuses such a template; keep one")
        }
        // PyYAML, which copier reads its manifest with, keeps a repeated key's last value.
        var manifest = try YAMLManifest.read(fileName, in: tree, lastKeyWins: true)
        if manifest.answersFile == nil { manifest.answersFile = ".copier-answers.yml" }
        manifest.keepsUnknownAnswers = true
        manifest.recordsGivenAnswersFirst = true
        manifest.skipsHiddenQuestionsWithoutDefault = true
        manifest.answersFileNamedAnywhere = true
        // copier's environment has `{% now %}` only through jinja2-time's extension.
        manifest.environmentOptions.nowTag = manifest.jinjaExtensions.contains { PythonExtensions.timeExtensions.contains($0) }
        // copier's `cleanup_on_error`: a DEST it made is removed when a task fails.
        manifest.removesProjectWhenTasksFail = true
        // copier renders with Jinja2's default Undefined: a name nothing defines prints empty.
        manifest.environmentOptions.undefined = manifest.undefinedSetting ?? .lenient
        // copier copies its own manifest unless `_exclude` drops it (the default list does).
        manifest.formatFiles = []
        return manifest
    }

    /// A root file copier takes for its manifest: `copier.` and a suffix that starts with `.yml` or
    /// `.yaml`, in any case (copier's `glob("copier.*")` and `re.match(r"\.ya?ml", suffix, re.I)`).
    static func isConfigFileName(_ path: String) -> Bool {
        guard !path.contains("/"), path.hasPrefix("copier.") else { return false }
        let suffix = path.split(separator: ".", omittingEmptySubsequences: false).last.map { "." + $0.lowercased() } ?? ""
        return suffix.hasPrefix(".yml") || suffix.hasPrefix(".yaml")
    }
}
