import ArgumentParser
import Foundation
import MLReproCore
import Prompting
import TemplateEngine

extension MLRepro {
    /// `mlrepro update`: bring the template's newer changes into a generated project.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Merge a newer template version (or changed answers) into a generated project.",
            discussion: """
            Needs a clean git working tree. Three renders meet: the template at the recorded \
            commit and answers (base), the template at --vcs-ref (default: the newest version \
            tag, else HEAD) with the recorded answers changed by --answers and --data (theirs), \
            and the project as it is (yours). Files you did not change take the template's new \
            version; files both changed are merged line by line; lines changed on both sides are \
            left between diff3 conflict markers (<<<<<<< ||||||| ======= >>>>>>>) and listed. \
            Files you deleted stay deleted; files the template removed are removed only if you \
            never changed them. .mlrepro/answers.yml and checksums are rewritten. Nothing is \
            committed: review with 'git diff'. Project-owned files (_project_owned) are merged \
            the same way, so template fixes reach them; --keep-owned leaves them as they are.

            A project made from several templates (.mlrepro/answers.NAME.yml records, copier's \
            .copier-answers.NAME.yml): without --answers-file every template is updated in turn, \
            each against its own merge base and all or nothing, stopping at the first one left with \
            conflicts; --vcs-ref, --template, --answers and --data then need --answers-file.

            Exit status: 0 merged cleanly, 1 conflicts left, 2 error.
            """
        )

        @Argument(help: ArgumentHelp("The generated project (default: the current directory).", valueName: "PROJECT"))
        var project: String?

        @Option(name: [.customLong("vcs-ref"), .customShort("r")], help: ArgumentHelp("Template tag, branch or commit to update to.", valueName: "REF"))
        var vcsRef: String?

        @OptionGroup var recordedOptions: RecordedProjectOptions

        @Option(name: [.customLong("answers-file"), .customShort("a")], help: ArgumentHelp("The project's record, relative to PROJECT: one template of several (.mlrepro/answers.NAME.yml, .copier-answers.NAME.yml), or a record not where it is looked for (e.g. .copier/.copier-answers.yml).", valueName: "PATH"))
        var answersFile: String?

        @Flag(name: .customLong("keep-owned"), help: "Leave project-owned files (_project_owned) as they are instead of merging the template's changes into them.")
        var keepOwned = false

        @Flag(name: [.long, .customShort("n")], help: "Show what update would do (each file, new answers, migrations) and write nothing.")
        var pretend = false

        @Flag(name: .long, help: "Allow the template's _migrations to run and its Python _jinja_extensions to load.")
        var trust = false

        func run() async throws {
            InterruptionGuard.shared.install()
            InterruptionGuard.shared.describeOutcomes(before: "nothing was changed", after: "the update was complete")
            try TemplateOptions.refuseOptionLike(vcsRef)
            let path = Paths.absolute(project ?? ".")
            let records = answersFile == nil ? ProjectRecords.find(in: path) : []
            if records.count > 1 {
                try updateEvery(records, of: path)
                return
            }
            let report = try makeUpdate(path, answersFile: answersFile).runPrompting()
            try show(report, of: path)
        }

        /// One record's update, as the options ask.
        private func makeUpdate(_ path: String, answersFile: String?, checkedClean: Bool = false) throws -> ProjectUpdate {
            var update = ProjectUpdate(try recordedOptions.regeneration(of: path, ref: vcsRef, answersFile: answersFile,
                                                                        trust: trust, pretend: pretend))
            update.keepOwned = keepOwned
            update.treeCheckedClean = checkedClean
            // Questions the record leaves open (new in this version, or whose `when` became true) are
            // asked on a terminal with init's prompts; without one they take their defaults, listed below.
            if Terminal.stdinIsTTY {
                InitWizard.interceptSignalsWhilePrompting()
                let wizard = InitWizard(prompter: TerminalPrompter(), reask: false, environmentJSON: "{}")
                update.ask = { try wizard.ask($0) }
            }
            return update
        }

        /// A project made from several templates: each record's template updated in turn, each
        /// against its own merge base and all or nothing; the first record left with conflicts (or
        /// failing) stops the rest, and the message says which were done.
        private func updateEvery(_ records: [String], of path: String) throws {
            if vcsRef != nil || recordedOptions.changesOneTemplate {
                throw CommandError("this project was made from \(records.count) templates (\(records.joined(separator: ", "))), and "
                    + "--vcs-ref, --template, --answers and --data are one template's: name it with --answers-file, "
                    + "e.g. 'mlrepro update --answers-file \(records[records.count - 1])'")
            }
            if !pretend { try ProjectUpdate.requireCleanTree(path) }
            let loader = GitTemplateLoader(warn: { Diagnostics.standard.warning($0) })
            do {
                try DriftCheck.refuseOverlaps(project: path, template: RecordedTemplate(git: loader, trust: trust))
            } catch let error where !(error is OverlappingTemplates) {
                Diagnostics.standard.note("while rendering each template from its record (\(records.joined(separator: ", "))) "
                    + "before updating any; nothing was changed")
                throw error
            }
            var done: [String] = []
            for record in records {
                let report: UpdateReport
                do {
                    report = try makeUpdate(path, answersFile: record, checkedClean: true).runPrompting()
                } catch {
                    if !done.isEmpty {
                        Diagnostics.standard.note("updated before this error: \(done.joined(separator: ", ")); "
                            + "\(record) and the records after it were not changed")
                    }
                    Diagnostics.standard.note("while updating the template recorded in \(record)")
                    throw error
                }
                Output.line(TerminalText.visible("== \(record): template \(report.template)", keepingNewlines: false))
                do {
                    try show(report, of: path)
                } catch let request as ExitRequest {
                    let rest = records.drop(while: { $0 != record }).dropFirst()
                    if !rest.isEmpty {
                        Output.line("stopped at the conflicts of \(record); not updated yet: \(rest.joined(separator: ", ")). "
                            + "Resolve and commit, then run 'mlrepro update' again.")
                    }
                    throw request
                }
                done.append(record)
            }
        }

        /// Prints one update's report; conflicts end with exit status 1.
        private func show(_ report: UpdateReport, of path: String) throws {
            if let message = report.messageBeforeUpdate, !message.isEmpty { Output.line(TerminalText.visible(message)) }
            for answer in report.newAnswers {
                let how = answer.asked ? "answered" : "its default (no terminal to ask on)"
                Output.line("   answer  \(answer.name) = \(ValueText.display(answer.value))  (a question the recorded answers did not answer; \(how))")
            }
            for note in report.notes { Diagnostics.standard.note(note) }
            if report.base == .initialCommit {
                Diagnostics.standard.note("no merge base was kept for this project (made before mlrepro kept one); files changed since were merged against the commit 'mlrepro init' made")
            }
            for migration in report.migrations { Output.line("  migrate  \(migration)") }
            for action in report.actions {
                let note = action.note.isEmpty ? "" : "  (\(action.note))"
                Output.line("\(action.kind.rawValue.leftPadded(to: 9))  \(TerminalText.visible(action.path, keepingNewlines: false))\(TerminalText.visible(note, keepingNewlines: false))")
            }
            let from = TemplateRevision.label(report.fromCommit)
            let to = TemplateRevision.label(report.toCommit)
            if report.pretended {
                Output.line(TerminalText.visible("pretend: nothing was written; update would take \(path) from \(from) to \(report.toRef) (\(to)).", keepingNewlines: false))
                return
            }
            Output.line(TerminalText.visible("Updated \(path) from \(from) to \(report.toRef) (\(to)).", keepingNewlines: false))
            if let message = report.messageAfterUpdate, !message.isEmpty { Output.line(TerminalText.visible(message)) }
            let conflicts = report.conflicts
            if !conflicts.isEmpty {
                Output.line("\(conflicts.count) file\(conflicts.count == 1 ? "" : "s") with conflicts; resolve the markers, then commit:")
                for path in conflicts { Output.line("  \(TerminalText.visible(path, keepingNewlines: false))") }
                throw ExitRequest(.differences)
            }
        }
    }
}

extension ProjectUpdate {
    /// Runs the update, turning a prompt's end (Ctrl-C, end of input) into init's exit request.
    func runPrompting() throws -> UpdateReport {
        do {
            return try run()
        } catch let error as PromptError {
            throw InitWizard.exitRequest(for: error)
        }
    }
}

extension ParsableCommand {
    /// `update` and `recopy` work on one template's record: in a project made from several, the
    /// user names it (`--answers-file`), rather than one being picked silently.
    static func refuseSeveralRecords(in project: String, answersFile: String?) throws {
        guard answersFile == nil else { return }
        let records = ProjectRecords.find(in: project)
        guard records.count > 1 else { return }
        let name = configuration.commandName ?? "update"
        throw CommandError("this project was made from \(records.count) templates, one record each (\(records.joined(separator: ", "))); "
            + "\(name) one at a time, e.g. 'mlrepro \(name) --answers-file \(records[records.count - 1])'")
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
