import ArgumentParser
import EnvironmentProbe
import Foundation
import MLReproCore

extension MLRepro {
    /// `mlrepro probe`: record this machine's hardware, drivers and software.
    struct Probe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "probe",
            abstract: "Record this machine: GPUs, drivers, CUDA, cuDNN, NCCL, ROCm, OS, Python, git.",
            discussion: """
            Prints a summary (or the JSON record with --json). Files are read below \
            $MLREPRO_PROBE_ROOT (default /) and tools are found on PATH. A missing, failing or \
            hanging tool is recorded in meta.sources and never fails the command.

            --compare FILE prints what differs between FILE (an environment.json) and this \
            machine, and exits 1 when anything that can change numerical results differs \
            (GPU model, compute capability, MIG layout, driver, CUDA, cuDNN, NCCL, ROCm, CPU, \
            libc, Python).
            """
        )

        @Flag(name: .long, help: "Print the JSON record instead of the summary (with --compare: the differences as JSON).")
        var json = false

        @Option(name: .long, help: ArgumentHelp("Also write the JSON record to FILE.", valueName: "FILE"))
        var output: String?

        @Option(name: .long, help: ArgumentHelp("Compare this machine with a recorded environment.json.", valueName: "FILE"))
        var compare: String?

        @Option(name: .long, help: ArgumentHelp("Limit for each external command, in seconds.", valueName: "SECONDS"))
        var timeout: Double = 5

        func validate() throws {
            guard timeout.isFinite, timeout > 0, timeout <= 3600 else {
                throw ValidationError("--timeout must be a number of seconds between 0 and 3600, got \(timeout)")
            }
        }

        func run() async throws {
            let recorded = try compare.map(Self.readRecord)
            let options = ProbeOptions(timeout: .milliseconds(Int64((timeout * 1000).rounded())),
                                       workingDirectory: FileManager.default.currentDirectoryPath,
                                       mlreproVersion: MLReproVersion.current)
            let record = await EnvironmentProber.run(options)
            if let output { try Self.write(record.jsonString(), to: output) }

            guard let recorded, let comparePath = compare else {
                print(json ? record.jsonString() : record.summary(), terminator: "")
                return
            }
            let differences = ProbeComparison.differences(recorded: recorded, current: record)
            print(json ? ProbeComparison.jsonString(differences) : Self.text(differences, recordedPath: comparePath), terminator: "")
            if differences.contains(where: \.affectsNumerics) { throw ExitRequest(.differences) }
        }

        static func readRecord(_ path: String) throws -> ProbeRecord {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandError("cannot read '\(path)': no such file or not readable")
            }
            let record: ProbeRecord
            do {
                record = try ProbeRecord(jsonData: data)
            } catch let error as ProbeRecordError {
                if let line = error.line, let column = error.column {
                    throw CommandError("\(path):\(line):\(column): error: \(error.message)")
                }
                throw CommandError("'\(path)' is not an environment record: \(error.message)")
            }
            if !record.meta.sources.isEmpty, record.meta.sources.values.allSatisfy({ $0.status == .skipped }) {
                throw CommandError("'\(path)' was written without probing (--no-probe); there is nothing to compare")
            }
            return record
        }

        static func write(_ text: String, to path: String) throws {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw CommandError("cannot write '\(path)': \(error.localizedDescription) (does its directory exist?)")
            }
        }

        static func text(_ differences: [ProbeDifference], recordedPath: String) -> String {
            guard !differences.isEmpty else { return "No differences from \(recordedPath).\n" }
            var lines = ["Differences between \(recordedPath) (recorded) and this machine (current):"]
            for difference in differences {
                let mark = difference.affectsNumerics ? "!" : " "
                lines.append("\(mark) \(difference.field): \(difference.recorded ?? "none") -> \(difference.current ?? "none")")
            }
            let numeric = differences.filter(\.affectsNumerics).count
            lines.append(numeric == 0
                ? "Only informational fields differ."
                : "\(numeric) difference(s) marked ! can change numerical results.")
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
