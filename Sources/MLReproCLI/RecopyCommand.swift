import ArgumentParser
import Foundation
import MLReproCore
import Prompting

extension MLRepro {
    /// `mlrepro recopy`: regenerate the project from its recorded answers, without merging.
    struct Recopy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "recopy",
            abstract: "Regenerate a project from its recorded answers, replacing what the template generates (no merge).",
            discussion: """
            The escape when 'mlrepro update' cannot merge sensibly (the template was rewritten), as \
            copier recopy. Renders the template at the recorded commit (or --vcs-ref) with the \
            recorded answers (changed by --answers and --data) and writes every file it generates \
            as it renders now: each file that differs is listed as 'overwrite', with whether your \
            own changes to it are lost. Files the template does not generate stay; project-owned \
            files (_project_owned) and _skip_if_exists files that exist stay unless \
            --include-owned; a file the recorded version generated that the template no longer \
            generates is removed only when unchanged. Run with --pretend first. Needs a clean git \
            working tree; all or nothing; the record is rewritten. Review with 'git diff' and take \
            back what you want with 'git checkout -p'.

            Exit status: 0 done, 2 error.
            """
        )

        @Argument(help: ArgumentHelp("The generated project (default: the current directory).", valueName: "PROJECT"))
        var project: String?

        @Option(name: [.customLong("vcs-ref"), .customShort("r")], help: ArgumentHelp("Template tag, branch or commit to regenerate from (default: the recorded commit).", valueName: "REF"))
        var vcsRef: String?

        @OptionGroup var recordedOptions: RecordedProjectOptions

        @Option(name: [.customLong("answers-file"), .customShort("a")], help: ArgumentHelp("The project's record, relative to PROJECT, when it is not where it is looked for (e.g. .copier/.copier-answers.yml).", valueName: "PATH"))
        var answersFile: String?

        @Flag(name: .customLong("include-owned"), help: "Replace project-owned files (_project_owned) too.")
        var includeOwned = false

        @Flag(name: [.long, .customShort("n")], help: "Show what recopy would overwrite, create and remove, and write nothing.")
        var pretend = false

        @Flag(name: .long, help: "Allow the template's Python _jinja_extensions and output-shaping hooks to run.")
        var trust = false

        func run() async throws {
            InterruptionGuard.shared.install()
            InterruptionGuard.shared.describeOutcomes(before: "nothing was changed", after: "the recopy was complete")
            try TemplateOptions.refuseOptionLike(vcsRef)
            let path = Paths.absolute(project ?? ".")
            try Self.refuseSeveralRecords(in: path, answersFile: answersFile)
            var recopy = ProjectRecopy(try recordedOptions.regeneration(of: path, ref: vcsRef, answersFile: answersFile,
                                                                        trust: trust, pretend: pretend))
            recopy.includeOwned = includeOwned
            let report = try recopy.run()
            for note in report.notes { Diagnostics.standard.note(note) }
            for action in report.actions {
                let note = action.note.isEmpty ? "" : "  (\(action.note))"
                Output.line("\(action.kind.rawValue.leftPadded(to: 9))  \(TerminalText.visible(action.path, keepingNewlines: false))\(TerminalText.visible(note, keepingNewlines: false))")
            }
            let from = TemplateRevision.label(report.fromCommit)
            let to = TemplateRevision.label(report.toCommit)
            let overwritten = report.actions.filter { $0.kind == .overwrite }.count
            if report.pretended {
                Output.line(TerminalText.visible("pretend: nothing was written; recopy would regenerate \(path) at \(report.toRef) (\(to)) and overwrite \(overwritten) file\(overwritten == 1 ? "" : "s").", keepingNewlines: false))
                return
            }
            Output.line(TerminalText.visible("Regenerated \(path) from \(from) at \(report.toRef) (\(to)); \(overwritten) file\(overwritten == 1 ? "" : "s") overwritten. Review with 'git diff'.", keepingNewlines: false))
        }
    }
}
