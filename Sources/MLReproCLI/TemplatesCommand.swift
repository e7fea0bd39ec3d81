import ArgumentParser
import MLReproCore

extension MLRepro {
    /// `mlrepro templates`: list the built-in templates.
    struct Templates: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "templates",
            abstract: "List the built-in templates.",
            discussion: "Each line: the name to pass to --template, then the manifest's _description (or its first comment line)."
        )

        func run() throws {
            let catalogue = BuiltinTemplates.catalogue()
            if catalogue.isEmpty {
                throw CommandError("no built-in templates are available in this build; pass a template directory with --template DIR")
            }
            let width = catalogue.map(\.name.count).max() ?? 0
            for (name, description) in catalogue {
                Output.line(description.isEmpty ? name : name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + description)
            }
        }
    }
}
