import ArgumentParser
import Foundation
import Prompting
import MLReproCore
import TemplateEngine

/// `--template` and `--vcs-ref`, shared by the commands that read a template.
struct TemplateOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Built-in template name, template directory, git repository path, git URL (https://, ssh://, git@HOST:PATH, file://; private ones with your SSH keys or a token, see Docs/private-templates.md) or gh:OWNER/REPO (default: ml-research).", valueName: "NAME|DIR|GIT-URL"))
    var template: String?

    @Option(name: [.customLong("vcs-ref"), .customShort("r")], help: ArgumentHelp("Tag, branch or commit of a git template (default: the newest version tag, else HEAD; a cookiecutter template: the checked-out or default branch).", valueName: "REF"))
    var vcsRef: String?

    @Option(name: .long, help: ArgumentHelp("Which manifest to read when the template has several (default: copier.yml before cookiecutter.json).", valueName: "copier|cookiecutter|mlrepro"))
    var format: String?

    /// The template: `--template`, else the `_template` an answers file recorded, else the default.
    func locate(answers: AnswersFile? = nil) throws -> TemplateTree {
        var source = template
        if source == nil, let answers, let recorded = answers.entry("_template"), case .string(let name) = recorded.value {
            source = name
            // A project's own record names a template beside it relative to the project.
            if name.hasPrefix("../"), answers.path.hasSuffix(Provenance.answersPath) {
                let project = ((Paths.absolute(answers.path) as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
                source = TemplateLocator.resolveRecorded(name, project: project)
            }
        }
        try Self.refuseOptionLike(vcsRef)
        if let format, !TemplateFormats.names.contains(format) {
            throw CommandError("--format '\(format)' is not a template format; choose one of: \(TemplateFormats.names.joined(separator: ", "))")
        }
        let loader = GitTemplateLoader(format: format, warn: { Diagnostics.standard.warning($0) })
        // A record's `_template` (from --answers) may not name a folder without a manifest.
        let tree = try TemplateLocator.locate(source, vcsRef: vcsRef, git: loader, namedOnCommandLine: template != nil)
        if let note = TemplateFormats.choiceNote(for: tree) { Diagnostics.standard.note(note) }
        return tree
    }
}

extension TemplateOptions {
    /// A `--vcs-ref` that starts with `-` would reach git as an option.
    static func refuseOptionLike(_ vcsRef: String?) throws {
        if let vcsRef, vcsRef.hasPrefix("-") {
            throw CommandError("--vcs-ref '\(vcsRef)' looks like an option; refusing it")
        }
    }
}

/// `--answers` and `--data`, shared by the commands that take answers.
struct AnswerOptions: ParsableArguments {
    @Option(name: [.long, .customLong("data-file")],
            help: ArgumentHelp("YAML answers file (e.g. another project's .mlrepro/answers.yml); --data-file is copier's name for it.", valueName: "FILE"))
    var answers: String?

    @Option(name: [.long, .customShort("d")], help: ArgumentHelp("One answer, typed by its question; overrides --answers. Repeatable.", valueName: "KEY=VALUE"))
    var data: [String] = []

    func inputs(useDefaults: Bool) throws -> AnswerInputs {
        let file = try answers.map { try AnswersFile.load(path: $0) }
        return AnswerInputs(file: file, data: try AnswerInputs.parseData(data), useDefaults: useDefaults)
    }
}

/// The options `update` and `recopy` share: answers changing the recorded ones, and a template
/// replacing the recorded one.
struct RecordedProjectOptions: ParsableArguments {
    @OptionGroup var answerOptions: AnswerOptions

    @Option(name: .long, help: ArgumentHelp("The template to use instead of the recorded _template (it moved: a folder elsewhere, a mirror); recorded as the project's template.", valueName: "NAME|DIR|GIT-URL"))
    var template: String?

    /// Whether an option here changes one template's record (which a project of several must name).
    var changesOneTemplate: Bool { template != nil || answerOptions.answers != nil || !answerOptions.data.isEmpty }

    /// The regeneration of `project`'s record these options and the command's ask for.
    func regeneration(of project: String, ref: String?, answersFile: String?, trust: Bool,
                      pretend: Bool) throws -> RecordedRegeneration {
        let answers = try answerOptions.answers.map { try AnswersFile.load(path: $0) }
        let loader = GitTemplateLoader(warn: { Diagnostics.standard.warning($0) })
        var regeneration = RecordedRegeneration(project: project, ref: ref, answers: answers,
                                                data: try AnswerInputs.parseData(answerOptions.data),
                                                template: RecordedTemplate(git: loader, trust: trust, override: template))
        regeneration.answersFile = answersFile
        regeneration.pretend = pretend
        return regeneration
    }
}

enum Paths {
    static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let full = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        return URL(fileURLWithPath: full).standardizedFileURL.path
    }
}

/// Writes to stdout unbuffered-enough for interleaving with stderr diagnostics.
enum Output {
    /// One line on stdout. Paths and names in it may come from a template or a project, so
    /// control characters are shown escaped (`TerminalText`), as in every message.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((TerminalText.visible(text) + "\n").utf8))
    }
}
