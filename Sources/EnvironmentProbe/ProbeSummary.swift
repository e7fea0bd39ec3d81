import Foundation

extension ProbeRecord {
    /// A human-readable summary: one line per group, GPUs and MIG devices indented, then any source
    /// that was not read cleanly.
    public func summary() -> String {
        var lines: [String] = []
        func row(_ label: String, _ text: String) {
            lines.append(label.padding(toLength: 12, withPad: " ", startingAt: 0) + text)
        }
        func join(_ parts: [String?]) -> String {
            let present = parts.compactMap { $0 }.filter { !$0.isEmpty }
            return present.isEmpty ? "unknown" : present.joined(separator: ", ")
        }

        lines.append("Environment captured \(meta.capturedAt) by mlrepro \(meta.mlreproVersion) (schema \(meta.schemaVersion))")
        row("OS", join([host.osName, host.kernel.map { "kernel \($0)" }, host.arch,
                        host.libc.map { lib in host.libcVersion.map { "\(lib) \($0)" } ?? lib }]))
        let cores: String? = host.cpuLogicalCores.map { logical in
            host.cpuPhysicalCores.map { "\($0) cores / \(logical) threads" } ?? "\(logical) logical cores"
        }
        row("CPU", join([host.cpuModel, cores, host.memoryTotalMiB.map { String(format: "%.1f GiB RAM", Double($0) / 1024) }]))
        row("Container", container.kind ?? "unknown")

        if nvidia.gpus.isEmpty && nvidia.driverVersion == nil {
            row("NVIDIA", "none")
        } else {
            row("NVIDIA", join([nvidia.driverVersion.map { "driver \($0)" },
                                nvidia.kernelModule.map { "\($0) kernel module" },
                                nvidia.cudaDriverVersion.map { "CUDA driver \($0)" }]))
            for gpu in nvidia.gpus {
                let mig = gpu.migMode.map { "MIG \($0.lowercased())" }
                row("  GPU \(gpu.index)", join([gpu.name, gpu.memoryTotalMiB.map { "\($0) MiB" },
                                             gpu.computeCapability.map { "compute \($0)" }, mig,
                                             gpu.eccMode.map { "ECC \($0.lowercased())" }, gpu.pciBusID]))
            }
            for device in nvidia.migDevices {
                row("    MIG", join(["GPU \(device.gpuIndex) device \(device.index)", device.profile,
                                     device.memoryTotalMiB.map { "\($0) MiB" }, device.uuid]))
            }
        }
        if let version = cudaToolkit.version {
            row("CUDA", join(["nvcc \(cudaToolkit.nvccVersion ?? version)", cudaToolkit.nvccPath]))
        } else {
            row("CUDA", "no toolkit found")
        }
        row("cuDNN", libraries.cudnnVersion ?? "not found")
        row("NCCL", libraries.ncclVersion ?? "not found")
        if amd.gpus.isEmpty && amd.rocmVersion == nil {
            row("AMD", "none")
        } else {
            row("AMD", join([amd.rocmVersion.map { "ROCm \($0)" }, amd.driverVersion.map { "driver \($0)" }]))
            for gpu in amd.gpus {
                row("  GPU \(gpu.index)", join([gpu.name, gpu.gfxTarget, gpu.memoryTotalMiB.map { "\($0) MiB" }, gpu.pciBusID]))
            }
        }
        row("Python", python.version.map { v in python.executable.map { "\(v) (\($0))" } ?? v } ?? "not found")
        if git.commit == nil && git.branch == nil {
            row("Git", "not a repository")
        } else {
            let dirty = git.dirty.map { $0 ? "dirty" : "clean" } ?? "dirtiness unknown"
            row("Git", join([git.commit.map { String($0.prefix(12)) } ?? "no commit yet",
                             git.branch.map { "on \($0)" } ?? "detached", dirty]))
        }
        let problems = meta.sources.keys.sorted().compactMap { key -> String? in
            guard let status = meta.sources[key], status.status == .error || status.status == .timeout else { return nil }
            return "\(key): \(status.status.rawValue)" + (status.message.map { " (\($0))" } ?? "")
        }
        if !problems.isEmpty {
            lines.append("Sources with problems:")
            lines += problems.map { "  " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
