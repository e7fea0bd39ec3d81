import EnvironmentProbe
import Foundation

/// Produces the environment record (`.mlrepro/environment.json`, the `env` context variable)
/// as deterministic JSON text.
package protocol EnvironmentRecordProvider: Sendable {
    func recordJSON(workingDirectory: String) async -> String
}

/// The record the environment probe writes (`mlrepro probe`): GPUs, drivers, CUDA, cuDNN,
/// NCCL, ROCm, host, Python and git of `workingDirectory`. With `skipped` (`--no-probe`), a
/// record of the same shape whose every source is `skipped`.
package struct ProbedEnvironmentRecord: EnvironmentRecordProvider {
    package var skipped: Bool
    package var timeout: Duration
    package var capturedAt: Date

    package init(skipped: Bool, timeout: Duration = .seconds(5), capturedAt: Date? = nil) {
        self.skipped = skipped
        self.timeout = timeout
        self.capturedAt = capturedAt ?? Self.now()
    }

    /// The capture time: `$SOURCE_DATE_EPOCH` when set (reproducible records), else now.
    package static func now(environment: [String: String] = ProcessInfo.processInfo.environment) -> Date {
        if let epoch = environment["SOURCE_DATE_EPOCH"].flatMap({ TimeInterval($0) }) {
            return Date(timeIntervalSince1970: epoch)
        }
        return Date()
    }

    package func recordJSON(workingDirectory: String) async -> String {
        if skipped {
            return ProbeRecord.skipped(mlreproVersion: MLReproVersion.current, capturedAt: capturedAt).jsonString()
        }
        var options = ProbeOptions(timeout: timeout, workingDirectory: workingDirectory, mlreproVersion: MLReproVersion.current)
        options.capturedAt = capturedAt
        return await EnvironmentProber.run(options).jsonString()
    }
}

/// A record given as text (read back from a project's `environment.json`).
package struct FixedEnvironmentRecord: EnvironmentRecordProvider {
    package var json: String
    package init(json: String) { self.json = json }
    package func recordJSON(workingDirectory: String) async -> String { json }
}
