import Foundation
import MLReproTestSupport
import Testing

/// Runs the built `mlrepro` binary in temporary directories.
enum Harness {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["MLREPRO_BIN"] { return path }
        for config in ["debug", "release"] {
            let path = packageRoot.appendingPathComponent(".build/\(config)/mlrepro").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return packageRoot.appendingPathComponent(".build/debug/mlrepro").path
    }

    static func fixture(_ name: String) -> String {
        packageRoot.appendingPathComponent("Tests/Fixtures/templates/\(name)").path
    }

    static var venv: String {
        ProcessInfo.processInfo.environment["MLREPRO_TEST_VENV"] ?? packageRoot.appendingPathComponent(".venv").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// A fresh temporary directory, removed by the caller with `cleanup`.
    static func temporaryDirectory() throws -> String { try TemporaryDirectory.make(prefix: "mlrepro-e2e") }

    static func cleanup(_ path: String) { TemporaryDirectory.remove(path) }

    @discardableResult
    static func run(_ arguments: [String], in directory: String, executable: String = binary,
                    environment extra: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory
        environment["XDG_CONFIG_HOME"] = directory + "/.config-none"
        environment["NO_COLOR"] = "1"
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Every file under `root` (relative paths) with its bytes, skipping `skipping` prefixes.
    static func tree(_ root: String, skipping: [String] = []) -> [String: Data] {
        var result: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root) else { return result }
        while let relative = walker.nextObject() as? String {
            if skipping.contains(where: { relative == $0 || relative.hasPrefix($0 + "/") }) { continue }
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory)
            if !isDirectory.boolValue { result[relative] = FileManager.default.contents(atPath: root + "/" + relative) }
        }
        return result
    }

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? NSNumber)?.intValue ?? -1
    }

    /// Names in `directory` (to prove nothing, not even a staging folder, was left behind).
    static func entries(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".config") }.sorted()
    }
}
