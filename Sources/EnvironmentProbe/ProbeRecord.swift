import Foundation

// MARK: - Record

/// The structured record of a machine (`environment.json`, schema version 1).
///
/// Every group is always present; a value the probe could not determine is `null`.
/// `meta.sources` says, per source, whether it was read (`ok`), not there (`absent`),
/// failed (`error` with a message), hung (`timeout`) or was not run (`skipped`).
public struct ProbeRecord: Sendable, Equatable, Codable {
    public static let schemaVersion = 1

    public var meta: Meta
    public var host: Host
    public var container: Container
    public var nvidia: Nvidia
    public var cudaToolkit: CudaToolkit
    public var libraries: Libraries
    public var amd: AMD
    public var python: Python
    public var git: Git

    enum CodingKeys: String, CodingKey {
        case meta, host, container, nvidia, libraries, amd, python, git
        case cudaToolkit = "cuda_toolkit"
    }

    public init(meta: Meta, host: Host = .init(), container: Container = .init(), nvidia: Nvidia = .init(),
                cudaToolkit: CudaToolkit = .init(), libraries: Libraries = .init(), amd: AMD = .init(),
                python: Python = .init(), git: Git = .init()) {
        self.meta = meta
        self.host = host
        self.container = container
        self.nvidia = nvidia
        self.cudaToolkit = cudaToolkit
        self.libraries = libraries
        self.amd = amd
        self.python = python
        self.git = git
    }

    /// The record written when probing is turned off: every group present with null values and
    /// every source marked `skipped`.
    public static func skipped(mlreproVersion: String, capturedAt: Date) -> ProbeRecord {
        var sources: [String: SourceStatus] = [:]
        for source in ProbeSource.allCases { sources[source.rawValue] = .skipped }
        let meta = Meta(capturedAt: ProbeClock.iso8601(capturedAt), mlreproVersion: mlreproVersion,
                        sources: sources)
        return ProbeRecord(meta: meta, container: Container(kind: nil, indicators: []))
    }

    /// Deterministic JSON text: sorted keys, two-space indentation, `"key": value`, trailing newline.
    public func jsonString() -> String {
        PythonStyleJSON.render(JSONValue(encoding: self)) + "\n"
    }

    /// Reads a record written by `jsonString()` (or by the generated project's `provenance.py`).
    public init(jsonData: Data) throws {
        if let failure = JSONSyntax.firstError(in: Array(jsonData)) {
            throw ProbeRecordError(line: failure.line, column: failure.column, message: "not valid JSON: \(failure.message)")
        }
        do {
            self = try JSONDecoder().decode(ProbeRecord.self, from: jsonData)
        } catch let error as DecodingError {
            throw ProbeRecordError(decodingError: error)
        }
        guard meta.schemaVersion <= ProbeRecord.schemaVersion else {
            throw ProbeRecordError(line: nil, column: nil, message: "meta.schema_version is \(meta.schemaVersion); "
                + "this mlrepro reads up to \(ProbeRecord.schemaVersion) (update mlrepro)")
        }
    }
}

/// Why a record could not be read.
public struct ProbeRecordError: Error, Sendable, CustomStringConvertible {
    /// 1-based line and column when the JSON text itself is malformed.
    public var line: Int?
    public var column: Int?
    public var message: String

    public var description: String { message }

    init(line: Int?, column: Int?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    init(decodingError error: DecodingError) {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            message = "not valid JSON: \(context.debugDescription)"
        case .dataCorrupted(let context):
            message = "bad value at \(ProbeRecordError.path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            message = "missing key '\(ProbeRecordError.path(context.codingPath + [key]))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            message = "wrong type at '\(ProbeRecordError.path(context.codingPath))': \(context.debugDescription)"
        @unknown default:
            message = "not an environment record: \(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
    }
}

// MARK: - Groups

/// Status of one source of information.
public struct SourceStatus: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable { case ok, absent, error, timeout, skipped }
    public var status: State
    public var message: String?

    public init(_ status: State, _ message: String? = nil) {
        self.status = status
        self.message = message
    }

