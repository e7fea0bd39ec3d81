import ArgumentParser
import MLReproCore
import Prompting
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses the command line, runs the chosen subcommand and maps every outcome to an exit status.
///
/// Nothing here crashes on input: parse errors and thrown errors become a message on stderr and
/// status 2 (usage errors included, so scripts see one error status).
public enum CommandLineEntry {
    public static func run(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async {
        // After SIGINT or SIGTERM, once the staging directory is gone, the program ends here.
        InterruptionGuard.shared.handOverExit { status in exit(status) }
        let status = await execute(arguments: arguments)
        InterruptionGuard.shared.waitIfInterrupting()
        exit(status.rawValue)
    }

    static func execute(arguments: [String]) async -> ExitStatus {
        // Answered before the argument parser is built: building it reflects over every command
        // (about 2 ms), and scripts call `--version` to see whether mlrepro is there at all.
        if arguments == ["--version"] {
            print(BuildInfo.versionText)
            return .success
        }
        let command: any ParsableCommand
        do {
            command = try MLRepro.parseAsRoot(arguments)
        } catch {
            if let hint = unknownCommandHint(arguments) {
                Diagnostics.standard.error(hint)
                Diagnostics.standard.note("see 'mlrepro --help'")
                return .error
            }
            return report(parseError: error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
            return .success
        } catch let request as ExitRequest {
            return request.status
        } catch {
            if MLRepro.exitCode(for: error) == .success {
                print(MLRepro.fullMessage(for: error))
                return .success
            }
            if error is CleanExit || error is ValidationError {
                return report(parseError: error)
            }
            Diagnostics.standard.error(Diagnostics.text(for: error))
            return .error
        }
    }

    /// For a first argument that names no subcommand: the nearest one, or the mlrepro command a
    /// copier or cruft habit means (`copier copy SRC DST` is `mlrepro init DST --template SRC`).
    static func unknownCommandHint(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let names = MLRepro.registeredSubcommands.compactMap { $0.configuration.commandName } + ["help"]
        if names.contains(first) { return nil }
        let shown = TerminalText.visible(first, keepingNewlines: false)
        let rest = arguments.dropFirst().filter { !$0.hasPrefix("-") }
        switch first {
        case "copy", "create":
            let example = rest.count >= 2 ? "mlrepro init \(rest[rest.startIndex + 1]) --template \(rest[rest.startIndex])"
                : "mlrepro init DEST --template SRC"
            return "unknown command '\(shown)'; did you mean '\(TerminalText.visible(example, keepingNewlines: false))'? (copier's 'copy SRC DST' and cruft's 'create SRC' are 'init')"
        default:
            guard let nearest = NearestName.suggestion(for: first, among: names) else { return nil }
            return "unknown command '\(shown)'; did you mean '\(nearest)'?"
        }
    }

    private static func report(parseError error: any Error) -> ExitStatus {
        let code = MLRepro.exitCode(for: error)
        if code == .success {
            print(MLRepro.fullMessage(for: error))
            return .success
        }
        let message = MLRepro.message(for: error)
        Diagnostics.standard.error(message)
        Diagnostics.standard.note("see 'mlrepro --help'")
        return .error
    }
}
