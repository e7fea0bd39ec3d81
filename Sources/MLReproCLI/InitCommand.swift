import ArgumentParser
import Foundation
import MLReproCore
import Prompting

extension MLRepro {
    /// `mlrepro init`: generate a project from a template.
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Generate a project from a template.",
            discussion: """
            Answers come from --data (highest), then --answers, then the questions' defaults. \
            Without a terminal on stdin, --answers or --defaults is required. The project is \
            rendered next to DEST and moved into place only when complete; an existing, non-empty \
            DEST is refused unless --force. The record of how it was made is written to \
            DEST/.mlrepro/ (answers.yml, checksums, environment.json).

            --answers-file .mlrepro/answers.NAME.yml applies another template to a project \
            (DEST may exist): it is recorded apart (answers.NAME.yml, checksums.NAME, \
            environment.NAME.json), and check and update handle each template. It refuses a record \
            of the same name, a file another recorded template generates (unless one of them \
            declares it the project's own) and, without --force, any other existing file.
            """
        )

        @Argument(help: ArgumentHelp("Folder to create (default: the project_slug answer, else the template name).", valueName: "DEST"))
        var destination: String?

        @OptionGroup var templateOptions: TemplateOptions
        @OptionGroup var answerOptions: AnswerOptions

        @Flag(name: .long, help: "Answer every question not given with its default.")
        var defaults = false

        @Flag(name: [.long, .customShort("n")], help: "Print what would be created or overwritten; write nothing.")
        var pretend = false

        @Flag(name: .long, help: "Write into an existing, non-empty DEST (files the template does not produce are kept).")
        var force = false

        @Option(name: [.customLong("answers-file"), .customShort("a")], help: ArgumentHelp("Where to record this template, relative to DEST: .mlrepro/answers.NAME.yml records another template of a project apart from the one .mlrepro/answers.yml records (default: .mlrepro/answers.yml). A copier template writes its own answers file as .copier-answers.NAME.yml.", valueName: "PATH"))
        var answersFile: String?

        @Flag(name: .customLong("no-git"), help: "Do not initialise a git repository in DEST.")
        var noGit = false

        @Flag(name: .customLong("no-probe"), help: "Do not probe the machine; record every probe source as skipped.")
        var noProbe = false

        @Flag(name: .long, help: "Allow the template's _tasks and hooks to run, and its Python _jinja_extensions to load.")
        var trust = false

        @Flag(name: .customLong("skip-tasks"), help: "Run none of the template's _tasks or hooks (they then need no --trust).")
        var skipTasks = false

        @Flag(name: .long, help: "Print only errors.")
        var quiet = false

        @Flag(name: .customLong("no-cleanup"),
              help: "Keep a new DEST when a task or hook fails (copier and cookiecutter templates otherwise remove it, as those tools do).")
        var noCleanup = false

        @Flag(name: .long, help: "On a terminal, ask every question again with the --answers file's values as defaults.")
        var ask = false

        func run() async throws {
            if let destination, let reason = Self.templateSourceLike(destination, force: force) {
                throw CommandError("DEST '\(destination)' \(reason), not a folder to create; did you mean 'mlrepro init --template \(destination)'? (DEST comes after it, e.g. 'mlrepro init my-study --template \(destination)')")
            }
            InterruptionGuard.shared.install()
            // A signal during a prompt ends the prompt, which puts the terminal back first.
            InitWizard.interceptSignalsWhilePrompting()
            if answerOptions.answers == nil && !defaults && !Terminal.stdinIsTTY {
                throw GenerationError.noTTY
            }
            if ask && (defaults || !Terminal.stdinIsTTY) {
                throw CommandError("--ask asks on a terminal: it needs a terminal on stdin and cannot be combined with --defaults")
            }
            let inputs = try answerOptions.inputs(useDefaults: defaults)
            let tree = try templateOptions.locate(answers: inputs.file)
            let provisional = Paths.absolute(destination ?? "mlrepro-project")
            let provider: any EnvironmentRecordProvider = ProbedEnvironmentRecord(skipped: noProbe)
            let environmentJSON = await provider.recordJSON(workingDirectory: provisional)
            var request = GenerationRequest(destination: provisional, tree: tree, inputs: inputs,
                                            environmentJSON: environmentJSON, git: GitIdentity.fromGitConfig(),
                                            vcsRef: tree.revision?.commit, force: force, trust: trust)
            request.skipTasks = skipTasks
            if let answersFile {
                request.layout = try RecordLayout.forInit(answersFile: answersFile)
                // DEST may be a project already: what may be written there is decided below.
                request.force = true
            }
            // On a terminal, questions the command line leaves open are asked (see InitWizard).
            let wizard = defaults || !Terminal.stdinIsTTY ? nil
                : InitWizard(prompter: TerminalPrompter(), reask: ask, environmentJSON: environmentJSON)
            func prepare(_ request: GenerationRequest) throws -> PreparedGeneration {
                do {
                    return try wizard?.prepare(request) ?? ProjectGenerator.prepare(request)
                } catch let error as PromptError {
                    throw InitWizard.exitRequest(for: error)
                }
            }
            var prepared = try prepare(request)
            if destination == nil {
                // DEST defaults to the project slug; answers may depend on DEST, so resolve again.
                request.destination = Paths.absolute(ProjectGenerator.defaultDestinationName(prepared))
                prepared = try prepare(request)
            }
            if let answersFile {
                // Another template of an existing project: recorded apart, never over another's files.
                try Self.refuseRecordedTemplates(prepared, answersFile: answersFile, force: force)
            }
            for warning in prepared.warnings { Diagnostics.standard.warning(warning) }
            let shownDestination = destination ?? (request.destination as NSString).lastPathComponent
            if pretend {
                for action in ProjectGenerator.actions(prepared) {
                    Output.line("\(action.action.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(action.path)\(action.isSecret ? "  (secret)" : "")")
                }
                for task in prepared.tasks {
                    Output.line("run       \(TerminalText.visible(task.command.display, keepingNewlines: false))")
                }
                Output.line("pretend: nothing was written to \(shownDestination)")
                return
            }
            if let wizard, wizard.askedAnything {
                do {
                    if try !wizard.confirm(prepared) {
                        Terminal.writeStderr("mlrepro: not confirmed; nothing was written\n")
                        throw ExitRequest(.differences)
                    }
                } catch let error as PromptError {
                    throw InitWizard.exitRequest(for: error)
                }
            }
            if !quiet, let message = prepared.messageBeforeCopy { Output.line(TerminalText.visible(message)) }
            var existing = stat()
            let destinationWasAbsent = lstat(request.destination, &existing) != 0
            GeneratedRepository.annotate(&prepared)
            let gitRef = noGit ? "" : GeneratedRepository.refLabel(for: tree)
            var gitOutcome: GeneratedRepository.Outcome?
            let (report, kept) = try ProjectGenerator.write(prepared) { staging in
                if !noGit {
                    gitOutcome = try GeneratedRepository.commitStaged(staging, destination: request.destination,
                                                                      template: tree.source, ref: gitRef)
                }
            }
            if !quiet {
                for path in report.created { Output.line("    create  \(path)") }
                for path in report.overwritten { Output.line(" overwrite  \(path)") }
                for path in report.identical { Output.line(" identical  \(path)") }
                for path in kept { Output.line("      keep  \(path)") }
            }
            // The pristine render, read back before any task can change it: update's merge base.
            let pristine = noGit || prepared.manifest.tasksShapeOutput ? [] : PristineBase.written(prepared, kept: kept)
            try ProjectGenerator.runTasks(prepared, mayRemoveDestination: destinationWasAbsent && !noCleanup) { task in
                if !quiet { Output.line("       run  \(TerminalText.visible(String(task.display.prefix(200)), keepingNewlines: false))") }
            }
            if !noGit {
                try InitGit.report(gitOutcome, destination: request.destination, tree: tree, written: report, quiet: quiet)
                if !pristine.isEmpty {
                    do {
                        try PristineBase.record(project: request.destination, template: tree.source,
                                                commit: tree.revision?.commit ?? tree.contentHash, files: pristine, layout: request.layout)
                    } catch {
                        Diagnostics.standard.warning("the merge base for 'mlrepro update' could not be kept in \(request.layout.baseReference): \(error)")
                    }
                }
                if case .committed(_, let author, _)? = gitOutcome, !prepared.tasks.isEmpty,
                   let commit = try GeneratedRepository.commitTaskChanges(at: request.destination, author: author), !quiet {
                    Output.line("    commit  \(commit.prefix(7)) (what the template's tasks changed)")
                }
            }
            if !quiet {
                Output.line("Generated \(shownDestination) from template \(tree.source).")
                if let message = prepared.messageAfterCopy { Output.line(TerminalText.visible(message)) }
            }
        }

        /// `init --answers-file` into a folder that may hold other templates' records: refuses (nothing
        /// written) a record of the same name, a file another recorded template generates (unless
        /// one of them declares it the project's own), and, without --force, any existing file the
        /// template would overwrite.
        static func refuseRecordedTemplates(_ prepared: PreparedGeneration, answersFile: String, force: Bool) throws {
            let destination = prepared.request.destination
            let layout = prepared.request.layout
            let records = ProjectRecords.find(in: destination)
            if let taken = records.first(where: { RecordLayout.of(record: $0) == layout }) ?? layout.files.first(where: {
                var info = stat()
                return lstat(destination + "/" + $0, &info) == 0
            }) {
                throw RecordPlacementError("'\(destination)' already has the record \(taken); a template is recorded once per name: "
                    + "choose another NAME (--answers-file .mlrepro/answers.NAME.yml), or change that template with "
                    + "'mlrepro update --answers-file \(taken)'. Nothing was written")
            }
            try DriftCheck.refuseOverlap(prepared, recordedAs: layout.answersPath,
                                         template: RecordedTemplate(git: GitTemplateLoader(warn: { Diagnostics.standard.warning($0) }),
                                                                    trust: prepared.request.trust))
            guard !force else { return }
            let existing = prepared.plan.files.filter { item in
                guard !item.isSecret && !item.skipIfExists else { return false }
                var info = stat()
                return lstat(destination + "/" + item.path, &info) == 0
            }.map(\.path)
            if !existing.isEmpty {
                let shown = existing.prefix(10).map { "  " + TerminalText.visible($0, keepingNewlines: false) }.joined(separator: "\n")
                throw RecordPlacementError("the template would overwrite \(existing.count) file\(existing.count == 1 ? "" : "s") "
                    + "of '\(destination)' that no recorded template generates:\n\(shown)\(existing.count > 10 ? "\n  ..." : "")\n"
                    + "pass --force to overwrite them; nothing was written")
            }
        }

        /// Why `destination` looks like a template source rather than a folder to create (copier's
        /// `copier copy SRC DST` habit); nil when it does not. An existing folder holding a template
        /// manifest counts unless `--force` says it is meant.
        static func templateSourceLike(_ destination: String, force: Bool) -> String? {
            let lowered = destination.lowercased()
            for prefix in ["gh:", "gl:", "git@", "git+"] where lowered.hasPrefix(prefix) {
                return "looks like a git template source ('\(prefix)')"
            }
            if lowered.contains("://") { return "looks like a URL" }
            if lowered.hasSuffix(".git") || lowered.hasSuffix(".git/") { return "looks like a git repository" }
            if !force {
                let folder = Paths.absolute(destination)
                for name in TemplateFormats.manifestFileNames where FileManager.default.fileExists(atPath: folder + "/" + name) {
                    return "is a template (it has \(name))"
                }
            }
            return nil
        }
    }
}
