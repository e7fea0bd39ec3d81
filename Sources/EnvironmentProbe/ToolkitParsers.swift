import Foundation

/// Parsers for `nvcc --version` and the cuDNN / NCCL headers.
enum ToolkitParsers {
    struct NvccVersion: Equatable {
        var release: String
        var full: String?
        var build: String?
    }

    /// `Cuda compilation tools, release 12.2, V12.2.140` and, since CUDA 11, a `Build cuda_...` line.
    static func parseNvcc(_ text: String) throws -> NvccVersion {
        guard let line = text.split(whereSeparator: \.isNewline).first(where: { $0.contains("release ") }),
              let release = line.range(of: "release ") else {
            throw NvidiaParsers.FormatError(description: "no 'release' line in nvcc --version output")
        }
        let after = line[release.upperBound...]
        let version = after.prefix { $0 != "," && $0 != " " }
        guard NvidiaParsers.isVersion(version) else {
            throw NvidiaParsers.FormatError(description: "unrecognised release in: \(line)")
        }
        var result = NvccVersion(release: String(version))
        if let v = after.range(of: " V") {
            let full = after[v.upperBound...].prefix { !$0.isWhitespace }
            if NvidiaParsers.isVersion(full) { result.full = String(full) }
        }
        if let build = text.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("Build ") }) {
            result.build = build.dropFirst("Build ".count).trimmingCharacters(in: .whitespaces)
        }
        return result
    }

    /// `#define NAME value` pairs of a C header (the first definition wins).
    static func defines(in header: String) -> [String: String] {
        var result: [String: String] = [:]
        for raw in header.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("#") else { continue }
            let words = line.dropFirst().trimmingCharacters(in: .whitespaces)
            guard words.hasPrefix("define") else { continue }
            let rest = words.dropFirst("define".count).trimmingCharacters(in: .whitespaces)
            guard let space = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) else { continue }
            let name = String(rest[..<space])
            var value = rest[space...].trimmingCharacters(in: .whitespaces)
            if let comment = value.range(of: "//") { value = value[..<comment.lowerBound].trimmingCharacters(in: .whitespaces) }
            if let comment = value.range(of: "/*") { value = value[..<comment.lowerBound].trimmingCharacters(in: .whitespaces) }
            if result[name] == nil { result[name] = value }
        }
        return result
    }

    struct HeaderVersion: Equatable {
        var version: String
        /// The numeric code as the header computes it (CUDNN_VERSION / NCCL_VERSION_CODE).
        var code: Int?
    }

    /// cuDNN: `CUDNN_MAJOR/MINOR/PATCHLEVEL`; since v9 `CUDNN_VERSION` is major*10000+minor*100+patch,
    /// before it was major*1000+minor*100+patch.
    static func parseCudnn(_ header: String) -> HeaderVersion? {
        let d = defines(in: header)
        guard let major = d["CUDNN_MAJOR"].flatMap({ Int($0) }),
              let minor = d["CUDNN_MINOR"].flatMap({ Int($0) }),
              let patch = d["CUDNN_PATCHLEVEL"].flatMap({ Int($0) }) else { return nil }
        let code = major >= 9 ? major * 10000 + minor * 100 + patch : major * 1000 + minor * 100 + patch
        return HeaderVersion(version: "\(major).\(minor).\(patch)", code: code)
    }

    /// NCCL: `NCCL_MAJOR/MINOR/PATCH` and optional `NCCL_SUFFIX` (e.g. `"a0"`).
    static func parseNccl(_ header: String) -> HeaderVersion? {
        let d = defines(in: header)
        guard let major = d["NCCL_MAJOR"].flatMap({ Int($0) }),
              let minor = d["NCCL_MINOR"].flatMap({ Int($0) }),
              let patch = d["NCCL_PATCH"].flatMap({ Int($0) }) else { return nil }
        let suffix = (d["NCCL_SUFFIX"] ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        let code = d["NCCL_VERSION_CODE"].flatMap { Int($0) }
        return HeaderVersion(version: "\(major).\(minor).\(patch)\(suffix)", code: code)
    }

    /// Include directories searched for headers, most specific first.
    static func includeDirectories(cudaHome: String?, machine: String?) -> [String] {
        var dirs: [String] = []
        if let cudaHome, !cudaHome.isEmpty { dirs.append("\(cudaHome)/include") }
        dirs += ["/usr/local/cuda/include", "/usr/include"]
        if let machine { dirs.append("/usr/include/\(machine)-linux-gnu") }
        dirs += ["/usr/local/include", "/opt/cuda/include"]
        var seen = Set<String>()
        return dirs.filter { seen.insert($0).inserted }
    }
}

