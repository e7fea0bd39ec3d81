import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `mlrepro` binary on a pseudo-terminal, as a user's shell would: its own session,
/// the terminal as stdin/stdout/stderr and controlling terminal. Tests type keys and read the screen.
final class PseudoTerminalSession {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let pid: pid_t
    private let master: Int32
    private var output: [UInt8] = []
    /// Offset in the escape-free text up to which `expect` has matched.
    private var consumed = 0
    private var exitStatus: Int32?

    /// Everything the program wrote, escape codes included.
    var rawOutput: String { String(decoding: output, as: UTF8.self) }
    /// Everything the program wrote, escape codes removed.
    var text: String { PseudoTerminalSession.stripEscapes(rawOutput) }

    init(_ arguments: [String], in directory: String, term: String = "xterm-256color",
         environment extra: [String: String] = [:], columns: UInt16 = 80, rows: UInt16 = 24) throws {
        // posix_openpt/grantpt/unlockpt/ptsname are not visible to Swift here; on Linux they come
        // down to opening /dev/ptmx, TIOCSPTLCK(0) and TIOCGPTN.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        let tiocsptlck: UInt = 0x4004_5431
        let tiocgptn: UInt = 0x8004_5430
        guard master >= 0,
              withUnsafeMutablePointer(to: &unlock, { ioctl(master, tiocsptlck, $0) }) == 0,
              withUnsafeMutablePointer(to: &number, { ioctl(master, tiocgptn, $0) }) == 0 else {
            throw Failure(description: "cannot open a pseudo-terminal: errno \(errno)")
        }
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = withUnsafeMutablePointer(to: &size) { ioctl(master, UInt(TIOCSWINSZ), $0) }
        let slavePath = "/dev/pts/\(number)"

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclose(&actions, master)
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        // POSIX_SPAWN_SETSID (0x80, glibc) is not imported: a new session, so that opening the
        // terminal makes it the controlling terminal, as in a login shell.
        let setSession: Int32 = 0x80
        posix_spawnattr_setflags(&attributes, Int16(setSession | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory
        environment["XDG_CONFIG_HOME"] = directory + "/.config-none"
        environment["TERM"] = term
        environment.removeValue(forKey: "NO_COLOR")
        for (key, value) in extra { environment[key] = value }
        // The shell changes directory, then replaces itself with mlrepro (same process).
        let script = "cd \"$1\" || exit 125; shift; exec \"$@\""
        let argv = (["/bin/sh", "-c", script, "sh", directory, Harness.binary] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, envp)
        guard status == 0 else {
            close(master)
            throw Failure(description: "cannot start \(Harness.binary): error \(status)")
        }
        self.pid = child
        self.master = master
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }

    /// Types bytes as if from the keyboard.
    func type(_ keys: String) {
        let bytes = Array(keys.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Waits until `needle` appears in the escape-free output after the last match.
    /// The time limit only keeps a broken build from hanging the suite.
    @discardableResult
    func expect(_ needle: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let deadline = Date().addingTimeInterval(30)
        while true {
            let current = text
            let start = current.index(current.startIndex, offsetBy: min(consumed, current.count))
            if let range = current[start...].range(of: needle) {
                consumed = current.distance(from: current.startIndex, to: range.upperBound)
                return String(current[start..<range.upperBound])
            }
            if Date() > deadline || !readMore(milliseconds: 200) && exitStatus != nil {
                Issue.record("did not see \(needle.debugDescription); screen so far:\n\(current)", sourceLocation: sourceLocation)
                throw Failure(description: "expected \(needle.debugDescription)")
            }
        }
    }

    /// Reads until the program exits; returns its exit status (128+N for a signal).
    func waitForExit() throws -> Int32 {
        let deadline = Date().addingTimeInterval(60)
        while exitStatus == nil {
            if !readMore(milliseconds: 200), reap(blocking: false) { break }
            if Date() > deadline { throw Failure(description: "the program did not exit; screen:\n\(text)") }
        }
        while readMore(milliseconds: 50) {}
        return exitStatus ?? -1
    }

    /// The terminal's mode after the program ended: canonical input and echo on means "sane".
    func terminalIsSane() -> Bool {
        var settings = termios()
        guard tcgetattr(master, &settings) == 0 else { return false }
        let wanted = tcflag_t(ICANON | ECHO | ISIG)
        return settings.c_lflag & wanted == wanted
    }

    /// Reads what is available within the wait; false when nothing came (or the terminal closed).
    private func readMore(milliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, milliseconds) > 0 else {
            _ = reap(blocking: false)
            return false
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(master, &buffer, buffer.count)
        if count <= 0 {
            _ = reap(blocking: false)
            return false
        }
        output.append(contentsOf: buffer[0..<count])
        return true
    }

    private func reap(blocking: Bool) -> Bool {
        if exitStatus != nil { return true }
        var status: Int32 = 0
        let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
        guard result == pid else { return false }
        let signal = status & 0x7F
        exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        return true
    }

    static func stripEscapes(_ text: String) -> String {
        var result = ""
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if scalar == "\u{1B}" {
                guard let next = iterator.next() else { break }
                if next == "[" {
                    while let c = iterator.next(), !(0x40...0x7E).contains(c.value) {}
                }
                continue
            }
            if scalar == "\r" { continue }
            result.unicodeScalars.append(scalar)
        }
        return result
    }
}

enum KeyPress {
    static let enter = "\r"
    static let up = "\u{1B}[A"
    static let down = "\u{1B}[B"
    static let ctrlC = "\u{03}"
    static let ctrlD = "\u{04}"
}
