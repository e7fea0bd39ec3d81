import Foundation

// MARK: - NVIDIA

public struct Nvidia: Sendable, Equatable, Codable {
    public var driverVersion: String?
    /// Highest CUDA version the driver supports (`CUDA Version` in nvidia-smi's header).
    public var cudaDriverVersion: String?
    /// `proprietary` or `open`, from `/proc/driver/nvidia/version`.
    public var kernelModule: String?
    public var kernelModuleVersion: String?
    public var gpus: [NvidiaGPU]
    public var migDevices: [MIGDevice]

    enum CodingKeys: String, CodingKey {
        case driverVersion = "driver_version", cudaDriverVersion = "cuda_driver_version"
        case kernelModule = "kernel_module", kernelModuleVersion = "kernel_module_version"
        case gpus, migDevices = "mig_devices"
    }

    public init(driverVersion: String? = nil, cudaDriverVersion: String? = nil, kernelModule: String? = nil,
                kernelModuleVersion: String? = nil, gpus: [NvidiaGPU] = [], migDevices: [MIGDevice] = []) {
        self.driverVersion = driverVersion
        self.cudaDriverVersion = cudaDriverVersion
        self.kernelModule = kernelModule
        self.kernelModuleVersion = kernelModuleVersion
        self.gpus = gpus
        self.migDevices = migDevices
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        driverVersion = try c.decodeIfPresent(String.self, forKey: .driverVersion)
        cudaDriverVersion = try c.decodeIfPresent(String.self, forKey: .cudaDriverVersion)
        kernelModule = try c.decodeIfPresent(String.self, forKey: .kernelModule)
        kernelModuleVersion = try c.decodeIfPresent(String.self, forKey: .kernelModuleVersion)
        gpus = try c.decodeIfPresent([NvidiaGPU].self, forKey: .gpus) ?? []
        migDevices = try c.decodeIfPresent([MIGDevice].self, forKey: .migDevices) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(driverVersion, forKey: .driverVersion)
        try c.encode(cudaDriverVersion, forKey: .cudaDriverVersion)
        try c.encode(kernelModule, forKey: .kernelModule)
        try c.encode(kernelModuleVersion, forKey: .kernelModuleVersion)
        try c.encode(gpus, forKey: .gpus)
        try c.encode(migDevices, forKey: .migDevices)
    }
}

public struct NvidiaGPU: Sendable, Equatable, Codable {
    public var index: Int
    public var name: String?
    public var uuid: String?
    public var pciBusID: String?
    public var memoryTotalMiB: Int?
    /// `major.minor`, e.g. `9.0` for H100.
    public var computeCapability: String?
    /// Current MIG mode: `Enabled`, `Disabled`, or null where MIG is not supported.
    public var migMode: String?
    public var eccMode: String?
    public var persistenceMode: String?
    public var pcieLinkGenMax: Int?
    public var pcieLinkWidthMax: Int?
    public var vbiosVersion: String?

    enum CodingKeys: String, CodingKey {
        case index, name, uuid, pciBusID = "pci_bus_id", memoryTotalMiB = "memory_total_mib"
        case computeCapability = "compute_capability", migMode = "mig_mode", eccMode = "ecc_mode"
        case persistenceMode = "persistence_mode", pcieLinkGenMax = "pcie_link_gen_max"
        case pcieLinkWidthMax = "pcie_link_width_max", vbiosVersion = "vbios_version"
    }

    public init(index: Int) { self.index = index }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(name, forKey: .name)
        try c.encode(uuid, forKey: .uuid)
        try c.encode(pciBusID, forKey: .pciBusID)
        try c.encode(memoryTotalMiB, forKey: .memoryTotalMiB)
        try c.encode(computeCapability, forKey: .computeCapability)
        try c.encode(migMode, forKey: .migMode)
        try c.encode(eccMode, forKey: .eccMode)
        try c.encode(persistenceMode, forKey: .persistenceMode)
        try c.encode(pcieLinkGenMax, forKey: .pcieLinkGenMax)
        try c.encode(pcieLinkWidthMax, forKey: .pcieLinkWidthMax)
        try c.encode(vbiosVersion, forKey: .vbiosVersion)
    }
}

/// One MIG device (a compute instance inside a GPU instance).
public struct MIGDevice: Sendable, Equatable, Codable {
    public var gpuIndex: Int
    /// MIG device index within its GPU (`Device N` in `nvidia-smi -L`).
    public var index: Int
    public var gpuInstanceID: Int?
    public var computeInstanceID: Int?
    /// Profile such as `1g.10gb`, from `nvidia-smi -L`.
    public var profile: String?
    public var uuid: String?
    public var memoryTotalMiB: Int?
    public var multiprocessorCount: Int?

    enum CodingKeys: String, CodingKey {
        case gpuIndex = "gpu_index", index, gpuInstanceID = "gpu_instance_id"
        case computeInstanceID = "compute_instance_id", profile, uuid
        case memoryTotalMiB = "memory_total_mib", multiprocessorCount = "multiprocessor_count"
    }

