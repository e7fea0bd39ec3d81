import Foundation

/// One field that differs between two records.
public struct ProbeDifference: Sendable, Equatable {
    /// Dotted field name, e.g. `nvidia.driver_version` or `nvidia.gpus[1].name`.
    public var field: String
    public var recorded: String?
    public var current: String?
    /// True when the difference can change numerical results (hardware, drivers, CUDA, cuDNN,
    /// NCCL, ROCm, CPU architecture and model, libc, Python); false for informational fields.
    public var affectsNumerics: Bool
}

/// Compares a recorded environment with another (usually this machine).
public enum ProbeComparison {
    public static func differences(recorded: ProbeRecord, current: ProbeRecord) -> [ProbeDifference] {
        var out: [ProbeDifference] = []
        func check(_ field: String, _ a: String?, _ b: String?, numeric: Bool) {
            if a != b { out.append(ProbeDifference(field: field, recorded: a, current: b, affectsNumerics: numeric)) }
        }
        func int(_ v: Int?) -> String? { v.map(String.init) }

        check("host.arch", recorded.host.arch, current.host.arch, numeric: true)
        check("host.cpu_model", recorded.host.cpuModel, current.host.cpuModel, numeric: true)
        check("host.libc_version", recorded.host.libcVersion, current.host.libcVersion, numeric: true)
        check("host.os_name", recorded.host.osName, current.host.osName, numeric: false)
        check("host.kernel", recorded.host.kernel, current.host.kernel, numeric: false)
        check("host.cpu_logical_cores", int(recorded.host.cpuLogicalCores), int(current.host.cpuLogicalCores), numeric: false)
        check("host.memory_total_mib", int(recorded.host.memoryTotalMiB), int(current.host.memoryTotalMiB), numeric: false)
        check("container.kind", recorded.container.kind, current.container.kind, numeric: false)

        check("nvidia.driver_version", recorded.nvidia.driverVersion, current.nvidia.driverVersion, numeric: true)
        check("nvidia.cuda_driver_version", recorded.nvidia.cudaDriverVersion, current.nvidia.cudaDriverVersion, numeric: true)
        check("nvidia.kernel_module", recorded.nvidia.kernelModule, current.nvidia.kernelModule, numeric: false)
        check("nvidia.gpus (count)", int(recorded.nvidia.gpus.count), int(current.nvidia.gpus.count), numeric: true)
        for i in 0..<max(recorded.nvidia.gpus.count, current.nvidia.gpus.count) {
            let a = i < recorded.nvidia.gpus.count ? recorded.nvidia.gpus[i] : nil
            let b = i < current.nvidia.gpus.count ? current.nvidia.gpus[i] : nil
            guard let a, let b else { continue }
            check("nvidia.gpus[\(i)].name", a.name, b.name, numeric: true)
            check("nvidia.gpus[\(i)].compute_capability", a.computeCapability, b.computeCapability, numeric: true)
            check("nvidia.gpus[\(i)].memory_total_mib", int(a.memoryTotalMiB), int(b.memoryTotalMiB), numeric: false)
            check("nvidia.gpus[\(i)].mig_mode", a.migMode, b.migMode, numeric: true)
            check("nvidia.gpus[\(i)].ecc_mode", a.eccMode, b.eccMode, numeric: false)
            check("nvidia.gpus[\(i)].persistence_mode", a.persistenceMode, b.persistenceMode, numeric: false)
        }
        let migA = recorded.nvidia.migDevices.map { "\($0.gpuIndex):\($0.profile ?? "?")" }.sorted().joined(separator: ", ")
        let migB = current.nvidia.migDevices.map { "\($0.gpuIndex):\($0.profile ?? "?")" }.sorted().joined(separator: ", ")
        check("nvidia.mig_devices (profiles)", migA.isEmpty ? nil : migA, migB.isEmpty ? nil : migB, numeric: true)

        check("cuda_toolkit.version", recorded.cudaToolkit.version, current.cudaToolkit.version, numeric: true)
        check("cuda_toolkit.nvcc_version", recorded.cudaToolkit.nvccVersion, current.cudaToolkit.nvccVersion, numeric: true)
        check("libraries.cudnn_version", recorded.libraries.cudnnVersion, current.libraries.cudnnVersion, numeric: true)
        check("libraries.nccl_version", recorded.libraries.ncclVersion, current.libraries.ncclVersion, numeric: true)

        check("amd.rocm_version", recorded.amd.rocmVersion, current.amd.rocmVersion, numeric: true)
        check("amd.driver_version", recorded.amd.driverVersion, current.amd.driverVersion, numeric: true)
        check("amd.gpus (count)", int(recorded.amd.gpus.count), int(current.amd.gpus.count), numeric: true)
        for i in 0..<min(recorded.amd.gpus.count, current.amd.gpus.count) {
            check("amd.gpus[\(i)].name", recorded.amd.gpus[i].name, current.amd.gpus[i].name, numeric: true)
            check("amd.gpus[\(i)].gfx_target", recorded.amd.gpus[i].gfxTarget, current.amd.gpus[i].gfxTarget, numeric: true)
        }

        check("python.version", recorded.python.version, current.python.version, numeric: true)
        check("python.executable", recorded.python.executable, current.python.executable, numeric: false)
        check("git.commit", recorded.git.commit, current.git.commit, numeric: false)
        check("git.dirty", recorded.git.dirty.map { $0 ? "true" : "false" }, current.git.dirty.map { $0 ? "true" : "false" }, numeric: false)
        return out
    }
}

extension ProbeComparison {
    /// `{"affects_numerics": Bool, "differences": [{field, recorded, current, affects_numerics}]}`,
    /// in the same format as `ProbeRecord.jsonString()`.
    public static func jsonString(_ differences: [ProbeDifference]) -> String {
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        let items = differences.map { d -> JSONValue in
            .object(["field": .string(d.field), "recorded": text(d.recorded), "current": text(d.current),
                     "affects_numerics": .bool(d.affectsNumerics)])
        }
        let payload = JSONValue.object(["differences": .array(items),
                                        "affects_numerics": .bool(differences.contains(where: \.affectsNumerics))])
        return PythonStyleJSON.render(payload) + "\n"
    }
}
