import Foundation
import TemplateEngine

/// Everything `init` needs to know, gathered by the command line.
package struct GenerationRequest: Sendable {
    /// Absolute path of DEST.
    package var destination: String
    package var tree: TemplateTree
    package var inputs: AnswerInputs
    /// The environment record as JSON text (see `EnvironmentRecordProvider`).
    package var environmentJSON: String
    package var git: GitIdentity
    package var vcsRef: String?
    package var force = false
    package var trust = false
    /// copier's `--skip-tasks`: neither `_tasks` nor hooks run (so they need no `--trust`).
    package var skipTasks = false
    /// What every render of the generation spends together (question defaults, file names,
    /// file contents, messages); nil: a budget of its own, from the manifest's limits. `update`
    /// gives the renders of the old and the new template one budget, as it holds both at once.
    package var renderBudget: RenderBudget? = nil
    /// Where the record goes: `.mlrepro/answers.yml`, or `.mlrepro/answers.NAME.yml` for a
    /// template applied to a project another template made (`init --answers-file`).
    package var layout = RecordLayout.standard

    package init(destination: String, tree: TemplateTree, inputs: AnswerInputs, environmentJSON: String,
                git: GitIdentity = GitIdentity(), vcsRef: String? = nil, force: Bool = false, trust: Bool = false) {
        self.destination = destination
        self.tree = tree
        self.inputs = inputs
        self.environmentJSON = environmentJSON
        self.git = git
        self.vcsRef = vcsRef
        self.force = force
        self.trust = trust
    }
}

/// Answers resolved and plan made; nothing written yet.
package struct PreparedGeneration: Sendable {
    package var request: GenerationRequest
    package var manifest: TemplateManifest
    package var answers: ResolvedAnswers
    package var context: OrderedMapping
    package var environment: TemplateEnvironment
    package var plan: GenerationPlan
    /// The template the files are rendered from: the request's, or the copy a `pre_prompt`
    /// hook changed.
    package var tree: TemplateTree
    package var messageBeforeCopy: String?
    package var messageAfterCopy: String?
    package var messageBeforeUpdate: String?
    package var messageAfterUpdate: String?
    package var tasks: [PreparedTask]
    /// Run in the empty staging folder of the project before its files are written (see
    /// `runTasksBeforeWriting`); one that fails leaves nothing written.
    package var tasksBeforeWriting: [TaskCommand] = []
    package var warnings: [String]
}

/// A `_tasks` entry rendered and about to run: its command and the folder it runs in.
package struct PreparedTask: Sendable, Equatable {
    package var command: TaskCommand
    package var directory: String
}

/// One line of `--pretend` output.
package struct PlannedAction: Sendable, Equatable {
    package enum Action: String, Sendable { case create, overwrite, skip }
    package var action: Action
    package var path: String
    package var isSecret: Bool
}

