import ArgumentParser
import MLReproCore

extension MLRepro {
    /// `mlrepro templates`: list the built-in templates.
    struct Templates: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "templates",
            abstract: "List the built-in templates."
        )

        func run() throws {
            throw CommandError("no built-in templates are available in this build")
        }
    }
}
