import ArgumentParser

extension MLRepro {
    /// Every subcommand, in the order `--help` lists them. One line per command.
    static let registeredSubcommands: [any ParsableCommand.Type] = [
        Init.self,
        Validate.self,
        Lint.self,
        Render.self,
        Templates.self,
        Bake.self,
        Probe.self,
        Check.self,
        Update.self,
        Recopy.self,
    ]
}
