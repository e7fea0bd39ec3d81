import Foundation

// MARK: - NVIDIA

enum NvidiaProbe {
    static func run(_ context: ProbeContext) async -> Probed<Nvidia> {
        var sources: [String: SourceStatus] = [:]
        var nvidia = Nvidia()

        let procKey = ProbeSource.nvidiaProcVersion.rawValue
        var module: NvidiaParsers.KernelModule?
        if let text = context.read("/proc/driver/nvidia/version") {
            do {
                module = try NvidiaParsers.parseProcVersion(text)
                sources[procKey] = .ok
            } catch {
                sources[procKey] = .error("/proc/driver/nvidia/version: \(error)")
            }
        } else {
            sources[procKey] = .absent
        }
        nvidia.kernelModule = module?.flavour
        nvidia.kernelModuleVersion = module?.version

        guard let smi = context.tools.find("nvidia-smi") else {
            for key in [ProbeSource.nvidiaSmiQuery, .nvidiaSmiXML, .nvidiaSmiList] {
                sources[key.rawValue] = SourceStatus(.absent, "nvidia-smi is not on PATH")
            }
            nvidia.driverVersion = module?.version
            return Probed(value: nvidia, sources: sources)
        }

        async let queried = query(context, smi)
        async let xml = xmlReport(context, smi)
        async let listed = list(context, smi)
        let (queryResult, queryStatus) = await queried
        let (xmlResult, xmlStatus) = await xml
        let (listResult, listStatus) = await listed
        sources[ProbeSource.nvidiaSmiQuery.rawValue] = queryStatus
        sources[ProbeSource.nvidiaSmiXML.rawValue] = xmlStatus
        sources[ProbeSource.nvidiaSmiList.rawValue] = listStatus

        nvidia.driverVersion = queryResult?.driverVersion ?? xmlResult?.driverVersion ?? module?.version
        nvidia.cudaDriverVersion = xmlResult?.cudaVersion
        nvidia.gpus = merge(query: queryResult?.gpus, xml: xmlResult?.gpus, list: listResult)
        nvidia.migDevices = mergeMIG(xml: xmlResult?.migDevices ?? [], list: listResult ?? [])
        return Probed(value: nvidia, sources: sources)
    }

    /// `--query-gpu`, dropping fields an old driver rejects (one retry per rejected field, then the minimal list).
    static func query(_ context: ProbeContext, _ smi: String) async -> (NvidiaParsers.QueryResult?, SourceStatus) {
        var fields = NvidiaParsers.queryFields
        var dropped: [String] = []
        for _ in 0..<(NvidiaParsers.queryFields.count + 1) {
            let outcome = await context.run(smi, ["--query-gpu=" + fields.joined(separator: ","), "--format=csv,noheader,nounits"])
            guard case .finished(let code, let stdout, let stderr) = outcome else {
                return (nil, context.status(of: outcome, tool: "nvidia-smi") ?? .error("nvidia-smi failed"))
            }
            let combined = stdout + "\n" + stderr
            if combined.contains("is not a valid field") {
                if let field = NvidiaParsers.rejectedField(in: combined), field != "index", fields.contains(field) {
                    fields.removeAll { $0 == field }
                    dropped.append(field)
                    continue
                }
                if fields != NvidiaParsers.minimalQueryFields {
                    dropped += fields.filter { !NvidiaParsers.minimalQueryFields.contains($0) }
                    fields = NvidiaParsers.minimalQueryFields
                    continue
                }
            }
            guard code == 0 else {
                return (nil, .error(NvidiaParsers.failure(exitCode: code, stdout: stdout, stderr: stderr)))
            }
            do {
                let result = try NvidiaParsers.parseQuery(stdout, fields: fields)
                let note = dropped.isEmpty ? nil : "driver rejected fields: " + dropped.joined(separator: ", ")
                return (result, SourceStatus(.ok, note))
            } catch {
                return (nil, .error("unrecognised --query-gpu output: \(error)"))
            }
        }
        return (nil, .error("nvidia-smi rejected every query field list"))
    }

    static func xmlReport(_ context: ProbeContext, _ smi: String) async -> (NvidiaParsers.XMLReport?, SourceStatus) {
        let outcome = await context.run(smi, ["-q", "-x"])
        guard case .finished(let code, let stdout, let stderr) = outcome else {
            return (nil, context.status(of: outcome, tool: "nvidia-smi") ?? .error("nvidia-smi failed"))
        }
        guard code == 0 else { return (nil, .error(NvidiaParsers.failure(exitCode: code, stdout: stdout, stderr: stderr))) }
        do {
            return (try NvidiaParsers.parseXML(stdout), .ok)
        } catch {
            return (nil, .error("unrecognised -q -x output: \(error)"))
        }
    }

