import ArgumentParser
import Foundation
import MLReproCore

extension MLRepro {
    /// `mlrepro render FILE`: render one template file to stdout.
    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "Render one template file to stdout.",
            discussion: """
            Without --template the context is the answers (file, then --data overrides, values \
            as YAML) and includes are resolved next to FILE. With --template, FILE is a path \
            inside that template and is rendered as init would render it: the manifest's \
            defaults, then --answers, then --data, validated; env (probed unless --no-probe), \
            _copier_conf and the other context names; includes from the template. Exit 0, or 2 \
            with the engine's file:line:col diagnostic.
            """
        )

        @Argument(help: ArgumentHelp("Template file to render (with --template: its path inside the template).", valueName: "FILE"))
        var file: String

        @OptionGroup var answerOptions: AnswerOptions

        @Option(name: .long, help: ArgumentHelp("Render FILE of this template as init would (built-in name, directory or git URL).", valueName: "NAME|DIR|GIT-URL"))
        var template: String?

        @Option(name: .customLong("vcs-ref"), help: ArgumentHelp("Tag, branch or commit of a git --template.", valueName: "REF"))
        var vcsRef: String?

        @Option(name: .long, help: ArgumentHelp("With --template: which manifest to read when the template has several.", valueName: "copier|cookiecutter|mlrepro"))
        var format: String?

        @Flag(name: .customLong("no-probe"), help: "With --template: do not probe the machine; env has every group, empty.")
        var noProbe = false

        func run() async throws {
            guard let template else {
                let answers = try answerOptions.answers.map { try AnswersFile.load(path: $0) }
                let output = try SingleFileRendering.render(file: file, answers: answers,
                                                            data: try AnswerInputs.parseData(answerOptions.data))
                FileHandle.standardOutput.write(Data(output.utf8))
                return
            }
            var templateOptions = TemplateOptions()
            templateOptions.template = template
            templateOptions.vcsRef = vcsRef
            templateOptions.format = format
            let inputs = try answerOptions.inputs(useDefaults: true)
            let tree = try templateOptions.locate(answers: inputs.file)
            let destination = Paths.absolute("mlrepro-render")
            let environmentJSON = await ProbedEnvironmentRecord(skipped: noProbe).recordJSON(workingDirectory: destination)
            var request = GenerationRequest(destination: destination, tree: tree, inputs: inputs,
                                            environmentJSON: environmentJSON, git: GitIdentity.fromGitConfig())
            request.force = true
            request.skipTasks = true
            let prepared = try ProjectGenerator.prepare(request)
            FileHandle.standardOutput.write(Data(try SingleFileRendering.render(path: file, of: prepared)))
        }
    }
}
