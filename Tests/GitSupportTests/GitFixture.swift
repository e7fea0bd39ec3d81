import Foundation
@testable import GitSupport
import MLReproTestSupport

/// A scratch directory with the git command-line tool at hand, for building fixture
/// repositories the way a user would (the module under test never runs `git`).
struct GitFixture {
    let root: URL

    init() throws {
        root = URL(fileURLWithPath: try TemporaryDirectory.make(prefix: "gitsupport"), isDirectory: true)
    }

    func remove() {
        TemporaryDirectory.remove(root.path)
    }

    func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// Writes `text` to `relative` (parents created), optionally executable.
    func write(_ relative: String, _ text: String, executable: Bool = false) throws {
        try TemporaryDirectory.write(text, to: path(relative), executable: executable)
    }

    func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    /// Runs `git` in `directory` (relative to the root) and returns its trimmed stdout.
    @discardableResult
    func git(_ arguments: [String], in directory: String = "") throws -> String {
        try GitCommand.run(arguments, in: directory.isEmpty ? root.path : path(directory))
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
