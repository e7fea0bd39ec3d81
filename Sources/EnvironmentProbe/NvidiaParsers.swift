import Foundation

/// Parsers for the outputs of `nvidia-smi` and `/proc/driver/nvidia/version`. Pure functions over text.
enum NvidiaParsers {
    // MARK: - Values

    /// nvidia-smi's placeholders for "no value" become nil.
    static func clean(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let placeholders: Set<String> = [
            "", "[N/A]", "N/A", "[Not Supported]", "Not Supported", "Insufficient Permissions",
            "[Insufficient Permissions]", "Unknown Error", "[Unknown Error]", "[GPU requires reset]",
        ]
        return placeholders.contains(value) ? nil : value
    }

    /// `40960 MiB` or `40960` -> 40960.
    static func mebibytes(_ raw: String?) -> Int? {
        guard let value = clean(raw) else { return nil }
        let number = value.split(separator: " ").first.map(String.init) ?? value
        return Int(number)
    }

    /// `16x` -> 16, `4` -> 4.
    static func integer(_ raw: String?) -> Int? {
        guard let value = clean(raw) else { return nil }
        return Int(value.trimmingCharacters(in: CharacterSet(charactersIn: "xX ")))
    }

    // MARK: - Failures

    /// Explains a failing nvidia-smi run in one line, naming the known failure modes.
    static func failure(exitCode: Int32, stdout: String, stderr: String) -> String {
        let text = (stderr + "\n" + stdout)
        if text.contains("couldn't communicate with the NVIDIA driver") {
            return "nvidia-smi cannot talk to the NVIDIA driver (is the kernel module loaded?)"
        }
        if text.contains("Driver/library version mismatch") {
            return "NVML driver/library version mismatch (driver updated without a reboot?)"
        }
        if text.contains("No devices were found") { return "nvidia-smi found no devices" }
        let firstLine = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty } ?? "no output"
        return "nvidia-smi exited with status \(exitCode): \(firstLine)"
    }

    // MARK: - --query-gpu CSV

    /// Fields asked of `--query-gpu`, most to least important. Old drivers reject some of them
    /// (compute_cap needs 510+, the MIG fields 450+); those are dropped and the query repeated.
    static let queryFields = [
        "index", "name", "uuid", "pci.bus_id", "memory.total", "driver_version", "compute_cap",
        "persistence_mode", "mig.mode.current", "ecc.mode.current", "vbios_version",
    ]
    /// The field list that every driver since the 2010s accepts.
    static let minimalQueryFields = ["index", "name", "uuid", "pci.bus_id", "memory.total", "driver_version"]

    /// The field an old driver named as invalid, e.g. `Field "compute_cap" is not a valid field to query.`
    static func rejectedField(in output: String) -> String? {
        guard let range = output.range(of: "Field \""),
              let end = output[range.upperBound...].firstIndex(of: "\"") else { return nil }
        let field = String(output[range.upperBound..<end])
        return field.isEmpty ? nil : field
    }

    struct QueryResult: Equatable {
        var driverVersion: String?
        var gpus: [NvidiaGPU]
    }

    struct FormatError: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses `--format=csv,noheader,nounits` lines for the given field list.
    static func parseQuery(_ output: String, fields: [String]) throws -> QueryResult {
        var result = QueryResult(driverVersion: nil, gpus: [])
        for (lineNumber, line) in output.split(whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let cells = trimmed.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == fields.count else {
                throw FormatError(description: "line \(lineNumber + 1) has \(cells.count) values, expected \(fields.count)")
            }
            var values: [String: String] = [:]
            for (field, cell) in zip(fields, cells) { values[field] = cell }
            guard let indexText = values["index"], let index = Int(indexText) else {
                throw FormatError(description: "line \(lineNumber + 1) has no GPU index")
            }
            var gpu = NvidiaGPU(index: index)
            gpu.name = clean(values["name"])
            gpu.uuid = clean(values["uuid"])
            gpu.pciBusID = clean(values["pci.bus_id"])
            gpu.memoryTotalMiB = mebibytes(values["memory.total"])
            gpu.computeCapability = clean(values["compute_cap"])
            gpu.persistenceMode = clean(values["persistence_mode"])
            gpu.migMode = clean(values["mig.mode.current"])
            gpu.eccMode = clean(values["ecc.mode.current"])
            gpu.vbiosVersion = clean(values["vbios_version"])
            if result.driverVersion == nil { result.driverVersion = clean(values["driver_version"]) }
            result.gpus.append(gpu)
        }
        return result
    }

    // MARK: - -q -x XML

    struct XMLReport: Equatable {
        var driverVersion: String?
        var cudaVersion: String?
        var gpus: [NvidiaGPU]
        var migDevices: [MIGDevice]
    }

    /// Parses `nvidia-smi -q -x`. GPU indexes follow document order (nvidia-smi's own order).
    static func parseXML(_ text: String) throws -> XMLReport {
        let root = try MiniXML.parse(text)
        guard root.name == "nvidia_smi_log" else {
            throw FormatError(description: "root element is <\(root.name)>, expected <nvidia_smi_log>")
        }
        // Driver 610+ names these KMD version and CUDA UMD version; older drivers only have the
        // deprecated names. Prefer the new element when it is there.
        var report = XMLReport(driverVersion: clean(root.value("kmd_version")) ?? clean(root.value("driver_version")),
                               cudaVersion: clean(root.value("cuda_umd_version")) ?? clean(root.value("cuda_version")),
                               gpus: [], migDevices: [])
        for (index, node) in root.all("gpu").enumerated() {
            var gpu = NvidiaGPU(index: index)
            gpu.name = clean(node.value("product_name"))
            gpu.uuid = clean(node.value("uuid"))
            gpu.pciBusID = clean(node.attributes["id"]) ?? clean(node.value("pci", "pci_bus_id"))
            gpu.memoryTotalMiB = mebibytes(node.value("fb_memory_usage", "total"))
            gpu.computeCapability = clean(node.value("compute_cap"))
            gpu.persistenceMode = clean(node.value("persistence_mode"))
            gpu.migMode = clean(node.value("mig_mode", "current_mig"))
            gpu.eccMode = clean(node.value("ecc_mode", "current_ecc"))
            gpu.vbiosVersion = clean(node.value("vbios_version"))
            gpu.pcieLinkGenMax = integer(node.value("pci", "pci_gpu_link_info", "pcie_gen", "max_link_gen"))
            gpu.pcieLinkWidthMax = integer(node.value("pci", "pci_gpu_link_info", "link_widths", "max_link_width"))
            report.gpus.append(gpu)
            for (position, mig) in (node.child("mig_devices")?.all("mig_device") ?? []).enumerated() {
                var device = MIGDevice(gpuIndex: index, index: integer(mig.value("index")) ?? position)
                device.gpuInstanceID = integer(mig.value("gpu_instance_id"))
                device.computeInstanceID = integer(mig.value("compute_instance_id"))
                device.memoryTotalMiB = mebibytes(mig.value("fb_memory_usage", "total"))
                device.multiprocessorCount = integer(mig.value("device_attributes", "shared", "multiprocessor_count"))
                report.migDevices.append(device)
            }
        }
        return report
    }

    // MARK: - -L

    struct ListedGPU: Equatable {
        var index: Int
        var name: String
        var uuid: String?
        var migDevices: [MIGDevice]
    }

    /// Parses `nvidia-smi -L`: `GPU 0: NAME (UUID: GPU-...)` lines, each followed by its
    /// `  MIG 1g.10gb     Device  0: (UUID: MIG-...)` lines (old drivers: `MIG-GPU-<uuid>/gi/ci`).
    static func parseList(_ text: String) throws -> [ListedGPU] {
        var gpus: [ListedGPU] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("GPU "), let colon = line.firstIndex(of: ":"),
               let index = Int(line[line.index(line.startIndex, offsetBy: 4)..<colon]) {
                var rest = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                var uuid: String?
                if let open = rest.range(of: " (UUID: ", options: .backwards) {
                    uuid = rest[open.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: ") "))
                    rest = String(rest[..<open.lowerBound])
                }
                gpus.append(ListedGPU(index: index, name: rest, uuid: uuid, migDevices: []))
            } else if line.hasPrefix("MIG "), !gpus.isEmpty {
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                guard words.count >= 4, let deviceWord = words.firstIndex(of: "Device"),
                      deviceWord + 1 < words.count,
                      let index = Int(words[deviceWord + 1].trimmingCharacters(in: CharacterSet(charactersIn: ":")))
                else { throw FormatError(description: "unrecognised MIG line: \(line)") }
                var device = MIGDevice(gpuIndex: gpus[gpus.count - 1].index, index: index)
                device.profile = words[1..<deviceWord].joined(separator: " ")
                if let open = line.range(of: "(UUID: ") {
                    device.uuid = line[open.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: ") "))
                }
                gpus[gpus.count - 1].migDevices.append(device)
            } else {
                throw FormatError(description: "unrecognised line: \(line)")
            }
        }
        return gpus
    }

    // MARK: - /proc/driver/nvidia/version

    struct KernelModule: Equatable {
        var flavour: String   // "proprietary" or "open"
        var version: String
    }

    /// First line is `NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  <date>` for the
    /// proprietary module and `NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  560.35.03  Release Build ...`
    /// for the open one.
    static func parseProcVersion(_ text: String) throws -> KernelModule {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("NVRM version:") }) else {
            throw FormatError(description: "no 'NVRM version:' line")
        }
        let flavour = line.contains("Open Kernel Module") ? "open" : "proprietary"
        guard let module = line.range(of: "Kernel Module") else {
            throw FormatError(description: "no 'Kernel Module' in: \(line)")
        }
        let words = line[module.upperBound...].split(separator: " ")
        guard let version = words.first(where: { isVersion($0) }) else {
            throw FormatError(description: "no version number in: \(line)")
        }
        return KernelModule(flavour: flavour, version: String(version))
    }

    static func isVersion(_ word: Substring) -> Bool {
        let parts = word.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count >= 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }
}
