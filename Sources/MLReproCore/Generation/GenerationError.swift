/// Everything that stops `init`, `validate` or `render`, with what to do about it.
package enum GenerationError: Error, Sendable, CustomStringConvertible {
    case templateNotFound(String, tried: [String])
    case gitTemplatesUnsupported(String)
    case noManifest(String)
    /// A folder without a manifest that is not read as a template without questions, and why.
    case noManifestNotRead(String, reason: String)
    /// `--format` named a format whose manifest the template does not have.
    case noManifestOfFormat(String, format: String, files: [String])
    case unreadable(String, String)
    case symlinkEscapes(displayPath: String)
    /// `suggestion`: the question the key most likely meant.
    case unknownAnswer(key: String, location: SourceLocation?, suggestion: String? = nil)
    case invalidAnswer(key: String, location: SourceLocation?, message: String)
    case missingAnswer(key: String)
    case badDataArgument(String)
    case questionTemplate(question: String, field: String, location: SourceLocation, message: String)
    case pathTemplate(path: String, message: String)
    case unsafeOutputPath(template: String, rendered: String, reason: String)
    case duplicateOutput(path: String, first: String, second: String)
    case renderFailed(String)
    case destinationNotEmpty(String)
    case destinationConflict(path: String, reason: String)
    case destinationIsFile(String)
    case writeFailed(path: String, reason: String)
    /// The template's code that would run (`ProjectGenerator.codeThatRuns`), and no `--trust`.
    case tasksNeedTrust([String])
    case extensionsNeedTrust(names: [String])
    case promptHookFailed(command: String, status: Int32)
    case extensionUnavailable(name: String, reason: String, manifest: String?)
    case extensionFailed(what: String, extensions: String, message: String)
    case taskFailed(index: Int, command: String, status: Int32)
    /// cookiecutter's `pre_gen_project` hook failed: nothing of the template was written.
    case hookBeforeWritingFailed(status: Int32)
    case versionTooOld(required: String, current: String)
    case noTTY
    /// Git work was asked for and libgit2 cannot be loaded.
    case gitUnavailable(String)
    /// A post-generation hook failed and the new project was removed again.
    case taskFailedProjectRemoved(index: Int, command: String, status: Int32)
    /// An `_external_data` file outside DEST, read only with `--trust`.
    case externalDataOutside(name: String, path: String, location: SourceLocation)
    /// A folder on the way to a project file is a symbolic link leading out of the project.
    case linkLeavesProject(path: String, link: String, target: String)

    package var description: String {
        switch self {
        case let .templateNotFound(name, tried):
            let places = tried.map { "  \($0)" }.joined(separator: "\n")
            return "template '\(name)' not found; tried:\n\(places)\nrun 'mlrepro templates' to list the built-in templates, or pass a template directory"
        case let .gitTemplatesUnsupported(source):
            return "template '\(source)' is a git URL; git template sources are not supported yet: clone it and pass the directory with --template DIR"
        case let .noManifest(origin):
            let names = TemplateFormats.manifestFileNames
            let listed = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "") : names.joined()
            return "\(origin) has no template manifest (\(listed))"
        case let .noManifestNotRead(origin, reason):
            return GenerationError.noManifest(origin).description + "; " + reason
        case let .noManifestOfFormat(origin, format, files):
            return "--format \(format): \(origin) has no \(files.joined(separator: " or ")); drop --format or choose a format the template has"
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .symlinkEscapes(path):
            return "\(path): symbolic link points outside the template; refusing to follow it"
        case let .unknownAnswer(key, location, suggestion):
            let hint = suggestion.map { "; did you mean '\($0)'?" } ?? ""
            return located(location, "unknown question '\(key)'\(hint) (answers for names the template does not ask are refused; keys starting with '_' are ignored)")
        case let .invalidAnswer(key, location, message):
            return located(location, "answer '\(key)': \(message)")
        case let .missingAnswer(key):
            return "question '\(key)' has no answer and no default; give it with --data \(key)=VALUE or in the --answers file"
        case let .badDataArgument(text):
            return "--data expects KEY=VALUE, got '\(text)'"
        case let .questionTemplate(question, field, location, message):
            return "\(location): error: question '\(question)', \(field): \(message)"
        case let .pathTemplate(path, message):
            return "\(path): error: cannot render the file name: \(message)"
        case let .unsafeOutputPath(template, rendered, reason):
            return "\(template): error: output path '\(rendered)' is refused: \(reason)"
        case let .duplicateOutput(path, first, second):
            return "template files '\(first)' and '\(second)' both render to '\(path)'"
        case let .renderFailed(message):
            return message
        case let .linkLeavesProject(path, link, target):
            return "'\(path)': the folder '\(link)' is a symbolic link to \(target), outside the project; refusing to read or write through it"
        case let .externalDataOutside(name, path, location):
            return located(location, "_external_data.\(name): the data file '\(path)' is outside DEST; reading it needs --trust")
        case let .taskFailedProjectRemoved(index, command, status):
            return "task \(index) '\(command)' failed with exit status \(status); the new project was removed again (nothing was kept; --no-cleanup keeps it)"
        case let .gitUnavailable(reason):
            return "\(reason); or pass --no-git to generate without a repository (nothing was written)"
        case let .destinationNotEmpty(path):
            return "destination '\(path)' exists and is not empty; choose a new directory, or pass --force to write into it (files the template does not produce are kept)"
        case let .destinationConflict(path, reason):
            return "cannot write '\(path)': \(reason); nothing was changed"
        case let .destinationIsFile(path):
            return "destination '\(path)' exists and is not a directory"
        case let .writeFailed(path, reason):
            return "cannot write '\(path)': \(reason); nothing was changed"
        case let .promptHookFailed(command, status):
            return "the pre_prompt hook '\(command)' failed with exit status \(status); nothing was written"
        case let .extensionsNeedTrust(names):
            return "this template runs Python code: _jinja_extensions \(names.joined(separator: ", ")); review it and pass --trust to allow it (as copier asks). Nothing was written"
        case let .extensionUnavailable(name, reason, manifest):
            return "\(manifest.map { "\($0): " } ?? "")_jinja_extensions: '\(name)' cannot be used: \(reason)"
        case let .extensionFailed(what, extensions, message):
            return "Python extension (\(extensions)), \(what): \(message)"
        case let .tasksNeedTrust(code):
            return "this template runs \(code.joined(separator: ", ")); review it and pass --trust to allow it (or --skip-tasks to run none of it). Nothing was written"
        case let .hookBeforeWritingFailed(status):
            return "hook pre_gen_project failed with exit status \(status); nothing was written"
        case let .taskFailed(index, command, status):
            return "task \(index) '\(command)' failed with exit status \(status); the generated files were kept"
        case let .versionTooOld(required, current):
            return "this template needs mlrepro \(required) or newer (this is \(current)); update mlrepro"
        case .noTTY:
            return "no answers given and stdin is not a terminal; pass --answers FILE or --defaults (or --data KEY=VALUE for single answers)"
        }
    }

    private func located(_ location: SourceLocation?, _ message: String) -> String {
        guard let location else { return message }
        return "\(location): error: \(message)"
    }
}
