import Foundation
import Testing
@testable import EnvironmentProbe

@Suite struct NvidiaParserTests {
    @Test func mixedWorkstationQueryKeepsEachModelAndMapsPlaceholdersToNull() throws {
        let result = try NvidiaParsers.parseQuery(try Fixture.text("nvidia/query-mixed-workstation.csv"),
                                                  fields: NvidiaParsers.queryFields)
        #expect(result.driverVersion == "550.54.15")
        #expect(result.gpus.map(\.name) == ["NVIDIA GeForce RTX 4090", "NVIDIA RTX A6000", "Tesla T4"])
        #expect(result.gpus.map(\.computeCapability) == ["8.9", "8.6", "7.5"])
        #expect(result.gpus.map(\.memoryTotalMiB) == [24564, 49140, 15360])
        #expect(result.gpus[0].migMode == nil)          // [N/A]
        #expect(result.gpus[0].eccMode == nil)          // [N/A]
        #expect(result.gpus[2].eccMode == "Enabled")
        #expect(result.gpus[2].vbiosVersion == nil)     // [Insufficient Permissions]
        #expect(result.gpus[1].pciBusID == "00000000:41:00.0")
    }

    @Test func placeholdersBecomeNull() {
        for placeholder in ["[N/A]", "N/A", "[Not Supported]", "Insufficient Permissions", "  ", "[Insufficient Permissions]"] {
            #expect(NvidiaParsers.clean(placeholder) == nil, "\(placeholder)")
        }
        #expect(NvidiaParsers.clean(" 535.104.05 ") == "535.104.05")
    }

    @Test func rejectedFieldIsNamed() throws {
        #expect(NvidiaParsers.rejectedField(in: try Fixture.text("nvidia/query-rejected-field.txt")) == "compute_cap")
        #expect(NvidiaParsers.rejectedField(in: "No devices were found") == nil)
    }

