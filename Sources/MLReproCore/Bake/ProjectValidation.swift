import Foundation
import Yams

/// What one validator concluded about one file (or the whole project).
package struct ValidationFinding: Sendable, Equatable {
    package enum Outcome: Sendable, Equatable {
        case passed
        case failed(String)
        /// The validator could not run (tool missing, nothing to check with): never a pass.
        case skipped(String)
    }

    package let validator: String
    package let path: String
    package let outcome: Outcome
    /// How many files this finding covers (a check run once over every Python file covers them all).
    package var files = 1

    package init(validator: String, path: String, outcome: Outcome, files: Int = 1) {
        self.validator = validator
        self.path = path
        self.outcome = outcome
        self.files = files
    }

    package var failed: Bool {
        if case .failed = outcome { return true }
        return false
    }
}

/// Runs an external validator. A protocol so tests can stand in a fake.
package protocol ValidationCommandRunning: Sendable {
    /// Runs `executable` with `arguments` in `directory`; returns the exit status and
    /// stdout+stderr. Throws when the program cannot be started.
    func run(_ executable: String, _ arguments: [String], in directory: URL) throws -> (status: Int32, output: String)
}

/// Starts validators with Foundation's `Process`, output captured through a temporary file
/// (no pipe to fill up and block on).
package struct ProcessValidationRunner: ValidationCommandRunning {
    package init() {}

    package func run(_ executable: String, _ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let outputURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlrepro-validate-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: outputURL.path])
        }
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let handle = try FileHandle(forWritingTo: outputURL)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, output)
    }
}

/// Finds validator programs on a search path (a virtualenv's `bin` first, then `PATH`).
package struct ToolLocator: Sendable {
    package let directories: [String]

    package init(virtualenv: String? = nil, path: String? = ProcessInfo.processInfo.environment["PATH"]) {
        var directories: [String] = []
        if let virtualenv { directories.append((virtualenv as NSString).appendingPathComponent("bin")) }
        directories += (path ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        self.directories = directories
    }

    package func find(_ name: String) -> String? {
        for directory in directories {
            let candidate = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