    public static let ok = SourceStatus(.ok)
    public static let absent = SourceStatus(.absent)
    public static let skipped = SourceStatus(.skipped)
    public static func error(_ message: String) -> SourceStatus { SourceStatus(.error, message) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(message, forKey: .message)
    }
}

public struct Meta: Sendable, Equatable, Codable {
    public var schemaVersion: Int
    /// UTC, ISO-8601 with seconds, e.g. `2026-11-23T14:07:55Z`.
    public var capturedAt: String
    public var mlreproVersion: String
    /// Keyed by `ProbeSource` raw values.
    public var sources: [String: SourceStatus]

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", capturedAt = "captured_at"
        case mlreproVersion = "mlrepro_version", sources
    }

    public init(schemaVersion: Int = ProbeRecord.schemaVersion, capturedAt: String, mlreproVersion: String,
                sources: [String: SourceStatus]) {
        self.schemaVersion = schemaVersion
        self.capturedAt = capturedAt
        self.mlreproVersion = mlreproVersion
        self.sources = sources
    }
}

public struct Host: Sendable, Equatable, Codable {
    public var osName: String?
    public var osID: String?
    public var osVersionID: String?
    public var kernel: String?
    public var arch: String?
    public var libc: String?
    public var libcVersion: String?
    public var cpuModel: String?
    public var cpuLogicalCores: Int?
    public var cpuPhysicalCores: Int?
    public var memoryTotalMiB: Int?

    enum CodingKeys: String, CodingKey {
        case osName = "os_name", osID = "os_id", osVersionID = "os_version_id", kernel, arch, libc
        case libcVersion = "libc_version", cpuModel = "cpu_model", cpuLogicalCores = "cpu_logical_cores"
        case cpuPhysicalCores = "cpu_physical_cores", memoryTotalMiB = "memory_total_mib"
    }

    public init() {}

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(osName, forKey: .osName)
        try c.encode(osID, forKey: .osID)
        try c.encode(osVersionID, forKey: .osVersionID)
        try c.encode(kernel, forKey: .kernel)
        try c.encode(arch, forKey: .arch)
        try c.encode(libc, forKey: .libc)
        try c.encode(libcVersion, forKey: .libcVersion)
        try c.encode(cpuModel, forKey: .cpuModel)
        try c.encode(cpuLogicalCores, forKey: .cpuLogicalCores)
        try c.encode(cpuPhysicalCores, forKey: .cpuPhysicalCores)
        try c.encode(memoryTotalMiB, forKey: .memoryTotalMiB)
    }
}

public struct Container: Sendable, Equatable, Codable {
    /// `docker`, `podman`, `kubernetes`, `apptainer` or `none`; null when skipped.
    public var kind: String?
    /// What was seen: `/.dockerenv`, `/run/.containerenv`, `KUBERNETES_SERVICE_HOST`, `APPTAINER_CONTAINER`, ...
    public var indicators: [String]

    enum CodingKeys: String, CodingKey { case kind, indicators }

    public init(kind: String? = nil, indicators: [String] = []) {
        self.kind = kind
        self.indicators = indicators
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        indicators = try c.decodeIfPresent([String].self, forKey: .indicators) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(indicators, forKey: .indicators)
    }
}

public struct Python: Sendable, Equatable, Codable {
    public var version: String?
    public var executable: String?

    public init(version: String? = nil, executable: String? = nil) {
        self.version = version
        self.executable = executable
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(executable, forKey: .executable)
    }
}

public struct Git: Sendable, Equatable, Codable {
    public var commit: String?
    public var branch: String?
    /// True when tracked files changed or untracked (not ignored) files exist; null when unknown.
    public var dirty: Bool?

    public init(commit: String? = nil, branch: String? = nil, dirty: Bool? = nil) {
        self.commit = commit
        self.branch = branch
        self.dirty = dirty
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(commit, forKey: .commit)
        try c.encode(branch, forKey: .branch)
        try c.encode(dirty, forKey: .dirty)
    }
}
