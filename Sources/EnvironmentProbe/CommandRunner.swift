import Foundation
import Subprocess
import Synchronization
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// What became of one external command.
public enum CommandOutcome: Sendable, Equatable {
    case finished(exitCode: Int32, stdout: String, stderr: String)
    /// Killed by a signal that the probe did not send.
    case signalled(Int32)
    /// Still running when the timeout expired; it was killed (with its process group).
    case timedOut
    case launchFailed(String)
}

/// Runs external commands. Tests substitute their own; the probe uses `SubprocessRunner`.
public protocol CommandRunning: Sendable {
    /// Runs `executable` (an absolute path) and waits at most `timeout`.
    func run(_ executable: String, arguments: [String], environment: [String: String],
             workingDirectory: String?, timeout: Duration) async -> CommandOutcome
}

/// Runs commands with swift-subprocess in their own process group. On timeout the whole group gets
/// SIGKILL, so children the tool started die too. (A SIGTERM first would let the group leader exit
/// and end the teardown before a child that ignores SIGTERM is killed.)
public struct SubprocessRunner: CommandRunning {
    /// How long to wait for a killed command to be reaped before giving up on it.
    public var terminationGrace: Duration
    /// Output beyond this many bytes is an error, not a hang.
    public var outputLimit: Int

    public init(terminationGrace: Duration = .milliseconds(200), outputLimit: Int = 8 << 20) {
        self.terminationGrace = terminationGrace
        self.outputLimit = outputLimit
    }

    public func run(_ executable: String, arguments: [String], environment: [String: String],
                    workingDirectory: String?, timeout: Duration) async -> CommandOutcome {
        var options = PlatformOptions()
        options.processGroupID = 0
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: terminationGrace)]
        var variables: [Environment.Key: String] = [:]
        for (key, value) in environment {
            if let name = Environment.Key(rawValue: key) { variables[name] = value }
        }
        let limit = outputLimit
        let directory = workingDirectory.map { FilePath($0) }
        let env = Environment.custom(variables)

        let race = FirstValue<CommandOutcome>()
        let spawned = FirstValue<pid_t?>()
        let work = Task<CommandOutcome, Never> {
            defer { spawned.offer(nil) }
            do {
                let result = try await Subprocess.run(
                    .path(FilePath(executable)), arguments: Arguments(arguments), environment: env,
                    workingDirectory: directory, platformOptions: options, input: .none,
                    output: .string(limit: limit), error: .string(limit: limit)
                ) { execution in
                    spawned.offer(execution.processIdentifier.value)
                }
                switch result.terminationStatus {
                case .exited(let code):
                    return .finished(exitCode: code, stdout: result.standardOutput,
                                     stderr: result.standardError)
                case .signaled(let signal):
                    return .signalled(signal)
                }
            } catch {
                if Task.isCancelled { return .timedOut }
                return .launchFailed(String(describing: error))
            }
        }
        // The clock starts when the tool has started, and a tool that has already exited when it
        // runs out is not a timeout: on a loaded machine this process may be slow to collect a
        // result the tool delivered in time. Its result gets one more `timeout` to be collected.
        let timer = Task {
            guard let pid = await spawned.value() else { return }
            try? await Task.sleep(for: timeout)
            if Task.isCancelled { return }
            if !childIsRunning(pid) {
                try? await Task.sleep(for: timeout)
                if Task.isCancelled { return }
            }
            race.offer(.timedOut)
        }
        Task {
            let outcome = await work.value
            race.offer(outcome)
        }
        let outcome = await race.value()
        timer.cancel()
        guard outcome == .timedOut else { return outcome }
        work.cancel()
        // Wait for the teardown to reap the child, but never longer than the grace period plus a
        // margin: a grandchild that left the process group must not hold the probe.
        let reaped = FirstValue<CommandOutcome>()
        Task {
            _ = await work.value
            reaped.offer(.timedOut)
        }
        Task {
            try? await Task.sleep(for: terminationGrace * 3 + .milliseconds(500))
            reaped.offer(.timedOut)
        }
        _ = await reaped.value()
        return .timedOut
    }
}

/// Whether `pid`, a child of this process, has not yet exited. A child that exited (reaped or not)
/// is not running; `WNOWAIT` leaves its status for swift-subprocess to collect.
func childIsRunning(_ pid: pid_t) -> Bool {
    var info = siginfo_t()
    let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
    if result != 0 { return false }           // ECHILD: already reaped
    return info.si_signo != SIGCHLD           // zero when the child has not changed state
}

/// The first of several values offered concurrently (later offers are ignored), awaited by one
/// task: which of a command's result and its timer came first, or the started command's pid.
final class FirstValue<Value: Sendable>: Sendable {
    private struct State {
        var settled: Value?   // `.some` once offered, also when `Value` is itself optional
        var waiter: CheckedContinuation<Value, Never>?
    }

    private let state = Mutex(State())

    func offer(_ value: Value) {
        let waiter = state.withLock { state -> CheckedContinuation<Value, Never>? in
            guard case .none = state.settled else { return nil }
            state.settled = .some(value)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: value)
    }

    func value() async -> Value {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Value? in
                if case .some(let value) = state.settled { return .some(value) }
                state.waiter = continuation
                return .none
            }
            if case .some(let value) = ready { continuation.resume(returning: value) }
        }
    }
}

// MARK: - Finding tools

/// Finds executables on a `PATH` string.
struct ToolLocator: Sendable {
    var path: String

    func find(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = directory.hasSuffix("/") ? "\(directory)\(name)" : "\(directory)/\(name)"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }
}
