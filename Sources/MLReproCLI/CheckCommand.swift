import ArgumentParser
import Foundation
import MLReproCore
import Prompting

extension MLRepro {
    /// `mlrepro check`: has the project drifted from its template?
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Compare a generated project with a fresh render of its template.",
            discussion: """
            Regenerates the project from .mlrepro/answers.yml and .mlrepro/environment.json \
            (the machine is not probed again) with the recorded template at the recorded commit, \
            and prints a unified diff for every file that differs, then a summary. Paths listed \
            under _skip in answers.yml, the template's _skip_if_exists files and secret files are \
            not compared. Files the template declares the project's own (_project_owned) are \
            listed when they differ, as information; --strict compares them like every other file.

            A project made from several templates keeps one record per template (copier's \
            .copier-answers.yml and .copier-answers.NAME.yml, and mlrepro's .mlrepro/answers.NAME.yml \
            written by init --answers-file, beside .mlrepro/answers.yml): without \
            --answers-file, every record is checked and reported under its name, and two templates \
            that both generate a file neither declares the project's own are refused.

            With --updates nothing is compared: the template's version tags (a git template) or \
            current content (a built-in or folder template) are checked for versions newer than the \
            recorded one, as cruft check and copier check-update do.

            Exit status: 0 in sync (no newer version), 1 drift (newer versions), 2 error (not a \
            generated project, template unavailable).
            """
        )

        @Argument(help: ArgumentHelp("The generated project (default: the current directory).", valueName: "PROJECT"))
        var project: String?

        @Flag(name: .long, help: "Print a machine-readable JSON report instead of diffs.")
        var json = false

        @Option(name: .long, help: ArgumentHelp("The template to use instead of the recorded _template (it moved: a folder elsewhere, a mirror).", valueName: "NAME|DIR|GIT-URL"))
        var template: String?

        @Option(name: [.customLong("answers-file"), .customShort("a")], help: ArgumentHelp("The project's record, relative to PROJECT, when it is not where it is looked for (e.g. .copier/.copier-answers.yml).", valueName: "PATH"))
        var answersFile: String?

        @Flag(name: .long, help: "Instead of comparing files, tell whether the template has versions newer than the recorded one (exit 1 when it has).")
        var updates = false

        @Flag(name: .long, help: "Compare every file, the project-owned ones (_project_owned) too.")
        var strict = false

        @Flag(name: .long, help: "Allow the template's Python _jinja_extensions and cookiecutter post_gen_project hook to run on the comparison copy.")
        var trust = false

        func run() async throws {
            let path = Paths.absolute(project ?? ".")
            let loader = GitTemplateLoader(warn: { Diagnostics.standard.warning($0) })
            let records = answersFile == nil && template == nil ? ProjectRecords.find(in: path) : []
            if updates, records.count > 1 {
                // Several templates: each record's answer, one after the other.
                let found = try records.map { record in
                    (record, try TemplateUpdates.check(project: path, template: RecordedTemplate(git: loader, trust: trust), answersFile: record))
                }
                let text = found.map { "== \($0.0)\n" + $0.1.text }.joined()
                let output = json ? TemplateUpdates.json(found.map { (record: $0.0, updates: $0.1) }) : text
                FileHandle.standardOutput.write(Data(output.utf8))
                if found.contains(where: { $0.1.available }) { throw ExitRequest(.differences) }
                return
            }
            if !updates, records.count > 1,
               let every = try DriftCheck.runEvery(project: path, template: RecordedTemplate(git: loader, trust: trust), strict: strict) {
                try report(every)
                return
            }
            if updates {
                let found = try TemplateUpdates.check(project: path, template: RecordedTemplate(git: loader, trust: trust, override: template),
                                                      answersFile: answersFile)
                FileHandle.standardOutput.write(Data((json ? found.json : found.text).utf8))
                if found.available { throw ExitRequest(.differences) }
                return
            }
            let report = try DriftCheck.run(project: path, template: RecordedTemplate(git: loader, trust: trust, override: template), strict: strict,
                                          answersFile: answersFile)
            if report.templateWasDirty && !json {
                Diagnostics.standard.note("the project was generated from uncommitted changes of its template; compared with commit \(TemplateRevision.label(report.commit))")
            }
            for note in report.notes { Diagnostics.standard.note(note) }
            if !report.unverified.isEmpty && !json {
                let shown = report.unverified.prefix(20).map { TerminalText.visible($0, keepingNewlines: false) }.joined(separator: ", ")
                Diagnostics.standard.note("could not verify \(report.unverified.count) file(s) without the hook: \(shown)\(report.unverified.count > 20 ? ", ..." : "")")
            }
            FileHandle.standardOutput.write(Data((json ? report.json : report.text).utf8))
            if !report.inSync { throw ExitRequest(.differences) }
        }

        /// Several templates' reports: each under its record's name, drift when any drifted.
        private func report(_ every: [RecordDrift]) throws {
            for entry in every {
                for note in entry.report.notes { Diagnostics.standard.note("\(entry.record): \(note)") }
            }
            if json {
                FileHandle.standardOutput.write(Data(RecordDrift.json(every).utf8))
            } else {
                for entry in every {
                    let header = "== \(entry.record): template \(entry.report.template)\n"
                    FileHandle.standardOutput.write(Data((TerminalText.visible(header) + entry.report.text).utf8))
                }
            }
            if every.contains(where: { !$0.report.inSync }) { throw ExitRequest(.differences) }
        }
    }
}
