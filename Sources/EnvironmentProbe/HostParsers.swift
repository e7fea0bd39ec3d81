import Foundation

/// Parsers for host files: os-release, cpuinfo, meminfo.
enum HostParsers {
    /// `KEY=value` / `KEY="value"` lines of os-release(5).
    static func parseOSRelease(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.hasPrefix("#"), let eq = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<eq])
            var value = String(line[line.index(after: eq)...])
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
                value = value.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
            }
            result[key] = value
        }
        return result
    }

    struct CPUInfo: Equatable {
        var model: String?
        var logicalCores: Int
        var physicalCores: Int?
    }

    /// Model from `model name` (x86) or `Model`/`Hardware` (ARM); logical cores count `processor`
    /// entries; physical cores count distinct (`physical id`, `core id`) pairs when present.
    static func parseCPUInfo(_ text: String) -> CPUInfo {
        var model: String?
        var fallbackModel: String?
        var logical = 0
        var physicalID = ""
        var cores = Set<String>()
        for raw in text.split(whereSeparator: \.isNewline) {
            guard let colon = raw.firstIndex(of: ":") else { continue }
            let key = raw[..<colon].trimmingCharacters(in: .whitespaces)
            let value = raw[raw.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "processor": logical += 1
            case "model name", "cpu model": if model == nil, !value.isEmpty { model = value }
            case "Model", "Hardware", "uarch": if fallbackModel == nil, !value.isEmpty { fallbackModel = value }
            case "physical id": physicalID = value
            case "core id": cores.insert("\(physicalID)/\(value)")
            default: break
            }
        }
        return CPUInfo(model: model ?? fallbackModel, logicalCores: logical, physicalCores: cores.isEmpty ? nil : cores.count)
    }

    /// `MemTotal:       131891234 kB` -> MiB.
    static func parseMemTotalMiB(_ text: String) -> Int? {
        guard let line = text.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("MemTotal:") }) else { return nil }
        let words = line.split(separator: " ")
        guard words.count >= 2, let kib = Int(words[1]) else { return nil }
        return kib / 1024
    }

    /// `Python 3.11.2` -> `3.11.2`.
    static func parsePythonVersion(_ text: String) -> String? {
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("Python ") {
                let version = line.dropFirst("Python ".count).trimmingCharacters(in: .whitespaces)
                if !version.isEmpty, version.first?.isNumber == true { return version }
            }
        }
        return nil
    }

    /// Container kind from what is visible: Apptainer/Singularity variables, Kubernetes' service
    /// variable, podman's `/run/.containerenv`, docker's `/.dockerenv`.
    static func containerKind(files: Set<String>, environment: [String: String]) -> Container {
        var indicators: [String] = []
        for name in ["APPTAINER_CONTAINER", "SINGULARITY_CONTAINER", "KUBERNETES_SERVICE_HOST"]
        where !(environment[name] ?? "").isEmpty {
            indicators.append(name)
        }
        for file in ["/run/.containerenv", "/.dockerenv"] where files.contains(file) { indicators.append(file) }
        let kind: String
        if indicators.contains("APPTAINER_CONTAINER") || indicators.contains("SINGULARITY_CONTAINER") {
            kind = "apptainer"
        } else if indicators.contains("KUBERNETES_SERVICE_HOST") {
            kind = "kubernetes"
        } else if indicators.contains("/run/.containerenv") {
            kind = "podman"
        } else if indicators.contains("/.dockerenv") {
            kind = "docker"
        } else {
            kind = "none"
        }
        return Container(kind: kind, indicators: indicators)
    }
}
