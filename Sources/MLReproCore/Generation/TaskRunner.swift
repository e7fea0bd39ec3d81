import Foundation

/// Runs a template's `_tasks` in DEST (only with `--trust`), with a small clean environment.
package protocol TaskRunning: Sendable {
    func run(_ task: TaskCommand, in directory: String) throws -> Int32
    /// With extra environment variables (copier's migrations get `STAGE`, `VERSION_FROM`, ...).
    func run(_ task: TaskCommand, in directory: String, environment: [String: String]) throws -> Int32
}

extension TaskRunning {
    package func run(_ task: TaskCommand, in directory: String, environment: [String: String]) throws -> Int32 {
        try run(task, in: directory)
    }
}

package struct ProcessTaskRunner: TaskRunning {
    package init() {}

    package func run(_ task: TaskCommand, in directory: String) throws -> Int32 {
        try run(task, in: directory, environment: [:])
    }

    package func run(_ task: TaskCommand, in directory: String, environment extra: [String: String]) throws -> Int32 {
        let process = Process()
        switch task {
        case .shell(let line):
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", line]
        case .arguments(let parts):
            guard let first = parts.first else { return 0 }
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["--"] + [first] + parts.dropFirst()
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let inherited = ProcessInfo.processInfo.environment
        var environment: [String: String] = ["PATH": inherited["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"]
        for key in ["HOME", "LANG", "LC_ALL", "TERM", "USER"] { environment[key] = inherited[key] }
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
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
