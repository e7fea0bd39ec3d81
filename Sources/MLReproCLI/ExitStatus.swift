/// Process exit statuses, as documented in `mlrepro --help` and Docs/usage.md ("Exit status and messages").
public enum ExitStatus: Int32, Sendable {
    case success = 0
    /// `check`: the project drifted; `update`: conflicts remain; `probe --compare`: differences.
    case differences = 1
    case error = 2
    case interrupted = 130
}

/// Thrown by a subcommand to end with a status other than 0 after it has printed its own output.
public struct ExitRequest: Error, Sendable {
    public let status: ExitStatus
    public init(_ status: ExitStatus) { self.status = status }
}

/// An error whose message is shown as `mlrepro: error: <message>` and ends with status 2.
public struct CommandError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { self.description = message }
}
