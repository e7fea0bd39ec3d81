import Foundation
@testable import GitSupport

/// A scratch directory with the git command-line tool at hand, for building fixture
/// repositories the way a user would (the module under test never runs `git`).
struct GitFixture {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("gitsupport-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }

    func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// Writes `text` to `relative` (parents created), optionally executable.
    func write(_ relative: String, _ text: String, executable: Bool = false) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        if executable {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
    }

    func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    /// Runs `git` in `directory` (relative to the root) and returns its trimmed stdout.
    @discardableResult
    func git(_ arguments: [String], in directory: String = "") throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-c", "user.name=Fixture Author", "-c", "user.email=fixture@example.org",
                             "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false"] + arguments
        process.currentDirectoryURL = directory.isEmpty ? root : root.appendingPathComponent(directory)
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
            throw FixtureError.gitFailed(arguments, String(decoding: errorData, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A repository at `name` with one commit per entry of `commits`, each writing its files
    /// and then tagged when a tag is given. Returns the commit ids in order.
    @discardableResult
    func makeRepository(_ name: String, commits: [(files: [String: String], tag: String?)]) throws -> [String] {
        try git(["init", "--quiet", name])
        var ids: [String] = []
        for (number, commit) in commits.enumerated() {
            for (file, text) in commit.files { try write("\(name)/\(file)", text) }
            try git(["add", "--all"], in: name)
            try git(["commit", "--quiet", "-m", "commit \(number + 1)"], in: name)
            if let tag = commit.tag { try git(["tag", tag], in: name) }
            ids.append(try git(["rev-parse", "HEAD"], in: name))
        }
        return ids
    }
}

enum FixtureError: Error, CustomStringConvertible {
    case gitFailed([String], String)
    var description: String {
        switch self {
        case let .gitFailed(arguments, message): return "git \(arguments.joined(separator: " ")) failed: \(message)"
        }
    }
}
