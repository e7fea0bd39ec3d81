import Foundation

/// Scratch folders for tests: each one fresh and private to its test, removed by the test.
package enum TemporaryDirectory {
    /// Creates `PREFIX-UUID` in the system's temporary folder and returns its path with symbolic
    /// links resolved (so paths the program prints compare equal to it).
    package static func make(prefix: String) throws -> String {
        let path = NSTemporaryDirectory() + prefix + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    /// Removes `path` and everything in it; a path already gone is no error.
    package static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `text` to `path`, creating the folders above it, optionally executable.
    package static func write(_ text: String, to path: String, executable: Bool = false) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        if executable {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
    }
}