    public init(gpuIndex: Int, index: Int) {
        self.gpuIndex = gpuIndex
        self.index = index
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(gpuIndex, forKey: .gpuIndex)
        try c.encode(index, forKey: .index)
        try c.encode(gpuInstanceID, forKey: .gpuInstanceID)
        try c.encode(computeInstanceID, forKey: .computeInstanceID)
        try c.encode(profile, forKey: .profile)
        try c.encode(uuid, forKey: .uuid)
        try c.encode(memoryTotalMiB, forKey: .memoryTotalMiB)
        try c.encode(multiprocessorCount, forKey: .multiprocessorCount)
    }
}

// MARK: - CUDA toolkit and libraries

public struct CudaToolkit: Sendable, Equatable, Codable {
    /// `release` from `nvcc --version`, e.g. `12.2`.
    public var version: String?
    /// Full version from the `V` token, e.g. `12.2.140`.
    public var nvccVersion: String?
    /// The `Build` line when present, e.g. `cuda_12.2.r12.2/compiler.33191640_0`.
    public var build: String?
    public var nvccPath: String?
    public var cudaHome: String?

    enum CodingKeys: String, CodingKey {
        case version, nvccVersion = "nvcc_version", build, nvccPath = "nvcc_path", cudaHome = "cuda_home"
    }

    public init() {}

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(nvccVersion, forKey: .nvccVersion)
        try c.encode(build, forKey: .build)
        try c.encode(nvccPath, forKey: .nvccPath)
        try c.encode(cudaHome, forKey: .cudaHome)
    }
}

public struct Libraries: Sendable, Equatable, Codable {
    public var cudnnVersion: String?
    public var cudnnHeader: String?
    public var ncclVersion: String?
    public var ncclHeader: String?

    enum CodingKeys: String, CodingKey {
        case cudnnVersion = "cudnn_version", cudnnHeader = "cudnn_header"
        case ncclVersion = "nccl_version", ncclHeader = "nccl_header"
    }

    public init() {}

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(cudnnVersion, forKey: .cudnnVersion)
        try c.encode(cudnnHeader, forKey: .cudnnHeader)
        try c.encode(ncclVersion, forKey: .ncclVersion)
        try c.encode(ncclHeader, forKey: .ncclHeader)
    }
}

// MARK: - AMD

public struct AMD: Sendable, Equatable, Codable {
    public var rocmVersion: String?
    public var driverVersion: String?
    public var gpus: [AMDGPU]

    enum CodingKeys: String, CodingKey {
        case rocmVersion = "rocm_version", driverVersion = "driver_version", gpus
    }

    public init(rocmVersion: String? = nil, driverVersion: String? = nil, gpus: [AMDGPU] = []) {
        self.rocmVersion = rocmVersion
        self.driverVersion = driverVersion
        self.gpus = gpus
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rocmVersion = try c.decodeIfPresent(String.self, forKey: .rocmVersion)
        driverVersion = try c.decodeIfPresent(String.self, forKey: .driverVersion)
        gpus = try c.decodeIfPresent([AMDGPU].self, forKey: .gpus) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rocmVersion, forKey: .rocmVersion)
        try c.encode(driverVersion, forKey: .driverVersion)
        try c.encode(gpus, forKey: .gpus)
    }
}

public struct AMDGPU: Sendable, Equatable, Codable {
    public var index: Int
    public var name: String?
    /// LLVM target such as `gfx90a`.
    public var gfxTarget: String?
    public var pciBusID: String?
    public var memoryTotalMiB: Int?

    enum CodingKeys: String, CodingKey {
        case index, name, gfxTarget = "gfx_target", pciBusID = "pci_bus_id", memoryTotalMiB = "memory_total_mib"
    }

    public init(index: Int) { self.index = index }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(name, forKey: .name)
        try c.encode(gfxTarget, forKey: .gfxTarget)
        try c.encode(pciBusID, forKey: .pciBusID)
        try c.encode(memoryTotalMiB, forKey: .memoryTotalMiB)
    }
}

// MARK: - Sources

/// Every source the probe reads, as named in `meta.sources`.
public enum ProbeSource: String, Sendable, CaseIterable {
    case nvidiaSmiQuery = "nvidia_smi_query"
    case nvidiaSmiXML = "nvidia_smi_xml"
    case nvidiaSmiList = "nvidia_smi_list"
    case nvidiaProcVersion = "nvidia_proc_version"
    case nvcc
    case cudnnHeader = "cudnn_header"
    case ncclHeader = "nccl_header"
    case amdSmi = "amd_smi"
    case rocmSmi = "rocm_smi"
    case rocmVersionFile = "rocm_version_file"
    case osRelease = "os_release"
    case uname
    case libc
    case cpuinfo
    case meminfo
    case container
    case python
    case gitRefs = "git_refs"
    case gitStatus = "git_status"
}

enum ProbeClock {
    /// `YYYY-MM-DDThh:mm:ssZ` in UTC, with gmtime_r (no formatter, so no ICU start-up).
    static func iso8601(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "1970-01-01T00:00:00Z" }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = String(parts.tm_year + 1900)
        return "\(year)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
