import Foundation
import Testing
@testable import EnvironmentProbe

/// True while `pid` is a live (not zombie) process.
func processIsAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
    return state != "Z" && state != "X"
}

@Suite struct RunnerTests {
    @Test func capturesOutputAndExitCode() async throws {
        let scratch = try ScratchDirectory()
        let script = try scratch.write("tool", "#!/bin/sh\necho out\necho err >&2\nexit 3\n", executable: true)
        let outcome = await SubprocessRunner().run(script, arguments: [], environment: [:], workingDirectory: nil, timeout: .seconds(20))
        #expect(outcome == .finished(exitCode: 3, stdout: "out\n", stderr: "err\n"))
    }

    @Test func passesArgumentsEnvironmentAndDirectory() async throws {
        let scratch = try ScratchDirectory()
        let script = try scratch.write("tool", "#!/bin/sh\necho \"$1|$GREETING|$(/bin/pwd)\"\n", executable: true)
        let outcome = await SubprocessRunner().run(script, arguments: ["a b"], environment: ["GREETING": "hi"],
                                                   workingDirectory: scratch.path, timeout: .seconds(20))
        let real = URL(fileURLWithPath: scratch.path).resolvingSymlinksInPath().path
        #expect(outcome == .finished(exitCode: 0, stdout: "a b|hi|\(real)\n", stderr: ""))
    }

    @Test func missingExecutableIsALaunchFailure() async {
        let outcome = await SubprocessRunner().run("/nonexistent/tool", arguments: [], environment: [:],
                                                   workingDirectory: nil, timeout: .seconds(5))
        guard case .launchFailed = outcome else {
            Issue.record("expected launchFailed, got \(outcome)")
            return
        }
    }

    /// A tool that hangs, with a child of its own that ignores SIGTERM: both are gone when `run` returns.
    @Test func hangingToolAndItsChildrenAreKilled() async throws {
        let scratch = try ScratchDirectory()
        let pids = scratch.path + "/pids"
        let script = try scratch.write("hang", """
            #!/bin/sh
            /bin/sh -c 'trap "" TERM; echo $$ >> \(pids); exec /bin/sleep 600' &
            echo $$ >> \(pids)
            /bin/sleep 600
            """, executable: true)
        let start = ContinuousClock.now
        let outcome = await SubprocessRunner(terminationGrace: .milliseconds(100))
            .run(script, arguments: [], environment: [:], workingDirectory: nil, timeout: .milliseconds(500))
        let elapsed = ContinuousClock.now - start
        #expect(outcome == .timedOut)
        // Far below the tool's 600 s, with room for a loaded machine: the point is that it was killed.
        #expect(elapsed < .seconds(300), "returned after \(elapsed), the tool sleeps 600 s")
        let written = try String(contentsOfFile: pids, encoding: .utf8)
        let ids = written.split(whereSeparator: \.isNewline).compactMap { Int32($0) }
        #expect(ids.count == 2)
        // The kill is asynchronous for the grandchild; allow the kernel a moment.
        for _ in 0..<50 where ids.contains(where: processIsAlive) { try await Task.sleep(for: .milliseconds(20)) }
        for pid in ids { #expect(!processIsAlive(pid), "process \(pid) survived") }
    }

    /// The timeout asks whether the tool still runs: a zombie (exited, not yet reaped) and a reaped
    /// child do not; neither does a process that is not this process's child.
    @Test func childIsRunningTellsRunningFromExited() throws {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("30"), nil]
        defer { argv.forEach { free($0) } }
        #expect(posix_spawn(&pid, "/bin/sleep", nil, nil, argv, environ) == 0)
        #expect(childIsRunning(pid))
        kill(pid, SIGKILL)
        var exited = false
        for _ in 0..<500 where !exited {
            exited = !childIsRunning(pid)
            if !exited { usleep(10_000) }
        }
        #expect(exited)
        #expect(!processIsAlive(pid))   // a zombie until reaped: WNOWAIT left it for its owner
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
        #expect(!childIsRunning(pid))
        #expect(!childIsRunning(1))
    }

    /// The first offer wins, later ones are ignored, and an offered nil counts as an offer.
    @Test func firstValueKeepsTheFirstOfferIncludingNil() async {
        let pid = FirstValue<pid_t?>()
        pid.offer(nil)
        pid.offer(42)
        #expect(await pid.value() == nil)
        let outcome = FirstValue<CommandOutcome>()
        async let awaited = outcome.value()
        outcome.offer(.timedOut)
        outcome.offer(.signalled(9))
        #expect(await awaited == .timedOut)
    }
}
