import Foundation
import Testing
@testable import MLReproCLI

@Suite struct ProbeCommandTests {
    static func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mlrepro-probe-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func outputThenCompareWithItselfFindsNothingThatMatters() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/environment.json"
        #expect(await CommandLineEntry.execute(arguments: ["probe", "--json", "--output", file]) == .success)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasSuffix("}\n"))
        #expect(text.contains("\"schema_version\": 1"))
        #expect(await CommandLineEntry.execute(arguments: ["probe", "--compare", file]) == .success)
    }

    @Test func compareWithAnotherGPUExitsOne() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/environment.json"
        #expect(await CommandLineEntry.execute(arguments: ["probe", "--output", file]) == .success)
        var text = try String(contentsOfFile: file, encoding: .utf8)
        // A recorded machine whose CUDA toolkit differs from any this machine reports.
        text = text.replacingOccurrences(of: "\"nvcc_version\": ", with: "\"nvcc_version\": \"0.0.1-recorded\", \"x\": ")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(await CommandLineEntry.execute(arguments: ["probe", "--compare", file]) == .differences)
    }

    @Test func badInputsExitTwo() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "{\n  \"meta\": ,\n".write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        #expect(await CommandLineEntry.execute(arguments: ["probe", "--compare", dir + "/bad.json"]) == .error)
        #expect(await CommandLineEntry.execute(arguments: ["probe", "--compare", dir + "/missing.json"]) == .error)
        #expect(await CommandLineEntry.execute(arguments: ["probe", "--timeout", "0"]) == .error)
        #expect(await CommandLineEntry.execute(arguments: ["probe", "--output", dir + "/no/such/dir/x.json"]) == .error)
    }
}
