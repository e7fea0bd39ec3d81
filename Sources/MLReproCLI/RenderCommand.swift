import ArgumentParser
import Foundation
import MLReproCore

extension MLRepro {
    /// `mlrepro render FILE`: render one template file to stdout.
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "Render one template file to stdout.",
            discussion: "The context is the answers (file, then --data overrides, values as YAML). Exit 0, or 2 with the engine's file:line:col diagnostic."
        )

        @Argument(help: ArgumentHelp("Template file to render.", valueName: "FILE"))
        var file: String

        @OptionGroup var answerOptions: AnswerOptions

        func run() throws {
            let answers = try answerOptions.answers.map { try AnswersFile.load(path: $0) }
            let output = try SingleFileRendering.render(file: file, answers: answers,
                                                        data: try AnswerInputs.parseData(answerOptions.data))
            FileHandle.standardOutput.write(Data(output.utf8))
        }
    }
}