    static func list(_ context: ProbeContext, _ smi: String) async -> ([NvidiaParsers.ListedGPU]?, SourceStatus) {
        let outcome = await context.run(smi, ["-L"])
        guard case .finished(let code, let stdout, let stderr) = outcome else {
            return (nil, context.status(of: outcome, tool: "nvidia-smi") ?? .error("nvidia-smi failed"))
        }
        guard code == 0 else { return (nil, .error(NvidiaParsers.failure(exitCode: code, stdout: stdout, stderr: stderr))) }
        do {
            return (try NvidiaParsers.parseList(stdout), .ok)
        } catch {
            return (nil, .error("unrecognised -L output: \(error)"))
        }
    }

    /// GPUs from the CSV query, completed from the XML report (matched by UUID, then PCI bus id, then
    /// index) and from `-L`; the XML or `-L` alone when the query failed.
    static func merge(query: [NvidiaGPU]?, xml: [NvidiaGPU]?, list: [NvidiaParsers.ListedGPU]?) -> [NvidiaGPU] {
        var gpus = query ?? xml ?? (list ?? []).map { listed in
            var gpu = NvidiaGPU(index: listed.index)
            gpu.name = listed.name
            gpu.uuid = listed.uuid
            return gpu
        }
        guard let xml, query != nil else { return gpus }
        for i in gpus.indices {
            let gpu = gpus[i]
            let match = xml.first { $0.uuid != nil && $0.uuid == gpu.uuid }
                ?? xml.first { $0.pciBusID != nil && $0.pciBusID == gpu.pciBusID }
                ?? xml.first { $0.index == gpu.index }
            guard let other = match else { continue }
            gpus[i].name = gpu.name ?? other.name
            gpus[i].uuid = gpu.uuid ?? other.uuid
            gpus[i].pciBusID = gpu.pciBusID ?? other.pciBusID
            gpus[i].memoryTotalMiB = gpu.memoryTotalMiB ?? other.memoryTotalMiB
            gpus[i].computeCapability = gpu.computeCapability ?? other.computeCapability
            gpus[i].migMode = gpu.migMode ?? other.migMode
            gpus[i].eccMode = gpu.eccMode ?? other.eccMode
            gpus[i].persistenceMode = gpu.persistenceMode ?? other.persistenceMode
            gpus[i].pcieLinkGenMax = gpu.pcieLinkGenMax ?? other.pcieLinkGenMax
            gpus[i].pcieLinkWidthMax = gpu.pcieLinkWidthMax ?? other.pcieLinkWidthMax
            gpus[i].vbiosVersion = gpu.vbiosVersion ?? other.vbiosVersion
        }
        return gpus
    }

    /// MIG devices from the XML (instance ids, memory, SMs) with profile and UUID from `-L`.
    static func mergeMIG(xml: [MIGDevice], list: [NvidiaParsers.ListedGPU]) -> [MIGDevice] {
        let listed = list.flatMap(\.migDevices)
        guard !xml.isEmpty else { return listed }
        return xml.map { device in
            var merged = device
            if let other = listed.first(where: { $0.gpuIndex == device.gpuIndex && $0.index == device.index }) {
                merged.profile = other.profile
                merged.uuid = other.uuid
            }
            return merged
        }
    }
}

// MARK: - CUDA toolkit, cuDNN, NCCL