/// The pipeline: answers → plan → render → stage → commit → record.
package enum ProjectGenerator {
    /// Reads the manifest, resolves answers and plans the output. Writes nothing.
    /// - Parameter resolving: resolves the answers instead of `AnswerResolver.resolve(_:)` (the
    ///   interactive wizard asks through it).
    /// What of the template's own code a generation would run, and when, in words for the user:
    /// cookiecutter's hooks by name, copier's `_tasks` by count.
    static func codeThatRuns(_ manifest: TemplateManifest) -> [String] {
        var code: [String] = []
        if manifest.promptHook != nil { code.append("the pre_prompt hook (before the questions are asked)") }
        if !manifest.tasksBeforeWriting.isEmpty {
            code.append(manifest.tasksAreHooks ? "the pre_gen_project hook (before the files are written)"
                                               : "\(manifest.tasksBeforeWriting.count) task(s) before the files are written")
        }
        if !manifest.tasks.isEmpty {
            code.append(manifest.tasksAreHooks ? "the post_gen_project hook (after the files are written)"
                                               : "\(manifest.tasks.count) task(s) (_tasks) after generating")
        }
        return code
    }

    package static func prepare(
        _ request: GenerationRequest,
        resolving: ((AnswerResolver, AnswerInputs) throws -> ResolvedAnswers)? = nil
    ) throws -> PreparedGeneration {
        // Questions, names and hooks draw seeded values in one scope, the same on every prepare.
        try TemplateRandomness.within("") { try prepareInScope(request, resolving: resolving) }
    }

    private static func prepareInScope(
        _ request: GenerationRequest,
        resolving: ((AnswerResolver, AnswerInputs) throws -> ResolvedAnswers)?
    ) throws -> PreparedGeneration {
        var tree = request.tree
        var manifest = try tree.manifest()
        // An `--answers` file's form is the template format's to read (cookiecutter's forms).
        var request = request
        request.inputs.file = request.inputs.file?.read(by: manifest)
        func skipTasksIfAsked() {
            guard request.skipTasks else { return }
            manifest.tasks = []
            manifest.taskConditions = []
            manifest.tasksBeforeWriting = []
            manifest.promptHook = nil
        }
        skipTasksIfAsked()
        if let minimum = manifest.minimumVersion, let required = SemanticVersion(minimum),
           let current = SemanticVersion(MLReproVersion.current), current < required {
            throw GenerationError.versionTooOld(required: minimum, current: MLReproVersion.current)
        }
        if !request.trust {
            // Code that runs before the answers are known is refused now; `_tasks` once their
            // `when` is known (a task that would not run needs no trust).
            var early = manifest
            early.tasks = manifest.tasks.indices.filter { index in
                guard index < manifest.taskConditions.count, let when = manifest.taskConditions[index].when else { return true }
                if case .string = when { return false }
                return AnswerCast.truthy(when)
            }.map { manifest.tasks[$0] }
            let code = codeThatRuns(early)
            if !code.isEmpty { throw GenerationError.tasksNeedTrust(code) }
        }
        if let hook = manifest.promptHook {
            // The template as the hook left it is what the questions and files come from; the
            // record keeps the template as it was given.
            tree = try runPromptHook(hook, on: tree)
            manifest = try tree.manifest()
            skipTasksIfAsked()
        }
        let envReader = YAMLValueReader(file: Provenance.environmentPath)
        let envValue = try envReader.parse(request.environmentJSON).map { try envReader.value($0) } ?? .dict(OrderedMapping())
        var renderingContext = RenderingContext(
            environmentRecord: envValue, destination: request.destination, templateSource: tree.source,
            templatePath: tree.origin, answersFile: Self.answersFile(manifest, layout: request.layout),
            vcsRef: request.vcsRef, git: request.git, revision: tree.revision, copierNames: manifest.copierNames)
        renderingContext.requestedSource = tree.requestedSource
        renderingContext.options.defaults = request.inputs.useDefaults
        renderingContext.options.overwrite = request.force
        renderingContext.options.unsafe = request.trust
        renderingContext.options.skipTasks = request.skipTasks
        renderingContext.nestedPath = tree.nestedPath
        let base = try GenerationPlanner.base(of: manifest, in: tree)
        var environment = RenderingContext.environment(options: manifest.environmentOptions,
                                                      loader: TreeLoader(tree: tree, base: base, manifest: manifest))
        if let budget = request.renderBudget { environment.budget = budget }
        let extensions = try pythonExtensions(manifest, tree: tree, trust: request.trust)
        extensions?.install(into: &environment)
        var resolver = AnswerResolver(manifest: manifest, environment: environment, context: renderingContext)
        resolver.trust = request.trust
        if let extensions, extensions.hookCount > 0 { resolver.contextHook = { try extensions.applyHooks(to: $0) } }
        var answers = try resolving?(resolver, request.inputs) ?? resolver.resolve(request.inputs)
        if let nested = manifest.nestedTemplates {
            return try prepareNested(nested, answers: answers, request: request, tree: tree, resolving: resolving)
        }
        if let requested = tree.requestedSource, requested != tree.source
            || requested != TemplateLocator.recordedName(of: tree, destination: request.destination) {
            // Recorded so that check and update render `_src_path` as init did: they find the
            // template by the recorded `_template`, which for a folder beside the project is
            // `../tpl` whatever form (relative, absolute, `~`) was given.
            answers.recorded["_src_path"] = .string(requested)
        }
        var context = renderingContext.full(answers: answers, namespace: manifest.answersNamespace)
        if let raw = manifest.rawVariables {
            context["_cookiecutter"] = .dict(cookiecutterOptions(raw, answers: answers, inputs: request.inputs))
        }
        if manifest.externalData.count > 0 {
            var external = AnswerResolver.ExternalData()
            context["_external_data"] = try resolver.externalData(scope: context, loaded: &external)
        }
        if let extensions { context = try extensions.applyHooks(to: context) }
        // cookiecutter renders `pre_gen_project` before the files, with the very context object it
        // renders them with: what the hook changes in place there (`{{ cookiecutter.update({...}) }}`)
        // the files and `post_gen_project` see.
        var hooksBeforeWriting: [TaskCommand]?
        if manifest.tasksAreHooks, !manifest.tasksBeforeWriting.isEmpty, let namespace = manifest.answersNamespace {
            (hooksBeforeWriting, context) = try renderHooksBeforeWriting(manifest, tree: tree, namespace: namespace,
                                                                         environment: environment, context: context)
        }
        let plan = try GenerationPlanner(tree: tree, manifest: manifest, environment: environment).plan(context: context)
        // copier renders tasks in its `tasks` phase, and messages outside any phase.
        var taskContext = RenderingContext.phase("tasks", of: context)
        if request.trust, !manifest.tasks.isEmpty, !manifest.tasksAreHooks {
            // Tasks may run files of a git template from `{{ _copier_conf.src_path }}`.
            taskContext = try TemplateCheckout.commandContext(taskContext, tree: tree)
        }
        if request.trust, manifest.tasksAreHooks, !manifest.tasks.isEmpty || !manifest.tasksBeforeWriting.isEmpty,
           let namespace = manifest.answersNamespace {
            // Hooks may read a git template's files from `{{ cookiecutter._repo_dir }}`.
            taskContext = try TemplateCheckout.hookContext(taskContext, tree: tree, namespace: namespace)
        }
        let messageContext = RenderingContext.phase("undefined", of: context)
        func message(_ text: String?, _ name: String) throws -> String? {
            guard let text else { return nil }
            do {
                return try environment.render(text, name: tree.displayPath(manifest.fileName) + ":" + name,
                                              context: name.hasPrefix("_tasks") || name == "hook" ? taskContext : messageContext)
            } catch let error as TemplateError {
                throw GenerationError.renderFailed(error.description)
            }
        }
        var tasks: [PreparedTask] = []
        for (index, task) in manifest.tasks.enumerated() {
            let condition = index < manifest.taskConditions.count ? manifest.taskConditions[index] : TaskCondition()
            if let when = condition.when {
                let asked: Value = if case .string(let text) = when { .string(try message(text, "_tasks.when") ?? "") } else { when }
                if !AnswerCast.truthy(asked) { continue }
            }
            var directory = request.destination
            if let relative = try condition.workingDirectory.flatMap({ try message($0, "_tasks.working_directory") }),
               !relative.isEmpty, relative != "." {
                let parts = relative.split(separator: "/")
                if relative.hasPrefix("/") || parts.contains("..") {
                    throw GenerationError.unsafeOutputPath(template: tree.displayPath(manifest.fileName), rendered: relative,
                                                           reason: "a task's working_directory must stay inside DEST")
                }
                directory += "/" + parts.joined(separator: "/")
            }
            let command: TaskCommand
            switch task {
            case .shell(let line): command = .shell(try message(line, "_tasks") ?? line)
            case .arguments(let parts): command = .arguments(try parts.map { try message($0, "_tasks") ?? $0 })
            }
            tasks.append(PreparedTask(command: command, directory: directory))
        }
        if !request.trust && !tasks.isEmpty {
            var later = manifest
            later.promptHook = nil
            later.tasksBeforeWriting = []
            later.tasks = Array(manifest.tasks.prefix(tasks.count))
            throw GenerationError.tasksNeedTrust(codeThatRuns(later))
        }
        // Only cookiecutter's hooks run before writing, rendered above.
        let tasksBeforeWriting = hooksBeforeWriting ?? []
        if !request.force, DestinationState.inspect(request.destination) == .nonEmptyDirectory {
            throw GenerationError.destinationNotEmpty(request.destination)
        }
        if DestinationState.inspect(request.destination) == .file {
            throw GenerationError.destinationIsFile(request.destination)
        }
        var warnings = manifest.warnings
        warnings += manifest.unknownSettings.map { "\($0.location): warning: unknown setting '\($0.name)' is ignored" }
        warnings += answers.warnings
        if manifest.tasksAreHooks, let namespace = manifest.answersNamespace {
            warnings += Self.repoDirWarnings(tree: tree, plan: plan, namespace: namespace)
        }
        for name in answers.unasked {
            warnings.append("no question asks '\(name)'; the answer is passed to the template as it is")
        }
        return PreparedGeneration(
            request: request, manifest: manifest, answers: answers, context: context, environment: environment,
            plan: plan, tree: tree, messageBeforeCopy: try message(manifest.messageBeforeCopy, "_message_before_copy"),
            messageAfterCopy: try message(manifest.messageAfterCopy, "_message_after_copy"),
            messageBeforeUpdate: try message(manifest.messageBeforeUpdate, "_message_before_update"),
            messageAfterUpdate: try message(manifest.messageAfterUpdate, "_message_after_update"),
            tasks: tasks, tasksBeforeWriting: tasksBeforeWriting, warnings: warnings)
    }

    /// cookiecutter's nested templates: the answer to the choosing question names a folder of the
    /// template, which is then generated as a template of its own with the same inputs (as
    /// cookiecutter calls itself again). The record keeps the template as given and the choice.
    static func prepareNested(_ nested: (question: String, paths: [String: String]), answers: ResolvedAnswers,
                              request: GenerationRequest, tree: TemplateTree,
                              resolving: ((AnswerResolver, AnswerInputs) throws -> ResolvedAnswers)?) throws -> PreparedGeneration {
        let chosen = answers.all[nested.question].map { $0.pythonString } ?? ""
        guard let path = nested.paths[chosen] else {
            throw GenerationError.invalidAnswer(key: nested.question, location: nil,
                                                message: "'\(chosen)' is not one of the templates: \(nested.paths.keys.sorted().joined(separator: ", "))")
        }
        let parts = path.split(separator: "/").filter { $0 != "." }.map(String.init)
        let folder = parts.joined(separator: "/")
        guard !path.hasPrefix("/"), !parts.contains(".."), !folder.isEmpty, tree.entry(at: folder)?.isDirectory == true else {
            throw GenerationError.unreadable(tree.displayPath(path), "\(nested.question) '\(chosen)' names no folder inside the template")
        }
        var inner = request
        inner.tree = tree.subtree(at: folder)
        inner.inputs.data.removeAll { $0.key == nested.question }
        if let file = inner.inputs.file {
            inner.inputs.file = AnswersFile(path: file.path, entries: file.entries.filter { $0.key != nested.question })
        }
        var prepared = try prepare(inner, resolving: resolving)
        var recorded = OrderedMapping()
        recorded[nested.question] = .string(chosen)
        for (key, value) in prepared.answers.recorded.pairs { recorded[key] = value }
        prepared.answers.recorded = recorded
        prepared.request.tree = request.tree
        return prepared
    }

    /// cookiecutter's `pre_gen_project` hooks rendered as they run, and the context after them:
    /// `namespace` as the hooks changed it in place (its `_repo_dir` as the files see it).
    static func renderHooksBeforeWriting(_ manifest: TemplateManifest, tree: TemplateTree, namespace: String,
                                         environment: TemplateEnvironment,
                                         context: OrderedMapping) throws -> ([TaskCommand], OrderedMapping) {
        var scope = RenderingContext.phase("tasks", of: context)
        scope = try TemplateCheckout.hookContext(scope, tree: tree, namespace: namespace)
        var changedNamespace = false
        func render(_ text: String) throws -> String {
            do {
                let (output, changed) = try environment.compile(text, name: tree.displayPath(manifest.fileName) + ":hook")
                    .renderChangingContext(scope)
                if let value = changed[namespace] {
                    scope[namespace] = value
                    changedNamespace = true
                }
                return output
            } catch let error as TemplateError {
                throw GenerationError.renderFailed(error.description)
            }
        }
        var commands: [TaskCommand] = []
        for task in manifest.tasksBeforeWriting {
            switch task {
            case .shell(let line): commands.append(.shell(try render(line)))
            case .arguments(let parts): commands.append(.arguments(try parts.map(render)))
            }
        }
        guard changedNamespace, case .dict(var mapping)? = scope[namespace], case .dict(let before)? = context[namespace] else {
            return (commands, context)
        }
        mapping["_repo_dir"] = before["_repo_dir"]
        var updated = context
        updated[namespace] = .dict(mapping)
        return (commands, updated)
    }

    /// The environment a template's commands run with, beyond the small clean one mlrepro's own
    /// `_tasks` get: cookiecutter runs its hooks with the whole environment it was started with
    /// (a hook may read `VIRTUAL_ENV`, git's identity, its own switches), so hooks get it too.
    package static func hookEnvironment(hooks: Bool) -> [String: String] {
        hooks ? ProcessInfo.processInfo.environment : [:]
    }

    /// cookiecutter's `pre_prompt` hook, run in a private copy of the template (as cookiecutter
    /// runs it); returns the copy as the hook left it, named like the original.
    static func runPromptHook(_ hook: TaskCommand, on tree: TemplateTree,
                              runner: any ProcessRunning = SystemProcessRunner()) throws -> TemplateTree {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlrepro-pre-prompt-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try TemplateEntry.write(tree.entries, into: folder)
        let status = try runner.run(hook, in: folder, environment: hookEnvironment(hooks: true))
        guard status == 0 else {
            throw GenerationError.promptHookFailed(command: hook.display, status: status)
        }
        var hooked = try TemplateTree.read(directory: folder, source: tree.source)
        // The copy is removed on return: a large file read from it is taken from the template as
        // given when the hook left it as it was, else read now (within `TemplateLimits.readWhole`).
        hooked.entries = try hooked.entries.map { entry in
            guard entry.isStreamed else { return entry }
            if let original = tree.entry(at: entry.path), !original.isDirectory, original.size == entry.size,
               try original.digest() == entry.digest() {
                var kept = original
                kept.mode = entry.mode
                kept.linkTarget = entry.linkTarget
                return kept
            }
            var read = entry
            read.bytes = try entry.read(shownAs: tree.displayPath(entry.path) + " (as the pre_prompt hook left it)")
            return read
        }
        hooked.origin = tree.origin
        hooked.revision = tree.revision
        hooked.requestedSource = tree.requestedSource
        return hooked
    }

    /// The template's Python `_jinja_extensions`, started (nil when it names none). They run only
    /// with `trust`; the helper imports them from a copy of the template's files, which its
    /// environment's loader also reads (as copier's loader reads the template's folder).
    static func pythonExtensions(_ manifest: TemplateManifest, tree: TemplateTree, trust: Bool) throws -> PythonExtensions? {
        let specs = try PythonExtensions.pythonSpecs(manifest.jinjaExtensions, manifest: tree.displayPath(manifest.fileName))
        guard !specs.isEmpty else { return nil }
        guard trust else { throw GenerationError.extensionsNeedTrust(names: specs) }
        // The whole template: a module may read files beside it (`Path(__file__).parent`), as it
        // can where cookiecutter and copier import it from the template folder.
        // cookiecutter renders in the template's project folder.
        return try PythonExtensions(specs: specs, modules: tree.entries,
                                    workingFolder: manifest.tasksAreHooks ? manifest.subdirectory : nil)
    }

    /// DEST when the command line names none: the `project_slug` answer, else the template's name.
    package static func defaultDestinationName(_ prepared: PreparedGeneration) -> String {
        if case .string(let slug)? = prepared.answers.all["project_slug"], !slug.isEmpty { return slug }
        return prepared.request.tree.source.split(separator: "/").last.map(String.init) ?? "mlrepro-project"
    }

    /// Runs the commands that come before writing (cookiecutter's `pre_gen_project`) in `folder`,
    /// the project's still empty staging folder (cookiecutter runs the hook in the new project
    /// folder; what it creates there stays); the first that fails stops the run before any file
    /// of the template is written.
    package static func runTasksBeforeWriting(_ prepared: PreparedGeneration, in folder: String,
                                             runner: any ProcessRunning = SystemProcessRunner()) throws {
        for task in prepared.tasksBeforeWriting {
            let status = try runner.run(task, in: folder, environment: hookEnvironment(hooks: true))
            if status != 0 { throw GenerationError.hookBeforeWritingFailed(status: status) }
        }
    }

    /// Runs the template's `_tasks` in DEST in order (the request was checked for `--trust` when
    /// prepared); the first task that exits non-zero stops the run with `taskFailed`.
    ///
    /// `mayRemoveDestination` says this run created DEST and the user did not ask to keep it on
    /// failure (`init --no-cleanup`). Then, for a format that removes what it made when a task fails
    /// (copier's `cleanup_on_error`, cookiecutter's removal of the output folder), any failure
    /// removes DEST, and a failed task is reported as `taskFailedProjectRemoved`.
    package static func runTasks(_ prepared: PreparedGeneration, runner: any ProcessRunning = SystemProcessRunner(),
                                mayRemoveDestination: Bool = false, willRun: (TaskCommand) -> Void = { _ in }) throws {
        do {
            for (index, task) in prepared.tasks.enumerated() {
                willRun(task.command)
                let status = try runner.run(task.command, in: task.directory,
                                            environment: hookEnvironment(hooks: prepared.manifest.tasksAreHooks))
                if status != 0 { throw GenerationError.taskFailed(index: index + 1, command: task.command.display, status: status) }
            }
        } catch {
            guard mayRemoveDestination && prepared.manifest.removesProjectWhenTasksFail else { throw error }
            try? FileManager.default.removeItem(atPath: prepared.request.destination)
            if case GenerationError.taskFailed(let index, let command, let status) = error {
                throw GenerationError.taskFailedProjectRemoved(index: index, command: command, status: status)
            }
            throw error
        }
    }

    /// `_copier_conf.answers_file`: the manifest's (copier's default `.copier-answers.yml`), or
    /// mlrepro's record. A template recorded apart under NAME writes copier's answers file as
    /// `.copier-answers.NAME.yml`, as `copier copy -a` would, so it never replaces another
    /// template's.
    static func answersFile(_ manifest: TemplateManifest, layout: RecordLayout) -> String {
        guard let name = layout.name else { return manifest.answersFile ?? Provenance.answersPath }
        return manifest.answersFile == nil ? layout.answersPath : ".copier-answers.\(name).yml"
    }

    /// What `--pretend` reports, without rendering file contents.
    package static func actions(_ prepared: PreparedGeneration) -> [PlannedAction] {
        let destination = prepared.request.destination
        var actions: [PlannedAction] = []
        for item in prepared.plan.files {
            let exists = FileManager.default.fileExists(atPath: destination + "/" + item.path)
            let action: PlannedAction.Action = exists ? ((item.isSecret || item.skipIfExists) ? .skip : .overwrite) : .create
            actions.append(PlannedAction(action: action, path: item.path, isSecret: item.isSecret))
        }
        for path in prepared.request.layout.files {
            let exists = FileManager.default.fileExists(atPath: destination + "/" + path)
            actions.append(PlannedAction(action: exists ? .overwrite : .create, path: path, isSecret: false))
        }
        return actions
    }

    /// Renders everything into a staging directory beside DEST, records `.mlrepro/`, and moves
    /// the result into place. On any error DEST is as it was and the staging directory is gone.
    /// `beforeMove` gets the staging directory once it is complete (the git step uses it).
    package static func write(_ prepared: PreparedGeneration, runner: any ProcessRunning = SystemProcessRunner(),
                             beforeMove: (String) throws -> Void = { _ in }) throws -> (report: CommitReport, kept: [String]) {
        let destination = prepared.request.destination
        var toRender: [PlannedItem] = []
        var kept: [String] = []
        for item in prepared.plan.items {
            if item.kind != .directory && (item.isSecret || item.skipIfExists) {
                var info = stat()
                if lstat(destination + "/" + item.path, &info) == 0 { kept.append(item.path); continue }
            }
            toRender.append(item)
        }
        // Everything is rendered before the staging folder exists: a template that fails to
        // render (or runs out of its budget) leaves nothing behind, not even an empty folder.
        let renderer = FileRenderer(tree: prepared.tree, environment: prepared.environment,
                                    keepsSourceLineEndings: prepared.manifest.keepsSourceLineEndings,
                                    lineEnding: prepared.manifest.lineEnding)
        // Files copied as they are and kept on disk (or in git) until used are streamed when
        // written, never read whole.
        let streamed = toRender.map { item in
            item.kind == .copy ? prepared.tree.entry(at: item.source).flatMap { $0.isStreamed ? $0 : nil } : nil
        }
        let rendered = try renderer.contents(of: zip(toRender, streamed).filter { $0.1 == nil }.map(\.0), context: prepared.context)
        var contents: [[UInt8]] = []
        var next = rendered.makeIterator()
        for source in streamed { contents.append(source == nil ? next.next() ?? [] : []) }
        let outputs = try record(prepared, items: toRender, contents: contents, streamed: streamed)
        InterruptionGuard.shared.install()
        let staged = try StagedTree.create(for: destination)
        do {
            try runTasksBeforeWriting(prepared, in: staged.path, runner: runner)
            try staged.write(outputs)
            try beforeMove(staged.path)
            let report = try staged.commit(outputs: outputs, force: prepared.request.force)
            return (report, kept)
        } catch {
            staged.discard()
            throw error
        }
    }

    /// The files to write: the rendered items plus `.mlrepro/answers.yml`, `checksums` and
    /// `environment.json`, sorted by path.
    static func record(_ prepared: PreparedGeneration, items toRender: [PlannedItem], contents: [[UInt8]],
                       streamed: [TemplateEntry?] = []) throws -> [OutputFile] {
        var outputs: [OutputFile] = []
        var recorded: [(path: String, bytes: [UInt8])] = []
        var digests: [(path: String, digest: String)] = []
        for (index, (item, bytes)) in zip(toRender, contents).enumerated() {
            let mode: UInt16 = item.isSecret ? 0o600 : item.mode
            if index < streamed.count, let source = streamed[index] {
                outputs.append(OutputFile(path: item.path, copying: source, mode: mode))
                if !item.isSecret { digests.append((item.path, try source.digest())) }
                continue
            }
            outputs.append(OutputFile(path: item.path, bytes: bytes, mode: mode, isDirectory: item.kind == .directory))
            if item.kind != .directory && !item.isSecret { recorded.append((item.path, bytes)) }
        }
        let answersText = Provenance.answersText(template: TemplateLocator.recordedName(of: prepared.request.tree,
                                                                                        destination: prepared.request.destination),
                                                 commit: prepared.request.tree.revision?.commit ?? prepared.request.tree.contentHash,
                                                 answers: prepared.answers.recorded, layout: prepared.request.layout)
        let answersBytes = Array(answersText.utf8)
        let environmentBytes = Array(prepared.request.environmentJSON.utf8)
        let layout = prepared.request.layout
        recorded.append((layout.answersPath, answersBytes))
        recorded.append((layout.environmentPath, environmentBytes))
        let checksums = Array(Provenance.checksumsText(recorded, digests: digests).utf8)
        outputs.append(OutputFile(path: GenerationPlan.recordDirectory, bytes: [], mode: 0o755, isDirectory: true))
        outputs.append(OutputFile(path: layout.answersPath, bytes: answersBytes, mode: 0o644))
        outputs.append(OutputFile(path: layout.checksumsPath, bytes: checksums, mode: 0o644))
        outputs.append(OutputFile(path: layout.environmentPath, bytes: environmentBytes, mode: 0o644))
        outputs.sort { $0.path < $1.path }
        return outputs
    }
}

