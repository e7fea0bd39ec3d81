import ArgumentParser
import MLReproCore

/// The root command. Each subcommand lives in its own file as `extension MLRepro { struct X }`.
public struct MLRepro: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mlrepro",
        abstract: "Generate reproducible machine-learning research repositories.",
        discussion: """
        Exit status: 0 success, 1 drift or conflicts (check, update), 2 error, \
        130 interrupted.
        """,
        version: BuildInfo.versionText,
        subcommands: MLRepro.registeredSubcommands
    )

    public init() {}
}
