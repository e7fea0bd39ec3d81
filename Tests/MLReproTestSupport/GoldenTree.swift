import Foundation
import TemplateEngine

/// A checked-in copy of a generated folder ("golden tree") that tests compare fresh output with,
/// file by file (bytes and the executable bit), and rewrite when `MLREPRO_UPDATE_GOLDEN=1` is set.
///
/// Files of `largeFileLimit` bytes or more (lock files) are not copied: the golden tree lists them
/// with their SHA-256 in `largeFilesList`, so a changed lock shows as a changed line there.
package enum GoldenTree {
    /// The environment variable that makes `verify` rewrite the golden tree instead of comparing.
    package static let updateVariable = "MLREPRO_UPDATE_GOLDEN"
    /// Files this size or larger are kept as a digest line, not as a copy.
    package static let largeFileLimit = 64 * 1024
    /// The golden tree's list of large files: `SHA256  SIZE  PATH` per line, sorted by path.
    package static let largeFilesList = "large-files.sha256"

    /// One file of a tree: its bytes (or, for a large file, its digest line) and whether it is executable.
    package struct Entry: Equatable, Sendable {
        package var contents: Data
        package var executable: Bool

        package init(contents: Data, executable: Bool) {
            self.contents = contents
            self.executable = executable
        }
    }

    /// A golden tree that could not be read or written.
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    /// Whether this run rewrites golden trees.
    package static var updating: Bool { ProcessInfo.processInfo.environment[updateVariable] == "1" }

    /// Compares `generated` with the golden tree at `golden`. Returns a unified diff of every difference
    /// (empty when they match); with `MLREPRO_UPDATE_GOLDEN=1` rewrites `golden` from `generated` first.
    package static func verify(generated: String, golden: String) throws -> String {
        if updating { try write(snapshot(generated: generated), to: golden) }
        return try difference(expected: snapshot(golden: golden), actual: snapshot(generated: generated))
    }

    /// Every file under a generated folder, large files folded into the `largeFilesList` entry.
    package static func snapshot(generated root: String) throws -> [String: Entry] {
        var entries: [String: Entry] = [:]
        var large: [(path: String, line: String)] = []
        for (path, entry) in try files(under: root) {
            if entry.contents.count >= largeFileLimit {
                var hash = SHA256()
                hash.update(entry.contents)
                large.append((path, "\(hash.finalizeHex())  \(entry.contents.count)  \(path)"))
            } else {
                entries[path] = entry
            }
        }
        if entries[largeFilesList] != nil {
            throw Failure(description: "\(root): the output has a file named \(largeFilesList), the golden tree's own list")
        }
        if !large.isEmpty {
            let text = large.sorted { $0.path < $1.path }.map(\.line).joined(separator: "\n") + "\n"
            entries[largeFilesList] = Entry(contents: Data(text.utf8), executable: false)
        }
        return entries
    }

    /// Every file of a golden tree as it is on disk (a missing golden tree has none).
    package static func snapshot(golden root: String) throws -> [String: Entry] {
        FileManager.default.fileExists(atPath: root) ? try files(under: root) : [:]
    }

    /// A unified diff from `expected` (the golden tree) to `actual` (the fresh output); empty when equal.
    package static func difference(expected: [String: Entry], actual: [String: Entry]) throws -> String {
        var report = ""
        for path in Set(expected.keys).union(actual.keys).sorted() {
            let old = expected[path]
            let new = actual[path]
            if old == new { continue }
            if let old, let new, old.contents == new.contents {
                report += "--- golden/\(path)\n+++ output/\(path)\nexecutable: \(old.executable) -> \(new.executable)\n"
                continue
            }
            report += try unifiedDiff(old?.contents, new?.contents, label: path)
            if let old, let new, old.executable != new.executable {
                report += "executable: \(old.executable) -> \(new.executable)\n"
            }
        }
        return report
    }

    /// Replaces the golden tree at `root` with `entries`.
    package static func write(_ entries: [String: Entry], to root: String) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: root) { try manager.removeItem(atPath: root) }
        for (path, entry) in entries {
            let url = URL(fileURLWithPath: root).appendingPathComponent(path)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try entry.contents.write(to: url)
            try manager.setAttributes([.posixPermissions: entry.executable ? 0o755 : 0o644], ofItemAtPath: url.path)
        }
    }

    // MARK: - Reading trees and diffing files

    private static func files(under root: String) throws -> [String: Entry] {
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: root) else { throw Failure(description: "\(root): cannot be read") }
        var entries: [String: Entry] = [:]
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            let attributes = try manager.attributesOfItem(atPath: path)
            switch attributes[.type] as? FileAttributeType {
            case .typeDirectory?:
                continue
            case .typeRegular?:
                guard let data = manager.contents(atPath: path) else { throw Failure(description: "\(path): cannot be read") }
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
                entries[relative] = Entry(contents: data, executable: mode & 0o100 != 0)
            default:
                throw Failure(description: "\(path): neither a file nor a folder (golden trees hold only files)")
            }
        }
        return entries
    }

    /// `diff -u` of two versions of one file (nil: the file is absent on that side).
    private static func unifiedDiff(_ old: Data?, _ new: Data?, label: String) throws -> String {
        let scratch = try TemporaryDirectory.make(prefix: "mlrepro-golden-diff")
        defer { TemporaryDirectory.remove(scratch) }
        try (old ?? Data()).write(to: URL(fileURLWithPath: scratch + "/old"))
        try (new ?? Data()).write(to: URL(fileURLWithPath: scratch + "/new"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["diff", "-u", "-a", "--label", old == nil ? "/dev/null" : "golden/" + label,
                             "--label", new == nil ? "/dev/null" : "output/" + label, scratch + "/old", scratch + "/new"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 1 else {
            throw Failure(description: "diff -u for \(label) exited \(process.terminationStatus): \(text)")
        }
        return text
    }
}
