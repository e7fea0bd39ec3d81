import Foundation
import TemplateEngine
import Yams

/// cookiecutter's `cookiecutter.json` (2.7.1's semantics): variables in file order become
/// questions whose defaults render with earlier answers as `{{ cookiecutter.name }}`; a list is a
/// choice (its first item the default), a mapping a YAML value, `_name` and `__name` are private
/// (rendered, never asked); `__prompts__` gives question texts; `_copy_without_render` lists
/// files copied as they are. Every file of the single `{{ cookiecutter.* }}` folder is rendered
/// (binary files are copied); that folder's contents become DEST.
package struct CookiecutterFormat: TemplateFormat {
    package init() {}

    package var name: String { "cookiecutter" }
    /// cookiecutter-data-science's `ccds.json` first: its template keeps `cookiecutter.json` only
    /// as a deprecation notice, and its `ccds` command reads `ccds.json` instead.
    package var manifestFileNames: [String] { ["ccds.json", "cookiecutter.json"] }

    /// The Python that runs `.py` hooks: `MLREPRO_PYTHON`, else `python3` (cookiecutter runs them
    /// with its own interpreter, so point this at the one with the hooks' imports).
    static var python: String { ProcessInfo.processInfo.environment["MLREPRO_PYTHON"] ?? "python3" }

    package func manifest(named fileName: String, in tree: TemplateTree) throws -> TemplateManifest {
        let file = tree.displayPath(fileName)
        guard let entry = tree.entry(at: fileName), let text = String(validating: try entry.read(shownAs: file), as: UTF8.self) else {
            throw ManifestError(location: SourceLocation(file: file, line: 1, column: 1), message: "cookiecutter.json is not valid UTF-8")
        }
        let reader = YAMLValueReader(file: file)
        guard let root = try reader.parse(text) else {
            throw ManifestError(location: SourceLocation(file: file, line: 1, column: 1), message: "cookiecutter.json is empty")
        }
        guard case .mapping(let mapping) = root else {
            throw ManifestError(location: reader.location(root), message: "cookiecutter.json must be a JSON object of variables")
        }
        // ccds's command patches cookiecutter: Jinja2's lenient Undefined, `_` variables kept as
        // written, and choices with sub-items (a list of one-key mappings).
        let ccds = fileName == "ccds.json"
        var manifest = TemplateManifest(fileName: fileName)
        manifest.readsCookiecutterAnswerForms = true
        if ccds { manifest.environmentOptions.undefined = .lenient }
        manifest.templatesSuffix = ""
        manifest.exclude = []
        manifest.answersNamespace = "cookiecutter"
        manifest.keepsUnknownAnswers = true
        manifest.copiesBinaryFiles = true
        manifest.keepsSourceLineEndings = true
        manifest.environmentOptions.keepTrailingNewline = true
        var prompts = OrderedMapping()
        var raw = OrderedMapping()
        for (keyNode, valueNode) in mapping {
            let key = try reader.keyString(keyNode)
            let location = reader.location(keyNode)
            let value = try reader.value(valueNode)
            if !key.hasPrefix("_") { raw[key] = value }
            switch key {
            case "__prompts__":
                guard case .dict(let texts) = value else {
                    throw ManifestError(location: location, message: "__prompts__ must be an object of variable names to prompts")
                }
                prompts = texts
            case "_copy_without_render":
                guard case .list(let items) = value else {
                    throw ManifestError(location: location, message: "_copy_without_render must be a list of glob patterns")
                }
                manifest.copyWithoutRender = try items.map { item in
                    guard case .string(let pattern) = item else {
                        throw ManifestError(location: location, message: "_copy_without_render must be a list of glob patterns")
                    }
                    return pattern
                }
                manifest.questions.append(Self.question(key, value, location: location))
            case "_new_lines":
                guard case .string(let ending) = value, ["\n", "\r\n", "\r"].contains(ending) else {
                    throw ManifestError(location: location, message: "_new_lines must be \"\\n\", \"\\r\\n\" or \"\\r\"")
                }
                manifest.lineEnding = ending
                manifest.questions.append(Self.question(key, value, location: location))
            case "_jinja2_env_vars":
                // cookiecutter passes these to its Jinja2 Environment, after keep_trailing_newline=True.
                do {
                    let undefined = manifest.environmentOptions.undefined
                    manifest.environmentOptions = try TemplateManifest.envops(value, location: location)
                    manifest.environmentOptions.undefined = undefined
                    if case .dict(let fields) = value, fields["keep_trailing_newline"] == nil {
                        manifest.environmentOptions.keepTrailingNewline = true
                    }
                } catch var error as ManifestError {
                    error.message = error.message.replacingOccurrences(of: "_envops", with: "_jinja2_env_vars")
                    throw error
                }
                manifest.questions.append(Self.question(key, value, location: location))
            case "_extensions":
                guard case .list(let items) = value else {
                    throw ManifestError(location: location, message: "_extensions must be a list of extension names")
                }
                // Python extensions (a module of the template, which cookiecutter puts on
                // `sys.path`, or an installed package) run in the helper, only with --trust.
                manifest.jinjaExtensions = try items.map { item in
                    guard case .string(let extensionName) = item else {
                        throw ManifestError(location: location, message: "_extensions must be a list of extension names")
                    }
                    return extensionName
                }
                manifest.questions.append(Self.question(key, value, location: location))
            default:
                var question = Self.question(key, value, location: location)
                if ccds {
                    if key.hasPrefix("_") { question.rawDefault = true }
                    if case .list(let items) = value, case .dict? = items.first {
                        var keyed = OrderedMapping()
                        for item in items {
                            guard case .dict(let one) = item, one.count == 1, let name = one.keys.first else {
                                throw ManifestError(location: location, message: "\(key): a choice with sub-items is a list of one-key objects")
                            }
                            keyed[name] = Self.stringified(one.values[0])
                        }
                        question.keyedChoices = keyed
                        question.choices = .list(keyed.keys.map { .string($0) })
                        question.type = .yaml
                        question.defaultValue = .string(keyed.keys.first ?? "")
                    }
                }
                manifest.questions.append(question)
            }
        }
        for index in manifest.questions.indices {
            let name = manifest.questions[index].name
            switch prompts[name] {
            case .string(let text)?: manifest.questions[index].help = text
            case .dict(let texts)?:
                if case .string(let text)? = texts["__prompt__"] { manifest.questions[index].help = text }
                // The other keys label a choice variable's options (the value stays the option).
                if case .list(let options)? = manifest.questions[index].choices,
                   options.contains(where: { texts[$0.pythonString] != nil }) {
                    var labelled = OrderedMapping()
                    for option in options {
                        let label: String
                        if case .string(let text)? = texts[option.pythonString] { label = text } else { label = option.pythonString }
                        labelled[labelled[label] == nil ? label : "\(label) (\(option.pythonString))"] = option
                    }
                    manifest.questions[index].choices = .dict(labelled)
                }
            default: break
            }
        }
        manifest.tasksAreHooks = true
        // cookiecutter takes any text for a variable, newlines and tabs too (briefcase gives a
        // module's source as `app_source`); its questions have no `multiline`.
        manifest.textAnswersMayBreakLines = true
        for hook in try Self.hooks(named: "pre_gen_project", in: tree) {
            manifest.tasksBeforeWriting.append(.arguments(hook.interpreter + ["-c", hook.script]))
        }
        // pre_prompt runs, not rendered, in a copy of the template before any question (see
        // `ProjectGenerator.runPromptHook`); it may change the template, which is then read again.
        for hook in try Self.hooks(named: "pre_prompt", in: tree) {
            manifest.promptHook = .arguments(hook.interpreter + [hook.path])
        }
        // post_gen_project runs in DEST once the files are in place, rendered like the files, only
        // with --trust; if it fails, a project that did not exist before is removed again.
        for hook in try Self.hooks(named: "post_gen_project", in: tree) {
            manifest.tasks.append(.arguments(hook.interpreter + ["-c", hook.script]))
            manifest.taskConditions.append(TaskCondition())
            manifest.removesProjectWhenTasksFail = true
            manifest.tasksShapeOutput = true
        }
        manifest.rawVariables = raw
        manifest.environmentOptions.nowShiftsLikeArrow = true
        if let nested = try Self.nestedTemplates(mapping: manifest.questions, location: SourceLocation(file: file, line: 1, column: 1)) {
            // Only the choice is asked here; the chosen template asks its own questions.
            manifest.nestedTemplates = (nested.question.name, nested.paths)
            manifest.questions = [nested.question]
            return manifest
        }
        // generate_files renders from inside the project folder with FileSystemLoader(['.', '../templates']).
        manifest.includeFolders = [".", "templates"]
        do {
            manifest.subdirectory = try Self.projectFolder(of: tree, file: file)
        } catch let error as ManifestError where manifest.promptHook != nil {
            // cookiecutter looks for the project folder after pre_prompt ran, which may make it.
            manifest.layoutProblem = error
        }
        return manifest
    }

    /// A `templates` mapping (`{"name": {"path": "./x", "title": ..., "description": ...}}`) or
    /// the old `template` list (`["Title (./x)", ...]`) of `cookiecutter.json`: a question whose
    /// answer names the nested template to render, and the path each answer names.
    static func nestedTemplates(mapping questions: [Question], location: SourceLocation) throws -> (question: Question, paths: [String: String])? {
        if let entry = questions.first(where: { $0.name == "templates" }), case .dict(let options)? = entry.defaultValue {
            var paths: [String: String] = [:]
            var labels = OrderedMapping()
            for (key, value) in options.pairs {
                guard case .dict(let fields) = value, case .string(let path)? = fields["path"] else {
                    throw ManifestError(location: entry.location, message: "templates: '\(key)' needs a \"path\" to its template folder")
                }
                paths[key] = path
                var label = key
                if case .string(let title)? = fields["title"] { label = title }
                if case .string(let text)? = fields["description"] { label += " (\(text))" }
                labels[labels[label] == nil ? label : "\(label) [\(key)]"] = .string(key)
            }
            var question = Question(name: "templates", type: .str, location: entry.location)
            question.help = "Select a template"
            question.choices = .dict(labels)
            question.defaultValue = .string(options.keys.first ?? "")
            return (question, paths)
        }
        if let entry = questions.first(where: { $0.name == "template" }), case .list(let options)? = entry.choices {
            var paths: [String: String] = [:]
            for option in options {
                let text = option.pythonString
                // cookiecutter takes the path from the first `(...)` of the choice, greedily.
                guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close,
                      text.index(after: open) < close else {
                    throw ManifestError(location: entry.location, message: "template: '\(text)' names no template folder; write \"Title (./folder)\"")
                }
                paths[text] = String(text[text.index(after: open)..<close])
            }
            return (entry, paths)
        }
        return nil
    }

    /// The scripts of `hooks/` cookiecutter runs as hook `name`: every file named `name` with any
    /// extension (not a `~` backup), sorted. A `.py` script runs with `python`; another runs with
    /// the interpreter its `#!` line names (a shell or Python, given the script with `-c`), or
    /// `sh` when a `.sh` script has none. Any other script is refused by name rather than skipped.
    static func hooks(named name: String, in tree: TemplateTree) throws -> [(path: String, interpreter: [String], script: String)] {
        var found: [(path: String, interpreter: [String], script: String)] = []
        for entry in tree.entries where !entry.isDirectory && TemplatePath.parent(entry.path) == "hooks" {
            let fileName = String(entry.path.dropFirst("hooks/".count))
            // Python's os.path.splitext: the name before its last dot.
            let stem = fileName.lastIndex(of: ".").map { $0 == fileName.startIndex ? fileName : String(fileName[..<$0]) } ?? fileName
            guard stem == name, !fileName.hasSuffix("~") else { continue }
            let shown = tree.displayPath(entry.path)
            guard let script = String(validating: try entry.read(shownAs: shown), as: UTF8.self) else {
                throw ManifestError(location: SourceLocation(file: shown, line: 1, column: 1), message: "the hook is not valid UTF-8")
            }
            if fileName.hasSuffix(".py") {
                found.append((entry.path, [Self.python], script))
                continue
            }
            var interpreter: [String] = fileName.hasSuffix(".sh") ? ["sh"] : []
            if script.hasPrefix("#!") {
                var words = script.dropFirst(2).prefix { $0 != "\n" }.split(separator: " ").map(String.init)
                if words.first.map({ ($0 as NSString).lastPathComponent }) == "env" {
                    words.removeFirst()
                    while words.first?.hasPrefix("-") == true { words.removeFirst() }
                }
                let program = words.first.map { ($0 as NSString).lastPathComponent } ?? ""
                if ["sh", "bash", "dash", "zsh", "ksh"].contains(program) {
                    interpreter = [program]
                } else if program.hasPrefix("python") {
                    interpreter = [Self.python]
                } else {
                    interpreter = []
                }
            }
            guard !interpreter.isEmpty else {
                throw ManifestError(location: SourceLocation(file: shown, line: 1, column: 1),
                                    message: "hook \(fileName): mlrepro runs Python hooks and shell scripts (sh, bash, dash, zsh, ksh by their #! line); this one is neither")
            }
            found.append((entry.path, interpreter, script))
        }
        return found.sorted { $0.path < $1.path }
    }

    static func question(_ name: String, _ value: Value, location: SourceLocation) -> Question {
        var question = Question(name: name, type: .str, location: location)
        switch value {
        case .bool:
            question.type = .bool
            question.defaultValue = value
        case .list(let items):
            question.choices = .list(items.map { .string(AnswerCast.text($0)) })
            question.defaultValue = items.first.map { .string(AnswerCast.text($0)) } ?? .string("")
        case .dict:
            question.type = .yaml
            question.defaultValue = stringified(value)
            question.rendersNestedDefault = true
        case .string:
            question.defaultValue = value
        case .none:
            // Rendered as `None`, and falsy, as cookiecutter's `render_variable` returns it.
            question.type = .yaml
            question.defaultValue = Value.none
            question.rawDefault = true
        default:
            question.defaultValue = .string(AnswerCast.text(value))
        }
        if name.hasPrefix("_") {
            question.when = .bool(false)
            // `_name` is kept as written; only `__name` is rendered (a list item by item, not a choice).
            if name.hasPrefix("__"), case .list = value {
                question.choices = nil
                question.type = .yaml
                question.defaultValue = stringified(value)
                question.rendersNestedDefault = true
            }
            if !name.hasPrefix("__") {
                question.rawDefault = true
                // cookiecutter leaves a `_` variable as the JSON has it: numbers in lists and
                // mappings stay numbers (only `__` variables are rendered, and so stringified).
                // Its mappings are the OrderedDicts cookiecutter reads the JSON into.
                if case .list = value { question.choices = nil; question.type = .yaml; question.defaultValue = value.orderedDicts }
                if case .dict = value { question.defaultValue = value.orderedDicts; question.rendersNestedDefault = false }
            }
        }
        return question
    }

    /// Values inside a mapping or list as cookiecutter renders them: numbers become strings,
    /// booleans and null stay.
    static func stringified(_ value: Value) -> Value {
        switch value {
        case .dict(let mapping): return .dict(OrderedMapping(mapping.pairs.map { ($0.key, stringified($0.value)) }))
        case .list(let items): return .list(items.map(stringified))
        case .int, .float: return .string(AnswerCast.text(value))
        default: return value
        }
    }

    /// The template's one folder whose name holds `cookiecutter` inside `{{ }}`, as cookiecutter
    /// looks for it.
    static func projectFolder(of tree: TemplateTree, file: String) throws -> String {
        var folders: [String] = []
        for entry in tree.entries where entry.isDirectory || entry.path.contains("/") {
            let top = entry.isDirectory && !entry.path.contains("/") ? entry.path : String(entry.path.prefix { $0 != "/" })
            if !folders.contains(top) { folders.append(top) }
        }
        let candidates = folders.filter { $0.contains("cookiecutter") && $0.contains("{{") && $0.contains("}}") }.sorted()
        guard let folder = candidates.first else {
            throw ManifestError(location: SourceLocation(file: file, line: 1, column: 1),
                                message: "no project folder: a cookiecutter template needs a top-level folder named like {{ cookiecutter.project_slug }}")
        }
        return folder
    }
}
