import Foundation
import MLReproTestSupport
import Testing
@testable import MLReproCore

/// Records the commands it is given and answers each with a fixed status.
final class RecordingRunner: ProcessRunning, @unchecked Sendable {
    private(set) var commands: [ProcessCommand] = []
    func run(_ command: ProcessCommand) throws -> ProcessResult {
        commands.append(command)
        return ProcessResult(status: 3, output: command.output == .captured ? "out" : "")
    }
}

/// The one process seam: what tasks and validators ask of it, and the system runner's two outputs.
@Suite struct ProcessRunnerTests {
    @Test func aTaskRunsOnTheTerminalWithACleanEnvironment() throws {
        let runner = RecordingRunner()
        #expect(try runner.run(.shell("echo $STAGE"), in: "/p", environment: ["STAGE": "before"]) == 3)
        #expect(try runner.run(.arguments(["make", "-j", "2"]), in: "/p") == 3)
        #expect(try runner.run(.arguments([]), in: "/p") == 0)
        #expect(runner.commands.count == 2)
        let shell = try #require(runner.commands.first)
        #expect(shell.executable == "/bin/sh" && shell.arguments == ["-c", "echo $STAGE"] && shell.directory == "/p")
        #expect(shell.output == .inherited)
        let environment = try #require(shell.environment)
        #expect(environment["STAGE"] == "before" && environment["PATH"] != nil)
        #expect(Set(environment.keys).isSubset(of: ["PATH", "HOME", "LANG", "LC_ALL", "TERM", "USER", "STAGE"]))
        let arguments = runner.commands[1]
        #expect(arguments.executable == "/usr/bin/env" && arguments.arguments == ["--", "make", "-j", "2"])
    }

    @Test func aValidatorsOutputIsCapturedInMLReprosEnvironment() throws {
        let runner = RecordingRunner()
        let result = try runner.run("/usr/bin/ruff", ["check", "."], in: URL(fileURLWithPath: "/p"))
        #expect(result.status == 3 && result.output == "out")
        let command = try #require(runner.commands.first)
        #expect(command.output == .captured && command.environment == nil && command.directory == "/p")
        #expect(command.arguments == ["check", "."])
    }

    @Test func theSystemRunnerCapturesBothStreamsOrLeavesThemToTheTerminal() throws {
        let folder = try TemporaryDirectory.make(prefix: "process-runner")
        defer { TemporaryDirectory.remove(folder) }
        let runner = SystemProcessRunner()
        let captured = try runner.run(ProcessCommand(executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2; pwd; exit 4"],
                                                     directory: folder, output: .captured))
        let realFolder = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        #expect(captured.status == 4)
        #expect(captured.output == "out\nerr\n\(realFolder)\n" || captured.output == "out\nerr\n\(folder)\n", "\(captured.output)")
        let task = try runner.run(.shell("test \"$ONLY\" = yes && touch made"),
                                  in: folder, environment: ["ONLY": "yes"])
        #expect(task == 0 && FileManager.default.fileExists(atPath: folder + "/made"))
        #expect(throws: (any Error).self) {
            try runner.run(ProcessCommand(executable: folder + "/missing", arguments: [], directory: folder, output: .captured))
        }
    }
}
