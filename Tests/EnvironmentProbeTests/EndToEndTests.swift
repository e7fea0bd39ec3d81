import Foundation
import Testing
@testable import EnvironmentProbe

/// A fake machine: a probe root with system files and a bin directory of fake tools.
struct FakeMachine {
    let scratch: ScratchDirectory
    var root: String { scratch.path + "/root" }
    var bin: String { scratch.path + "/bin" }

    init() throws {
        scratch = try ScratchDirectory()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    }

    func file(_ absolute: String, fixture: String) throws {
        try scratch.copy(fixture: fixture, to: "root" + absolute)
    }

    func file(_ absolute: String, text: String) throws {
        try scratch.write("root" + absolute, text)
    }

    /// A fake tool: a shell script whose `case "$*"` arms print fixture files.
    func tool(_ name: String, _ arms: [(pattern: String, body: String)]) throws {
        var script = "#!/bin/sh\ncase \"$*\" in\n"
        for arm in arms {
            let pattern = arm.pattern.replacingOccurrences(of: " ", with: "\\ ")
            script += "  \(pattern)) \(arm.body) ;;\n"
        }
        script += "  *) echo \"unexpected arguments: $*\" >&2; exit 64 ;;\nesac\n"
        try scratch.write("bin/" + name, script, executable: true)
    }

    static func cat(_ fixture: String) -> String { "/bin/cat '\(Fixture.path(fixture))'" }

    func options(timeout: Duration = .seconds(20), environment extra: [String: String] = [:]) -> ProbeOptions {
        var environment = ["PATH": bin, "MLREPRO_PROBE_ROOT": root]
        environment.merge(extra) { _, new in new }
        return ProbeOptions(timeout: timeout, workingDirectory: scratch.path, mlreproVersion: "0.0.0-test",
                            environment: environment, capturedAt: Date(timeIntervalSince1970: 1_700_000_000))
    }

    func hostFiles() throws {
        try file("/etc/os-release", fixture: "host/os-release.txt")
        try file("/proc/cpuinfo", fixture: "host/cpuinfo-2socket.txt")
        try file("/proc/meminfo", fixture: "host/meminfo.txt")
    }
}

@Suite struct EndToEndTests {
    @Test func nothingInstalledGivesAbsentSourcesAndHostFacts() async throws {
        let machine = try FakeMachine()
        try machine.hostFiles()
        let record = await EnvironmentProber.run(machine.options())
        #expect(record.meta.captured_at_isUTC)
        #expect(record.meta.capturedAt == "2023-11-14T22:13:20Z")
        #expect(record.host.osName == "Ubuntu 22.04.4 LTS")
        #expect(record.host.cpuModel == "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz")
        #expect(record.host.memoryTotalMiB == 257671)
        #expect(record.container.kind == "none")
        #expect(record.nvidia == Nvidia())
        #expect(record.amd == AMD())
        for source in [ProbeSource.nvidiaSmiQuery, .nvidiaSmiXML, .nvidiaSmiList, .nvidiaProcVersion, .nvcc,
                       .cudnnHeader, .ncclHeader, .amdSmi, .rocmSmi, .rocmVersionFile, .python, .gitRefs, .gitStatus] {
            #expect(record.meta.sources[source.rawValue]?.status == .absent, "\(source)")
        }
        #expect(Set(record.meta.sources.keys) == Set(ProbeSource.allCases.map(\.rawValue)))
    }

