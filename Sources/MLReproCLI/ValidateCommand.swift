import ArgumentParser
import MLReproCore

extension MLRepro {
    /// `mlrepro validate --answers FILE`: check answers against a template, write nothing.
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check an answers file against a template; write nothing.",
            discussion: "Runs the full validation init does (types, choices, validators, unknown keys). Exit 0 valid, 2 invalid."
        )

        @OptionGroup var templateOptions: TemplateOptions
        @OptionGroup var answerOptions: AnswerOptions

        @Flag(name: .customLong("no-probe"), help: "Do not probe the machine for the env record.")
        var noProbe = false

        @Flag(name: .long, help: "Allow a template that has _tasks, hooks or Python extensions (validate runs no task; a pre_prompt hook and extensions run).")
        var trust = false

        @Flag(name: .customLong("skip-tasks"), help: "Ignore the template's _tasks and hooks (they then need no --trust).")
        var skipTasks = false

        func validate() throws {
            if answerOptions.answers == nil && answerOptions.data.isEmpty {
                throw ValidationError("validate needs --answers FILE (or --data KEY=VALUE)")
            }
        }

        func run() async throws {
            let inputs = try answerOptions.inputs(useDefaults: true)
            let tree = try templateOptions.locate(answers: inputs.file)
            let destination = Paths.absolute("mlrepro-validate")
            let environmentJSON = await ProbedEnvironmentRecord(skipped: noProbe).recordJSON(workingDirectory: destination)
            var request = GenerationRequest(destination: destination, tree: tree, inputs: inputs,
                                            environmentJSON: environmentJSON, git: GitIdentity.fromGitConfig())
            request.force = true
            request.trust = trust
            request.skipTasks = skipTasks
            let prepared = try ProjectGenerator.prepare(request)
            for warning in prepared.warnings { Diagnostics.standard.warning(warning) }
            Output.line("\(answerOptions.answers ?? "--data"): valid for template \(tree.source) (\(prepared.answers.all.count) answers, \(prepared.plan.files.count) files)")
        }
    }
}
