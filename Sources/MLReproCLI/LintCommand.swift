import ArgumentParser
import MLReproCore

extension MLRepro {
    /// `mlrepro lint`: compile everything a template renders and report every problem at once.
    struct Lint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check a template: compile every file and expression, find undefined names.",
            discussion: """
            For template authors. Reads the manifest strictly (an unknown setting is an error), \
            compiles every file that would be rendered (those with the templates suffix, or every \
            text file for formats without one, less _exclude and copy-without-render rules), every \
            templated path name, and every template they include, import or extend (a missing one \
            is an error). Every `default`, `when`, `choices` and `validator` of a question, \
            `_tasks` and the copy messages are compiled too. Every name a file reads must be \
            defined by a question, the rendering context (env, _mlrepro, copier's _copier_conf, \
            _copier_answers, _folder_name except in cookiecutter templates, the answers \
            namespace such as `cookiecutter`), an \
            engine built-in or a binding in the template; a question expression may only use the \
            questions asked before it (a validator also its own). All files are checked, whatever \
            the answers. Attribute chains are checked where every answer agrees: `env.GROUP` and \
            `env.GROUP.FIELD` against the environment record's fields, and `answer.attr` of a \
            str, int, float, bool or multiselect answer against what such a value has. Nothing is \
            rendered or written and no template code runs: a template with Python \
            _jinja_extensions has their filters and tests assumed and names only they could \
            define listed as notes, unless --trust loads them as init --trust does. Each problem \
            prints as file:line:col: error: message; exit 0 when clean, 2 otherwise.
            """
        )

        @OptionGroup var templateOptions: TemplateOptions

        @Flag(name: .long, help: "Load the template's Python _jinja_extensions (as init --trust does) so that their filters, tests and globals are known and every name is checked.")
        var trust = false

        func run() async throws {
            let tree = try templateOptions.locate()
            let report = try TemplateLint(tree: tree, trust: trust).run()
            for note in report.notes { Diagnostics.standard.note(note) }
            if !report.assumedFromExtensions.isEmpty {
                Diagnostics.standard.note("assumed to come from the extensions (not checked): " + report.assumedFromExtensions.joined(separator: ", "))
            }
            for unchecked in report.uncheckedNames {
                Diagnostics.standard.note("not checked (the extensions may define it): \(unchecked.location): \(unchecked.message)")
            }
            for finding in report.findings { Diagnostics.standard.error(finding.description) }
            let summary = "\(report.templatesCompiled) templates and \(report.expressionsChecked) manifest expressions checked"
            if report.findings.isEmpty {
                Output.line("lint: \(tree.source): ok (\(summary))")
                return
            }
            Output.line("lint: \(tree.source): \(report.findings.count) problem\(report.findings.count == 1 ? "" : "s") (\(summary))")
            throw ExitRequest(.error)
        }
    }
}