enum ToolkitProbe {
    static func run(_ context: ProbeContext) async -> Probed<(CudaToolkit, Libraries)> {
        var sources: [String: SourceStatus] = [:]
        var toolkit = CudaToolkit()
        let cudaHome = context.environment["CUDA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? context.environment["CUDA_PATH"].flatMap { $0.isEmpty ? nil : $0 }
        toolkit.cudaHome = cudaHome

        var nvcc = context.tools.find("nvcc")
        if nvcc == nil, let cudaHome, FileManager.default.isExecutableFile(atPath: cudaHome + "/bin/nvcc") {
            nvcc = cudaHome + "/bin/nvcc"
        }
        let key = ProbeSource.nvcc.rawValue
        if let nvcc {
            toolkit.nvccPath = nvcc
            let outcome = await context.run(nvcc, ["--version"])
            if let failure = context.status(of: outcome, tool: "nvcc") {
                sources[key] = failure
            } else if case .finished(_, let stdout, _) = outcome {
                do {
                    let version = try ToolkitParsers.parseNvcc(stdout)
                    toolkit.version = version.release
                    toolkit.nvccVersion = version.full
                    toolkit.build = version.build
                    sources[key] = .ok
                } catch {
                    sources[key] = .error(String(describing: error))
                }
            }
        } else {
            sources[key] = SourceStatus(.absent, "nvcc is not on PATH or in CUDA_HOME/bin")
        }

        // Real directories from the environment first, then system directories below the probe root.
        var directories: [String] = []
        if let cudaHome { directories.append(cudaHome + "/include") }
        if let nvcc {
            let prefix = ((nvcc as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
            directories.append(prefix + "/include")
        }
        let machine = HostProbe.machine()
        directories += ToolkitParsers.includeDirectories(cudaHome: nil, machine: machine).map { context.path($0) }
        var seen = Set<String>()
        directories = directories.filter { seen.insert($0).inserted }

        var libraries = Libraries()
        let cudnn = findHeader(["cudnn_version.h", "cudnn_version_v9.h", "cudnn_version_v8.h", "cudnn.h"],
                               in: directories, context: context, parse: ToolkitParsers.parseCudnn)
        libraries.cudnnVersion = cudnn.version
        libraries.cudnnHeader = cudnn.header
        sources[ProbeSource.cudnnHeader.rawValue] = cudnn.status
        let nccl = findHeader(["nccl.h"], in: directories, context: context, parse: ToolkitParsers.parseNccl)
        libraries.ncclVersion = nccl.version
        libraries.ncclHeader = nccl.header
        sources[ProbeSource.ncclHeader.rawValue] = nccl.status
        return Probed(value: (toolkit, libraries), sources: sources)
    }

    static func findHeader(_ names: [String], in directories: [String], context: ProbeContext,
                           parse: (String) -> ToolkitParsers.HeaderVersion?) -> (version: String?, header: String?, status: SourceStatus) {
        var unparsable: String?
        for directory in directories {
            for name in names {
                let path = directory + "/" + name
                guard let text = context.readReal(path) else { continue }
                if let version = parse(text) {
                    return (version.version, path, .ok)
                }
                if unparsable == nil { unparsable = path }
            }
        }
        if let unparsable { return (nil, unparsable, .error("\(unparsable) has no version defines")) }
        return (nil, nil, SourceStatus(.absent, "no \(names[0]) in \(directories.count) include directories"))
    }
}

// MARK: - AMD

enum AMDProbe {
    static func run(_ context: ProbeContext) async -> Probed<AMD> {
        var sources: [String: SourceStatus] = [:]
        var amd = AMD()
        let versionKey = ProbeSource.rocmVersionFile.rawValue
        if let text = context.read("/opt/rocm/.info/version") {
            amd.rocmVersion = AMDParsers.parseRocmVersion(text)
            sources[versionKey] = amd.rocmVersion == nil ? .error("unrecognised /opt/rocm/.info/version") : .ok
        } else {
            sources[versionKey] = .absent
        }

        let amdKey = ProbeSource.amdSmi.rawValue
        let rocmKey = ProbeSource.rocmSmi.rawValue
        if let tool = context.tools.find("amd-smi") {
            let outcome = await context.run(tool, ["static", "--json"])
            if let failure = context.status(of: outcome, tool: "amd-smi") {
                sources[amdKey] = failure
            } else if case .finished(_, let stdout, _) = outcome {
                do {
                    let parsed = try AMDParsers.parseAmdSmi(jsonPart(of: stdout))
                    amd.gpus = parsed.gpus
                    amd.driverVersion = parsed.driverVersion
                    sources[amdKey] = .ok
                } catch {
                    sources[amdKey] = .error("unrecognised amd-smi static --json output: \(error)")
                }
            }
        } else {
            sources[amdKey] = SourceStatus(.absent, "amd-smi is not on PATH")
        }
        if sources[amdKey]?.status == .ok {
            sources[rocmKey] = SourceStatus(.skipped, "amd-smi answered")
        } else if let tool = context.tools.find("rocm-smi") {
            let outcome = await context.run(tool, ["--showproductname", "--json"])
            if let failure = context.status(of: outcome, tool: "rocm-smi") {
                sources[rocmKey] = failure
            } else if case .finished(_, let stdout, _) = outcome {
                do {
                    amd.gpus = try AMDParsers.parseRocmSmi(jsonPart(of: stdout))
                    sources[rocmKey] = .ok
                } catch {
                    sources[rocmKey] = .error("unrecognised rocm-smi --json output: \(error)")
                }
            }
        } else {
            sources[rocmKey] = SourceStatus(.absent, "rocm-smi is not on PATH")
        }
        return Probed(value: amd, sources: sources)
    }

    /// Drops warnings printed before the JSON document.
    static func jsonPart(of text: String) -> String {
        guard let start = text.firstIndex(where: { $0 == "[" || $0 == "{" }) else { return text }
        return String(text[start...])
    }
}
