import Foundation

/// One program mlrepro starts: a template's task, hook or migration, or a validator.
package struct ProcessCommand: Sendable, Equatable {
    /// Where the program's output goes.
    package enum Output: Sendable, Equatable {
        /// The user's terminal (tasks, hooks and migrations speak to the user).
        case inherited
        /// Collected, standard output and standard error together, and returned (validators).
        case captured
    }

    /// An absolute path.
    package var executable: String
    package var arguments: [String]
    package var directory: String
    /// The whole environment of the program; nil: mlrepro's own.
    package var environment: [String: String]?
    package var output: Output

    package init(executable: String, arguments: [String], directory: String, environment: [String: String]? = nil,
                 output: Output) {
        self.executable = executable
        self.arguments = arguments
        self.directory = directory
        self.environment = environment
        self.output = output
    }
}

/// How a program ended: its exit status, and its output when it was `captured` (empty otherwise).
package struct ProcessResult: Sendable, Equatable {
    package var status: Int32
    package var output: String

    package init(status: Int32, output: String = "") {
        self.status = status
        self.output = output
    }
}

/// Starts programs: the one seam through which tasks, hooks, migrations and validators run, so
/// that tests can stand in a fake. (The environment probe has its own, asynchronous runner with
/// timeouts and process groups: `EnvironmentProbe.CommandRunning`.)
package protocol ProcessRunning: Sendable {
    /// Runs `command` to its end. Throws when the program cannot be started.
    func run(_ command: ProcessCommand) throws -> ProcessResult
}

/// Starts programs with Foundation's `Process`; captured output goes through a temporary file
/// (no pipe to fill up and block on).
package struct SystemProcessRunner: ProcessRunning {
    package init() {}

    package func run(_ command: ProcessCommand) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command.executable)
        process.arguments = command.arguments
        process.currentDirectoryURL = URL(fileURLWithPath: command.directory)
        if let environment = command.environment { process.environment = environment }
        guard command.output == .captured else {
            try process.run()
            process.waitUntilExit()
            return ProcessResult(status: process.terminationStatus)
        }
        let outputURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlrepro-run-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: outputURL.path])
        }
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let handle = try FileHandle(forWritingTo: outputURL)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return ProcessResult(status: process.terminationStatus, output: output)
    }
}

extension ProcessRunning {
    /// Runs a template's task, hook or migration in `directory` (only with `--trust`), on the
    /// user's terminal, with a small clean environment plus `environment` (copier's migrations get
    /// `STAGE`, `VERSION_FROM`, ...). A shell line runs with `/bin/sh -c`, an argument list through
    /// `/usr/bin/env` (found on `PATH`); an empty list does nothing. Returns the exit status.
    package func run(_ task: TaskCommand, in directory: String, environment extra: [String: String] = [:]) throws -> Int32 {
        let executable: String
        let arguments: [String]
        switch task {
        case .shell(let line):
            executable = "/bin/sh"
            arguments = ["-c", line]
        case .arguments(let parts):
            guard let first = parts.first else { return 0 }
            executable = "/usr/bin/env"
            arguments = ["--"] + [first] + parts.dropFirst()
        }
        let inherited = ProcessInfo.processInfo.environment
        var environment: [String: String] = ["PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"]
        for key in ["HOME", "LANG", "LC_ALL", "TERM", "USER"] { environment[key] = inherited[key] }
        for (key, value) in extra { environment[key] = value }
        return try run(ProcessCommand(executable: executable, arguments: arguments, directory: directory,
                                      environment: environment, output: .inherited)).status
    }

    /// Runs a validator, `executable` with `arguments`, in `directory`, with mlrepro's environment
    /// and no input; returns the exit status and its standard output and error together.
    package func run(_ executable: String, _ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let result = try run(ProcessCommand(executable: executable, arguments: arguments, directory: directory.path,
                                            output: .captured))
        return (result.status, result.output)
    }
}

extension TaskCommand {
    /// The command as shown in messages.
    package var display: String {
        switch self {
        case .shell(let line): return line
        case .arguments(let parts): return parts.joined(separator: " ")
        }
    }
}
