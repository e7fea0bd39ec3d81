import Foundation
import Testing
@testable import EnvironmentProbe

@Suite struct ToolkitParserTests {
    @Test func nvccWithBuildLine() throws {
        let v = try ToolkitParsers.parseNvcc(try Fixture.text("cuda/nvcc-12.2.txt"))
        #expect(v == .init(release: "12.2", full: "12.2.140", build: "cuda_12.2.r12.2/compiler.33191640_0"))
    }

    @Test func nvccWithoutBuildLine() throws {
        let v = try ToolkitParsers.parseNvcc(try Fixture.text("cuda/nvcc-10.1-no-build-line.txt"))
        #expect(v == .init(release: "10.1", full: "10.1.243", build: nil))
    }

    @Test func nvccGarbageIsAnError() {
        #expect(throws: (any Error).self) { try ToolkitParsers.parseNvcc("command not found") }
    }

    @Test func cudnn8UsesTheThousandsFormula() throws {
        let v = try #require(ToolkitParsers.parseCudnn(try Fixture.text("cuda/cudnn_version-8.9.7.h.txt")))
        #expect(v.version == "8.9.7")
        #expect(v.code == 8907)
    }

    @Test func cudnn9UsesTheTenThousandsFormula() throws {
        let v = try #require(ToolkitParsers.parseCudnn(try Fixture.text("cuda/cudnn_version-9.1.0.h.txt")))
        #expect(v.version == "9.1.0")
        #expect(v.code == 90100)
    }

    @Test func cudnn7VersionLivesInCudnnH() throws {
        #expect(ToolkitParsers.parseCudnn(try Fixture.text("cuda/cudnn-7.6.5.h.txt"))?.version == "7.6.5")
        #expect(ToolkitParsers.parseCudnn(try Fixture.text("cuda/cudnn-9-no-version.h.txt")) == nil)
    }

    @Test func ncclHeader() throws {
        let v = try #require(ToolkitParsers.parseNccl(try Fixture.text("cuda/nccl-2.18.3.h.txt")))
        #expect(v.version == "2.18.3")
        #expect(v.code == 21803)
    }

    @Test func amdSmiBareListShape() throws {
        let parsed = try AMDParsers.parseAmdSmi(try Fixture.text("amd/amd-smi-static-list.json"))
        #expect(parsed.gpus.count == 2)
        #expect(parsed.gpus[0].name == "Aldebaran/MI200 [Instinct MI210]")
        #expect(parsed.gpus[1].name == "AMD Instinct MI210")   // board name N/A -> market name
        #expect(parsed.gpus.map(\.gfxTarget) == ["gfx90a", "gfx90a"])
        #expect(parsed.gpus[0].memoryTotalMiB == 65520)
        #expect(parsed.gpus[1].pciBusID == "0000:83:00.0")
        #expect(parsed.driverVersion == "6.3.6")
    }

    @Test func amdSmiGpuDataShape() throws {
        let parsed = try AMDParsers.parseAmdSmi(try Fixture.text("amd/amd-smi-static-gpu-data.json"))
        #expect(parsed.gpus.map(\.index) == [0])
        #expect(parsed.gpus[0].gfxTarget == "gfx1101")
        #expect(parsed.gpus[0].memoryTotalMiB == 16384)
        #expect(parsed.driverVersion == "6.12.10")
    }

    @Test func amdSmiUnknownShapeIsAnError() {
        #expect(throws: (any Error).self) { try AMDParsers.parseAmdSmi("{\"something\": 1}") }
        #expect(throws: (any Error).self) { try AMDParsers.parseAmdSmi("not json") }
    }

    @Test func rocmSmiProductName() throws {
        let gpus = try AMDParsers.parseRocmSmi(try Fixture.text("amd/rocm-smi-productname.json"))
        #expect(gpus.map(\.index) == [0, 1])
        #expect(gpus.map(\.name) == ["AMD Instinct MI250X", "AMD Instinct MI250X"])
        #expect(gpus[0].gfxTarget == "gfx90a")
    }

    @Test func rocmVersionFile() throws {
        #expect(AMDParsers.parseRocmVersion(try Fixture.text("amd/rocm-info-version.txt")) == "6.0.2")
        #expect(AMDParsers.parseRocmVersion("garbage") == nil)
    }

    @Test func hostFiles() throws {
        let os = HostParsers.parseOSRelease(try Fixture.text("host/os-release.txt"))
        #expect(os["PRETTY_NAME"] == "Ubuntu 22.04.4 LTS")
        #expect(os["ID"] == "ubuntu")
        let cpu = HostParsers.parseCPUInfo(try Fixture.text("host/cpuinfo-2socket.txt"))
        #expect(cpu.model == "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz")
        #expect(cpu.logicalCores == 8)
        #expect(cpu.physicalCores == 4)
        let arm = HostParsers.parseCPUInfo(try Fixture.text("host/cpuinfo-arm64.txt"))
        #expect(arm.logicalCores == 2)
        #expect(arm.physicalCores == nil)
        #expect(HostParsers.parseMemTotalMiB(try Fixture.text("host/meminfo.txt")) == 257671)
    }

    @Test func pythonVersion() {
        #expect(HostParsers.parsePythonVersion("Python 3.11.2\n") == "3.11.2")
        #expect(HostParsers.parsePythonVersion("Python 3.13.0rc1") == "3.13.0rc1")
        #expect(HostParsers.parsePythonVersion("python: not found") == nil)
    }

    @Test func containerKinds() {
        #expect(HostParsers.containerKind(files: [], environment: [:]).kind == "none")
        #expect(HostParsers.containerKind(files: ["/.dockerenv"], environment: [:]).kind == "docker")
        #expect(HostParsers.containerKind(files: ["/run/.containerenv"], environment: [:]).kind == "podman")
        #expect(HostParsers.containerKind(files: ["/.dockerenv"], environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1"]).kind == "kubernetes")
        let apptainer = HostParsers.containerKind(files: [], environment: ["APPTAINER_CONTAINER": "/x.sif"])
        #expect(apptainer.kind == "apptainer")
        #expect(apptainer.indicators == ["APPTAINER_CONTAINER"])
    }
}