    @Test func queryWithWrongColumnCountIsAnError() {
        #expect(throws: NvidiaParsers.FormatError.self) {
            try NvidiaParsers.parseQuery("0, A100, GPU-1\n", fields: NvidiaParsers.queryFields)
        }
    }

    @Test func knownFailuresAreExplained() throws {
        let noDriver = NvidiaParsers.failure(exitCode: 9, stdout: try Fixture.text("nvidia/error-no-driver.txt"), stderr: "")
        #expect(noDriver.contains("cannot talk to the NVIDIA driver"))
        let mismatch = NvidiaParsers.failure(exitCode: 18, stdout: try Fixture.text("nvidia/error-version-mismatch.txt"), stderr: "")
        #expect(mismatch.contains("version mismatch"))
        #expect(NvidiaParsers.failure(exitCode: 4, stdout: "", stderr: "Something odd\n") == "nvidia-smi exited with status 4: Something odd")
    }

    @Test func a100XMLGivesMIGDevicesECCPersistenceAndPCIe() throws {
        let report = try NvidiaParsers.parseXML(try Fixture.text("nvidia/xml-a100-mig.xml"))
        #expect(report.driverVersion == "535.216.01")
        #expect(report.cudaVersion == "12.2")
        #expect(report.gpus.count == 2)
        let gpu = report.gpus[0]
        #expect(gpu.name == "NVIDIA A100-SXM4-80GB")
        #expect(gpu.pciBusID == "00000000:07:00.0")
        #expect(gpu.migMode == "Enabled")
        #expect(gpu.eccMode == "Enabled")
        #expect(gpu.persistenceMode == "Enabled")
        #expect(gpu.pcieLinkGenMax == 4)
        #expect(gpu.pcieLinkWidthMax == 16)
        #expect(gpu.memoryTotalMiB == 81920)
        #expect(report.gpus[1].migMode == "Disabled")
        #expect(report.migDevices.map(\.gpuInstanceID) == [1, 5, 13])
        #expect(report.migDevices.map(\.memoryTotalMiB) == [40192, 19968, 9728])
        #expect(report.migDevices.map(\.multiprocessorCount) == [42, 28, 14])
        #expect(report.migDevices.allSatisfy { $0.gpuIndex == 0 })
    }

    @Test func h100XML() throws {
        let report = try NvidiaParsers.parseXML(try Fixture.text("nvidia/xml-h100-mig.xml"))
        #expect(report.cudaVersion == "12.4")
        #expect(report.gpus.map(\.name) == ["NVIDIA H100 80GB HBM3"])
        #expect(report.gpus[0].pcieLinkGenMax == 5)
        #expect(report.migDevices.map(\.index) == [0, 1])
        #expect(report.migDevices.map(\.gpuInstanceID) == [2, 1])
    }

    @Test func malformedXMLIsAnErrorNotACrash() {
        #expect(throws: (any Error).self) { try NvidiaParsers.parseXML("<nvidia_smi_log><gpu></nvidia_smi_log>") }
        #expect(throws: (any Error).self) { try NvidiaParsers.parseXML("not xml at all") }
        #expect(throws: (any Error).self) { try NvidiaParsers.parseXML("<other/>") }
    }

    @Test func xmlEntitiesAndCommentsAreHandled() throws {
        let root = try MiniXML.parse("<?xml version=\"1.0\"?><!-- c --><a x='1'><b>R&amp;D &lt;1&gt; &#65;</b><c/></a>")
        #expect(root.value("b") == "R&D <1> A")
        #expect(root.attributes["x"] == "1")
        #expect(root.child("c") != nil)
    }

    @Test func listWithMIGDevices() throws {
        let gpus = try NvidiaParsers.parseList(try Fixture.text("nvidia/list-a100-mig.txt"))
        #expect(gpus.map(\.index) == [0, 1])
        #expect(gpus[0].uuid == "GPU-7fdaf0a5-179b-f636-d15d-daf243e3ff16")
        #expect(gpus[0].migDevices.map(\.profile) == ["3g.40gb", "2g.20gb", "1g.10gb"])
        #expect(gpus[0].migDevices[2].uuid == "MIG-feb88891-0321-5fef-9c87-d4af3b54259e")
        #expect(gpus[1].migDevices.isEmpty)
    }

    @Test func listWithOldMIGUUIDFormat() throws {
        let gpus = try NvidiaParsers.parseList(try Fixture.text("nvidia/list-mig-r470.txt"))
        #expect(gpus[0].name == "A100-SXM4-40GB")
        #expect(gpus[0].migDevices.map(\.uuid) == ["MIG-GPU-932bfb2c-849a-2a22-1e84-9eff6bc02b39/7/0",
                                                    "MIG-GPU-932bfb2c-849a-2a22-1e84-9eff6bc02b39/8/0"])
        #expect(gpus[0].migDevices.map(\.profile) == ["1g.5gb", "1g.5gb"])
    }

    @Test func listRejectsUnknownLines() {
        #expect(throws: NvidiaParsers.FormatError.self) { try NvidiaParsers.parseList("garbage line\n") }
    }

    @Test(arguments: [
        ("nvidia/proc-version-proprietary.txt", "proprietary", "535.216.01"),
        ("nvidia/proc-version-open.txt", "open", "560.35.03"),
        ("nvidia/proc-version-aarch64.txt", "open", "550.54.15"),
    ])
    func procVersionFormats(file: String, flavour: String, version: String) throws {
        let module = try NvidiaParsers.parseProcVersion(try Fixture.text(file))
        #expect(module.flavour == flavour)
        #expect(module.version == version)
    }

    @Test func mergeFillsQueryGapsFromXMLAndAddsMIGProfiles() throws {
        let query = try NvidiaParsers.parseQuery(try Fixture.text("nvidia/query-a100-mig.csv"), fields: NvidiaParsers.queryFields)
        let xml = try NvidiaParsers.parseXML(try Fixture.text("nvidia/xml-a100-mig.xml"))
        let list = try NvidiaParsers.parseList(try Fixture.text("nvidia/list-a100-mig.txt"))
        let gpus = NvidiaProbe.merge(query: query.gpus, xml: xml.gpus, list: list)
        #expect(gpus[0].computeCapability == "8.0")
        #expect(gpus[0].pcieLinkGenMax == 4)
        let mig = NvidiaProbe.mergeMIG(xml: xml.migDevices, list: list)
        #expect(mig.map(\.profile) == ["3g.40gb", "2g.20gb", "1g.10gb"])
        #expect(mig[0].uuid == "MIG-0929581a-2be6-5dec-bf34-0954c6c529a6")
        #expect(mig[0].gpuInstanceID == 1)
    }
}

@Suite struct NvidiaDriver610Tests {
    @Test func kmdAndUMDElementNamesAreAccepted() throws {
        let xml = """
            <?xml version="1.0" ?>
            <!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v13.dtd">
            <nvidia_smi_log>
            \t<kmd_version>610.43.02</kmd_version>
            \t<cuda_umd_version>13.3</cuda_umd_version>
            \t<attached_gpus>1</attached_gpus>
            \t<gpu id="00000000:63:00.0">
            \t\t<product_name>NVIDIA B200</product_name>
            \t\t<fb_memory_usage><total>183359 MiB</total></fb_memory_usage>
            \t</gpu>
            </nvidia_smi_log>
            """
        let report = try NvidiaParsers.parseXML(xml)
        #expect(report.driverVersion == "610.43.02")
        #expect(report.cudaVersion == "13.3")
        #expect(report.gpus.first?.memoryTotalMiB == 183359)
    }
}