    @Test func a100WithMIGAndCudaStack() async throws {
        let machine = try FakeMachine()
        try machine.hostFiles()
        try machine.file("/proc/driver/nvidia/version", fixture: "nvidia/proc-version-proprietary.txt")
        try machine.file("/usr/include/cudnn_version.h", fixture: "cuda/cudnn_version-9.1.0.h.txt")
        try machine.file("/usr/include/nccl.h", fixture: "cuda/nccl-2.18.3.h.txt")
        try machine.file("/.dockerenv", text: "")
        try machine.tool("nvidia-smi", [
            ("--query-gpu=*", FakeMachine.cat("nvidia/query-a100-mig.csv")),
            ("-q -x", FakeMachine.cat("nvidia/xml-a100-mig.xml")),
            ("-L", FakeMachine.cat("nvidia/list-a100-mig.txt")),
        ])
        try machine.tool("nvcc", [("--version", FakeMachine.cat("cuda/nvcc-12.2.txt"))])
        try machine.tool("python3", [("--version", "echo 'Python 3.11.9'")])
        let record = await EnvironmentProber.run(machine.options())

        #expect(record.nvidia.driverVersion == "535.216.01")
        #expect(record.nvidia.cudaDriverVersion == "12.2")
        #expect(record.nvidia.kernelModule == "proprietary")
        #expect(record.nvidia.gpus.map(\.migMode) == ["Enabled", "Disabled"])
        #expect(record.nvidia.gpus.map(\.computeCapability) == ["8.0", "8.0"])
        #expect(record.nvidia.gpus.first?.pcieLinkGenMax == 4)
        #expect(record.nvidia.migDevices.map(\.profile) == ["3g.40gb", "2g.20gb", "1g.10gb"])
        #expect(record.nvidia.migDevices.map(\.gpuInstanceID) == [1, 5, 13])
        #expect(record.cudaToolkit.version == "12.2")
        #expect(record.cudaToolkit.nvccPath == machine.bin + "/nvcc")
        #expect(record.libraries.cudnnVersion == "9.1.0")
        #expect(record.libraries.ncclVersion == "2.18.3")
        #expect(record.libraries.cudnnHeader == machine.root + "/usr/include/cudnn_version.h")
        #expect(record.python == Python(version: "3.11.9", executable: machine.bin + "/python3"))
        #expect(record.container.kind == "docker")
        for source in [ProbeSource.nvidiaSmiQuery, .nvidiaSmiXML, .nvidiaSmiList, .nvidiaProcVersion, .nvcc,
                       .cudnnHeader, .ncclHeader, .python] {
            #expect(record.meta.sources[source.rawValue] == .ok, "\(source)")
        }
        try Golden.check(PythonStyleJSON.render(JSONValue(encoding: record.nvidia)) + "\n", named: "nvidia-a100-mig.json")
    }

    @Test func oldDriverRejectingComputeCapIsRetried() async throws {
        let machine = try FakeMachine()
        try machine.tool("nvidia-smi", [
            ("*compute_cap*", "\(FakeMachine.cat("nvidia/query-rejected-field.txt")); exit 2"),
            ("--query-gpu=*", FakeMachine.cat("nvidia/query-v100-old-driver.csv")),
            ("-q -x", "echo '<nvidia_smi_log><driver_version>470.82.01</driver_version><cuda_version>11.4</cuda_version><gpu id=\"00000000:1A:00.0\"><product_name>Tesla V100-SXM2-16GB</product_name></gpu></nvidia_smi_log>'"),
            ("-L", "echo 'GPU 0: Tesla V100-SXM2-16GB (UUID: GPU-3c9a5e7b-1d2f-4a6c-8e0b-f1a3c5e7d9b2)'"),
        ])
        let record = await EnvironmentProber.run(machine.options())
        let status = record.meta.sources[ProbeSource.nvidiaSmiQuery.rawValue]
        #expect(status?.status == .ok)
        #expect(status?.message?.contains("compute_cap") == true)
        #expect(record.nvidia.gpus.count == 2)
        #expect(record.nvidia.gpus.allSatisfy { $0.computeCapability == nil })
        #expect(record.nvidia.gpus.map(\.name) == ["Tesla V100-SXM2-16GB", "Tesla V100-SXM2-16GB"])
        #expect(record.nvidia.driverVersion == "470.82.01")
        #expect(record.nvidia.cudaDriverVersion == "11.4")
    }

