import TemplateEngine

/// A template's manifest in the format-neutral model every stage after `TemplateFormat` consumes.
package struct TemplateManifest: Sendable {
    /// The manifest file at the template root, for messages.
    package var fileName: String
    /// Root files the format reads itself; never copied into the project.
    package var formatFiles: [String] = []
    /// Answers for names no question asks are kept for the templates, with a warning (copier),
    /// instead of refused (mlrepro's own manifests).
    package var keepsUnknownAnswers = false
    /// Every text answer may hold newlines and tabs, as if each question were `multiline`
    /// (cookiecutter takes any text for a variable).
    package var textAnswersMayBreakLines = false
    /// copier: a question whose `when` is false and that has no default gets no answer at all
    /// (its name stays undefined and out of the record); otherwise its type's empty value or an
    /// error "has no answer and no default".
    package var skipsHiddenQuestionsWithoutDefault = false
    /// copier: a file whose name renders to the answers file's path (`.copier-answers/project.yml`)
    /// is the answers file, in whatever folder of the template it lies.
    package var answersFileNamedAnywhere = false
    /// Recorded answers list those the answers file and `--data` gave first, in their order (copier).
    package var recordsGivenAnswersFirst = false
    /// Templates see copier's names (`_copier_conf`, `_copier_answers`, `_copier_phase`,
    /// `_copier_python`, `_folder_name`): copier.yml, and mlrepro.yml, which documents them.
    /// cookiecutter templates do not (a name cookiecutter does not define is undefined there).
    package var copierNames = false
    /// An `--answers` file may be in one of cookiecutter's forms (a replay file, a user config's
    /// `default_context`, cruft's `.cruft.json`), whose inner mapping holds the answers.
    package var readsCookiecutterAnswerForms = false
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
