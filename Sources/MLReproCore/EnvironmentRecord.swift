import Foundation

/// Produces the environment record (`.mlrepro/environment.json`, the `env` context variable)
/// as deterministic JSON text.
public protocol EnvironmentRecordProvider: Sendable {
    func recordJSON(workingDirectory: String) async -> String
}

/// A record with every group present: `host` filled in from uname and os-release, the other
/// groups empty with status "not_probed" (or, with `skipped`, every source "skipped").
public struct BasicEnvironmentRecord: EnvironmentRecordProvider {
    public var skipped: Bool
    public var capturedAt: Date

    public init(skipped: Bool, capturedAt: Date = Date()) {
        self.skipped = skipped
        self.capturedAt = capturedAt
    }

    static let groups = ["container", "nvidia", "cuda_toolkit", "libraries", "amd", "python", "git"]

    public func recordJSON(workingDirectory: String) async -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var sources: [(String, String)] = [("host", skipped ? "skipped" : "ok")]
        for group in Self.groups { sources.append((group, skipped ? "skipped" : "not_probed")) }
        let host = skipped ? Self.emptyHost : Self.probeHost()
        var json = "{\n"
        json += "  \"amd\": {\n    \"gpus\": [],\n    \"rocm_version\": null\n  },\n"
        json += "  \"container\": {\n    \"runtime\": null\n  },\n"
        json += "  \"cuda_toolkit\": {\n    \"nvcc_version\": null,\n    \"path\": null\n  },\n"
        json += "  \"git\": {\n    \"branch\": null,\n    \"commit\": null,\n    \"dirty\": null\n  },\n"
        json += "  \"host\": {\n" + host.map { "    \(JSONText.quote($0.0)): \($0.1)" }.joined(separator: ",\n") + "\n  },\n"
        json += "  \"libraries\": {\n    \"cudnn_version\": null,\n    \"nccl_version\": null\n  },\n"
        json += "  \"meta\": {\n"
        json += "    \"captured_at\": \(JSONText.quote(formatter.string(from: capturedAt))),\n"
        json += "    \"mlrepro_version\": \(JSONText.quote(MLReproVersion.current)),\n"
        json += "    \"schema_version\": 1,\n"
        json += "    \"sources\": {\n"
        json += sources.sorted { $0.0 < $1.0 }.map { "      \(JSONText.quote($0.0)): {\n        \"errors\": [],\n        \"status\": \(JSONText.quote($0.1))\n      }" }
            .joined(separator: ",\n")
        json += "\n    }\n  },\n"
        json += "  \"nvidia\": {\n    \"cuda_version\": null,\n    \"driver_version\": null,\n    \"gpus\": [],\n    \"mig_devices\": []\n  },\n"
        json += "  \"python\": {\n    \"executable\": null,\n    \"version\": null\n  }\n"
        json += "}\n"
        return json
    }

    static let emptyHost: [(String, String)] = [
        ("arch", "null"), ("cores", "null"), ("cpu_model", "null"), ("kernel", "null"), ("libc", "null"),
        ("memory_mib", "null"), ("os", "null"),
    ]

    static func probeHost() -> [(String, String)] {
        var name = utsname()
        uname(&name)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
        var os: String?
        if let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
                os = String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        var cpu: String?
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("model name") {
                cpu = line.split(separator: ":", maxSplits: 1).last.map { String($0).trimmingSpaces }
                break
            }
        }
        let memory = ProcessInfo.processInfo.physicalMemory / (1024 * 1024)
        func string(_ value: String?) -> String { value.map(JSONText.quote) ?? "null" }
        return [
            ("arch", string(field(name.machine))),
            ("cores", String(ProcessInfo.processInfo.processorCount)),
            ("cpu_model", string(cpu)),
            ("kernel", string(field(name.release))),
            ("libc", "null"),
            ("memory_mib", String(memory)),
            ("os", string(os)),
        ]
    }
}

/// A record given as text (read back from a project's `environment.json`).
public struct FixedEnvironmentRecord: EnvironmentRecordProvider {
    public var json: String
    public init(json: String) { self.json = json }
    public func recordJSON(workingDirectory: String) async -> String { json }
}