    @Test func driverNotLoadedIsAnErrorStatusNotACrash() async throws {
        let machine = try FakeMachine()
        try machine.file("/proc/driver/nvidia/version", fixture: "nvidia/proc-version-open.txt")
        try machine.tool("nvidia-smi", [("*", "\(FakeMachine.cat("nvidia/error-no-driver.txt")); exit 9")])
        let record = await EnvironmentProber.run(machine.options())
        for source in [ProbeSource.nvidiaSmiQuery, .nvidiaSmiXML, .nvidiaSmiList] {
            let status = record.meta.sources[source.rawValue]
            #expect(status?.status == .error)
            #expect(status?.message?.contains("cannot talk to the NVIDIA driver") == true)
        }
        #expect(record.nvidia.gpus.isEmpty)
        #expect(record.nvidia.kernelModule == "open")
        #expect(record.nvidia.driverVersion == "560.35.03")   // from /proc when nvidia-smi fails
    }

    @Test func versionMismatchIsExplained() async throws {
        let machine = try FakeMachine()
        try machine.tool("nvidia-smi", [("*", "\(FakeMachine.cat("nvidia/error-version-mismatch.txt")); exit 18")])
        let record = await EnvironmentProber.run(machine.options())
        #expect(record.meta.sources[ProbeSource.nvidiaSmiXML.rawValue]?.message?.contains("version mismatch") == true)
    }

