import Foundation

/// The git command-line tool, for building fixture repositories the way a user would: a fixed
/// identity, branch `main` for new repositories, and no system configuration.
package enum GitCommand {
    /// The author and committer of fixture commits.
    package struct Identity: Sendable {
        package var name: String
        package var email: String

        package init(name: String, email: String) {
            self.name = name
            self.email = email
        }

        package static let fixture = Identity(name: "Fixture Author", email: "fixture@example.org")
    }

    /// Runs `git ARGUMENTS` in `directory`; returns its stdout, trimmed.
    /// - Throws: `GitCommandFailed` with git's stderr when it exits non-zero.
    @discardableResult
    package static func run(_ arguments: [String], in directory: String, as identity: Identity = .fixture) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-c", "user.name=\(identity.name)", "-c", "user.email=\(identity.email)",
                             "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GitCommandFailed(arguments: arguments, message: String(decoding: errorData, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A git command (or a step a test runs like one) that failed, with what it said.
package struct GitCommandFailed: Error, CustomStringConvertible {
    package var arguments: [String]
    package var message: String

    package init(arguments: [String], message: String) {
        self.arguments = arguments
        self.message = message
    }

    package var description: String { "git \(arguments.joined(separator: " ")) failed: \(message)" }
}