/// Parsers for AMD's tools.
enum AMDParsers {
    /// `amd-smi static --json`: either a bare list of GPUs (ROCm 6.0-6.2) or `{"gpu_data": [...]}`.
    static func parseAmdSmi(_ text: String) throws -> (gpus: [AMDGPU], driverVersion: String?) {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        let list: [JSONValue]
        switch value {
        case .array(let items): list = items
        case .object(let object):
            guard case .array(let items)? = object["gpu_data"] else {
                throw NvidiaParsers.FormatError(description: "JSON object without a 'gpu_data' list")
            }
            list = items
        default: throw NvidiaParsers.FormatError(description: "expected a JSON list or object")
        }
        var gpus: [AMDGPU] = []
        var driver: String?
        for (position, item) in list.enumerated() {
            var gpu = AMDGPU(index: item["gpu"]?.intValue ?? position)
            let market = clean(item["asic"]?["market_name"]?.stringValue)
            let product = clean(item["board"]?["product_name"]?.stringValue)
            gpu.name = product ?? market
            gpu.gfxTarget = clean(item["asic"]?["target_graphics_version"]?.stringValue)
            gpu.pciBusID = clean(item["bus"]?["bdf"]?.stringValue)
            gpu.memoryTotalMiB = vramMiB(item["vram"]?["size"])
            if driver == nil { driver = clean(item["driver"]?["version"]?.stringValue) }
            gpus.append(gpu)
        }
        return (gpus, driver)
    }

    /// `vram.size` is `{"value": 65536, "unit": "MB"}` in recent versions and a bare number of MB before.
    static func vramMiB(_ value: JSONValue?) -> Int? {
        guard let value else { return nil }
        if let number = value.intValue { return number }
        guard let amount = value["value"]?.intValue else { return nil }
        switch value["unit"]?.stringValue?.uppercased() {
        case "GB": return amount * 1024
        case "KB": return amount / 1024
        case "B": return amount / (1024 * 1024)
        default: return amount
        }
    }

    /// `rocm-smi --showproductname --json`: `{"card0": {"Card Series": ..., "GFX Version": ...}, ...}`.
    static func parseRocmSmi(_ text: String) throws -> [AMDGPU] {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        guard case .object(let cards) = value else {
            throw NvidiaParsers.FormatError(description: "expected a JSON object of cards")
        }
        var gpus: [AMDGPU] = []
        for (key, card) in cards where key.hasPrefix("card") {
            guard let index = Int(key.dropFirst(4)), case .object(let fields) = card else { continue }
            func field(_ names: String...) -> String? {
                for name in names {
                    if let hit = fields.first(where: { $0.key.caseInsensitiveCompare(name) == .orderedSame }) {
                        return clean(hit.value.stringValue)
                    }
                }
                return nil
            }
            var gpu = AMDGPU(index: index)
            gpu.name = field("Card Series", "Card series", "Device Name", "Card Model")
            gpu.gfxTarget = field("GFX Version")
            gpu.pciBusID = field("PCI Bus")
            gpus.append(gpu)
        }
        return gpus.sorted { $0.index < $1.index }
    }

    /// `/opt/rocm/.info/version`: `6.0.2-115` -> `6.0.2`.
    static func parseRocmVersion(_ text: String) -> String? {
        let line = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let version = line.split(separator: "-").first.map(String.init) ?? ""
        return NvidiaParsers.isVersion(Substring(version)) ? version : nil
    }

    static func clean(_ s: String?) -> String? { NvidiaParsers.clean(s) }
}