    @Test func hangingToolsTimeOutAndTheProbeStillReturns() async throws {
        let machine = try FakeMachine()
        let pids = machine.scratch.path + "/pids"
        let hang = "echo $$ >> '\(pids)'; /bin/sleep 600"
        try machine.tool("nvidia-smi", [("*", hang)])
        try machine.tool("amd-smi", [("*", hang)])
        try machine.tool("nvcc", [("*", hang)])
        try machine.tool("python3", [("--version", "echo 'Python 3.12.1'")])
        let start = ContinuousClock.now
        let record = await EnvironmentProber.run(machine.options(timeout: .seconds(1)))  // generous: a loaded CI machine starts shell fakes slowly
        let elapsed = ContinuousClock.now - start
        // Far below the tools' 600 s, with room for a loaded machine: the point is that they were stopped.
        #expect(elapsed < .seconds(300), "probe took \(elapsed) with tools sleeping 600 s")
        for source in [ProbeSource.nvidiaSmiQuery, .nvidiaSmiXML, .nvidiaSmiList, .amdSmi, .nvcc] {
            #expect(record.meta.sources[source.rawValue]?.status == .timeout, "\(source)")
        }
        #expect(record.python.version == "3.12.1", "\(String(describing: record.meta.sources[ProbeSource.python.rawValue]))")
        let ids = try String(contentsOfFile: pids, encoding: .utf8).split(whereSeparator: \.isNewline).compactMap { Int32($0) }
        #expect(ids.count == 5)
        for _ in 0..<50 where ids.contains(where: processIsAlive) { try await Task.sleep(for: .milliseconds(20)) }
        for pid in ids { #expect(!processIsAlive(pid), "tool process \(pid) survived the timeout") }
    }

    @Test func amdSmiAndRocmVersion() async throws {
        let machine = try FakeMachine()
        try machine.file("/opt/rocm/.info/version", fixture: "amd/rocm-info-version.txt")
        try machine.tool("amd-smi", [("static --json", FakeMachine.cat("amd/amd-smi-static-gpu-data.json"))])
        try machine.tool("rocm-smi", [("*", "exit 99")])
        let record = await EnvironmentProber.run(machine.options())
        #expect(record.amd.rocmVersion == "6.0.2")
        #expect(record.amd.gpus.map(\.gfxTarget) == ["gfx1101"])
        #expect(record.meta.sources[ProbeSource.amdSmi.rawValue] == .ok)
        #expect(record.meta.sources[ProbeSource.rocmSmi.rawValue]?.status == .skipped)
    }

    @Test func rocmSmiIsTheFallback() async throws {
        let machine = try FakeMachine()
        try machine.tool("amd-smi", [("*", "echo 'amdsmi_init failed' >&2; exit 1")])
        try machine.tool("rocm-smi", [("--showproductname --json", FakeMachine.cat("amd/rocm-smi-productname.json"))])
        let record = await EnvironmentProber.run(machine.options())
        #expect(record.meta.sources[ProbeSource.amdSmi.rawValue]?.status == .error)
        #expect(record.meta.sources[ProbeSource.rocmSmi.rawValue] == .ok)
        #expect(record.amd.gpus.map(\.name) == ["AMD Instinct MI250X", "AMD Instinct MI250X"])
    }

    @Test func cudaHomeIsSearchedForNvccAndHeaders() async throws {
        let machine = try FakeMachine()
        let home = machine.scratch.path + "/cuda-11.8"
        try machine.scratch.write("cuda-11.8/bin/nvcc", "#!/bin/sh\n\(FakeMachine.cat("cuda/nvcc-10.1-no-build-line.txt"))\n", executable: true)
        try machine.scratch.copy(fixture: "cuda/cudnn-7.6.5.h.txt", to: "cuda-11.8/include/cudnn.h")
        let record = await EnvironmentProber.run(machine.options(environment: ["CUDA_HOME": home]))
        #expect(record.cudaToolkit.cudaHome == home)
        #expect(record.cudaToolkit.nvccPath == home + "/bin/nvcc")
        #expect(record.cudaToolkit.version == "10.1")
        #expect(record.cudaToolkit.build == nil)
        #expect(record.libraries.cudnnVersion == "7.6.5")
        #expect(record.libraries.cudnnHeader == home + "/include/cudnn.h")
    }

    @Test func unknownOutputIsAnErrorStatus() async throws {
        let machine = try FakeMachine()
        try machine.tool("nvidia-smi", [("*", "echo 'Welcome to a tool that is not nvidia-smi'")])
        try machine.tool("nvcc", [("*", "echo 'nvcc: command moved'")])
        let record = await EnvironmentProber.run(machine.options())
        #expect(record.meta.sources[ProbeSource.nvidiaSmiQuery.rawValue]?.status == .error)
        #expect(record.meta.sources[ProbeSource.nvidiaSmiXML.rawValue]?.status == .error)
        #expect(record.meta.sources[ProbeSource.nvidiaSmiList.rawValue]?.status == .error)
        #expect(record.meta.sources[ProbeSource.nvcc.rawValue]?.status == .error)
    }

    @Test func containerFromEnvironment() async throws {
        let machine = try FakeMachine()
        try machine.file("/run/.containerenv", text: "engine=\"podman-4.9.3\"\n")
        let podman = await EnvironmentProber.run(machine.options())
        #expect(podman.container.kind == "podman")
        let pod = await EnvironmentProber.run(machine.options(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"]))
        #expect(pod.container.kind == "kubernetes")
    }
}

extension Meta {
    var captured_at_isUTC: Bool { capturedAt.hasSuffix("Z") }
}

/// Golden files under `Fixtures/golden`; `MLREPRO_UPDATE_GOLDEN=1` rewrites them.
enum Golden {
    static func check(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = Fixture.path("golden/" + name)
        if ProcessInfo.processInfo.environment["MLREPRO_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(atPath: Fixture.path("golden"), withIntermediateDirectories: true)
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        if expected != actual {
            let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            Issue.record("""
                \(name) differs from the golden file at line \(line + 1) (MLREPRO_UPDATE_GOLDEN=1 rewrites it):
                - \(line < a.count ? a[line] : "<end>")
                + \(line < b.count ? b[line] : "<end>")
                """, sourceLocation: sourceLocation)
        }
    }
}
