import Foundation
import Testing
@testable import EnvironmentProbe

@Suite struct RecordTests {
    static func sample() -> ProbeRecord {
        var record = ProbeRecord(meta: Meta(capturedAt: "2026-01-02T03:04:05Z", mlreproVersion: "9.9.9",
                                            sources: ["nvcc": .ok, "python": .error("python3 exited with status 1: \"boom\"")]))
        record.host.osName = "Ubuntu 22.04.4 LTS"
        record.host.cpuLogicalCores = 8
        var gpu = NvidiaGPU(index: 0)
        gpu.name = "NVIDIA H100 80GB HBM3"
        gpu.computeCapability = "9.0"
        record.nvidia.gpus = [gpu]
        record.git.dirty = false
        return record
    }

    @Test func jsonIsSortedTwoSpaceWithNullsAndTrailingNewline() throws {
        let text = Self.sample().jsonString()
        #expect(text.hasSuffix("}\n"))
        #expect(text.hasPrefix("{\n  \"amd\": {\n    \"driver_version\": null,\n    \"gpus\": [],\n"))
        #expect(text.contains("\n  \"cuda_toolkit\": {\n    \"build\": null,"))
        #expect(text.contains("\"message\": \"python3 exited with status 1: \\\"boom\\\"\""))
        let topKeys = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { String($0.dropFirst(3).prefix { $0 != "\"" }) }
        #expect(topKeys == ["amd", "container", "cuda_toolkit", "git", "host", "libraries", "meta", "nvidia", "python"])
        #expect(Self.sample().jsonString() == text)
    }

    @Test func jsonMatchesPythonsJsonDumps() async throws {
        // json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n" gives the same bytes.
        let text = Self.sample().jsonString()
        let scratch = try ScratchDirectory()
        let file = try scratch.write("record.json", text)
        let python = try #require(ToolLocator(path: ProcessInfo.processInfo.environment["PATH"] ?? "").find("python3"),
                                  "python3 is needed on PATH for this test")
        let outcome = await SubprocessRunner().run(
            python, arguments: ["-c", "import json,sys; d=json.load(open(sys.argv[1])); sys.stdout.write(json.dumps(d, indent=2, sort_keys=True, ensure_ascii=False) + '\\n')", file],
            environment: ProcessInfo.processInfo.environment, workingDirectory: nil, timeout: .seconds(20))
        guard case .finished(0, let stdout, _) = outcome else {
            Issue.record("python3 failed: \(outcome)")
            return
        }
        #expect(stdout == text)
    }

    @Test func roundTrips() throws {
        let record = Self.sample()
        #expect(try ProbeRecord(jsonData: Data(record.jsonString().utf8)) == record)
    }

    @Test func skippedRecordHasEveryGroupAndSource() throws {
        let record = ProbeRecord.skipped(mlreproVersion: "1.0.0", capturedAt: Date(timeIntervalSince1970: 0))
        #expect(record.meta.capturedAt == "1970-01-01T00:00:00Z")
        #expect(Set(record.meta.sources.keys) == Set(ProbeSource.allCases.map(\.rawValue)))
        #expect(record.meta.sources.values.allSatisfy { $0.status == .skipped })
        let text = record.jsonString()
        for group in ["meta", "host", "container", "nvidia", "cuda_toolkit", "libraries", "amd", "python", "git"] {
            #expect(text.contains("\n  \"\(group)\": {"), "\(group)")
        }
        #expect(text.contains("\"kind\": null"))
        #expect(try ProbeRecord(jsonData: Data(text.utf8)) == record)
    }

    @Test func malformedJSONNamesLineAndColumn() {
        let bad = "{\n  \"meta\": {\n    \"schema_version\": 1,,\n"
        do {
            _ = try ProbeRecord(jsonData: Data(bad.utf8))
            Issue.record("expected an error")
        } catch let error as ProbeRecordError {
            #expect(error.line == 3, "\(error.message)")
            #expect(error.column != nil)
            #expect(error.message.hasPrefix("not valid JSON"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func wrongDocumentNamesTheMissingKey() {
        #expect { try ProbeRecord(jsonData: Data("{\"answers\": 1}".utf8)) } throws: { error in
            String(describing: error).contains("missing key")
        }
    }
}

@Suite struct ComparisonTests {
    @Test func identicalRecordsHaveNoDifferences() {
        let record = RecordTests.sample()
        #expect(ProbeComparison.differences(recorded: record, current: record).isEmpty)
    }

    @Test func driverAndGPUChangesAffectNumerics() {
        let recorded = RecordTests.sample()
        var current = recorded
        current.nvidia.driverVersion = "560.35.03"
        current.nvidia.gpus[0].name = "NVIDIA A100-SXM4-80GB"
        current.host.osName = "Debian GNU/Linux 12 (bookworm)"
        let differences = ProbeComparison.differences(recorded: recorded, current: current)
        #expect(differences.map(\.field) == ["host.os_name", "nvidia.driver_version", "nvidia.gpus[0].name"])
        #expect(differences.map(\.affectsNumerics) == [false, true, true])
    }

    @Test func osOnlyDifferenceIsInformational() {
        let recorded = RecordTests.sample()
        var current = recorded
        current.host.kernel = "6.8.0"
        current.git.commit = "abc"
        let numeric = ProbeComparison.differences(recorded: recorded, current: current).filter { $0.affectsNumerics }
        #expect(numeric.isEmpty)
    }

    @Test func lostGPUIsANumericDifference() {
        let recorded = RecordTests.sample()
        var current = recorded
        current.nvidia.gpus = []
        let differences = ProbeComparison.differences(recorded: recorded, current: current)
        #expect(differences.contains { $0.field == "nvidia.gpus (count)" && $0.affectsNumerics })
        let json = ProbeComparison.jsonString(differences)
        #expect(json.contains("\"affects_numerics\": true"))
    }
}

@Suite struct LenientReadingTests {
    /// A record written by other code (e.g. at training time) may leave out lists and nulls.
    @Test func missingListsAndNullsAreAccepted() throws {
        let text = """
            {"meta": {"schema_version": 1, "captured_at": "2026-01-01T00:00:00Z", "mlrepro_version": "x", "sources": {}},
             "host": {"os_name": "Ubuntu 24.04 LTS"}, "container": {"kind": "none"}, "nvidia": {"driver_version": "550.54.15"},
             "cuda_toolkit": {}, "libraries": {}, "amd": {}, "python": {"version": "3.12.3"}, "git": {}}
            """
        let record = try ProbeRecord(jsonData: Data(text.utf8))
        #expect(record.nvidia.driverVersion == "550.54.15")
        #expect(record.nvidia.gpus.isEmpty)
        #expect(record.container.indicators.isEmpty)
        #expect(record.host.kernel == nil)
        #expect(record.python.version == "3.12.3")
    }

    @Test func newerSchemaIsRefused() {
        let text = """
            {"meta": {"schema_version": 2, "captured_at": "t", "mlrepro_version": "x", "sources": {}},
             "host": {}, "container": {}, "nvidia": {}, "cuda_toolkit": {}, "libraries": {}, "amd": {}, "python": {}, "git": {}}
            """
        #expect { try ProbeRecord(jsonData: Data(text.utf8)) } throws: { error in
            String(describing: error).contains("schema_version is 2")
        }
    }
}