extension ProjectGenerator {
    /// cookiecutter names a cloned template's `_repo_dir` by the folder it clones into
    /// (`~/.cookiecutters/NAME`, a path of the machine); mlrepro renders the template source there
    /// instead, so that the project renders the same on every machine (hooks get a folder of the
    /// template's files). A warning names each file of a template cloned from a URL that reads it
    /// outside the hooks, so that the difference is never silent.
    static func repoDirWarnings(tree: TemplateTree, plan: GenerationPlan, namespace: String) -> [String] {
        guard tree.revision != nil, let source = tree.requestedSource,
              case .remote? = try? TemplateSource.classify(source, relativeTo: FileManager.default.currentDirectoryPath) else {
            return []
        }
        // Only what is rendered: a name or the contents of a file the plan renders.
        let needle = Array("_repo_dir".utf8)
        var files: [String] = []
        for item in plan.items where item.kind == .directory || item.kind == .render {
            if item.source.utf8.firstRange(of: needle) != nil {
                files.append(item.source)
            } else if item.kind == .render, let entry = tree.entry(at: item.source), let bytes = try? entry.read(),
                      bytes.firstRange(of: needle) != nil {
                files.append(item.source)
            }
        }
        return files.map { path in
            "\(tree.displayPath(path)): warning: \(namespace)._repo_dir is rendered as the template source '\(source)'; "
                + "cookiecutter renders the folder it clones the template into (~/.cookiecutters/...), a path of the machine"
        }
    }
}

