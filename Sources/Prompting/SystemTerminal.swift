#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The process's own terminal: keys from stdin, prompts to stdout (stderr when stdout is redirected).
///
/// Raw mode is on only between `beginKeyReading()` and `endKeyReading()` (or during a no-echo
/// `readLine`). While it is on, signal handlers keep the terminal sane: SIGTERM and SIGHUP restore
/// it and then end the process as the signal would; SIGTSTP restores it and stops; SIGCONT puts raw
/// mode back and asks for a redraw; SIGINT from outside ends the prompt as Ctrl-C does.
public final class SystemTerminal: TerminalIO {
    public let isDumb: Bool
    public let usesColour: Bool
    private let input: Int32 = 0
    private let output: Int32
    private var reading = false
    private var previousActions: [(Int32, sigaction)] = []

    public init() {
        output = isatty(1) == 1 ? 1 : 2
        let term = getenv("TERM").map { String(cString: $0) }
        isDumb = term == "dumb"
        usesColour = !isDumb && getenv("NO_COLOR") == nil && isatty(output) == 1
    }

    /// True when stdin is a terminal, so prompts can be answered.
    public static var inputIsTerminal: Bool { isatty(0) == 1 }

    public func size() -> TerminalSize {
        var window = winsize()
        let status = withUnsafeMutablePointer(to: &window) { ioctl(output, UInt(TIOCGWINSZ), $0) }
        if status == 0, window.ws_col > 0, window.ws_row > 0 {
            return TerminalSize(columns: Int(window.ws_col), rows: Int(window.ws_row))
        }
        let columns = getenv("COLUMNS").flatMap { Int(String(cString: $0)) } ?? 80
        let rows = getenv("LINES").flatMap { Int(String(cString: $0)) } ?? 24
        return TerminalSize(columns: columns, rows: rows)
    }

    public func write(_ text: String) {
        SignalState.writeAll(output, Array(text.utf8))
    }

    public func setCursorVisible(_ visible: Bool) {
        guard !isDumb else { return }
        write(visible ? "\u{1B}[?25h" : "\u{1B}[?25l")
        SignalState.cursorHidden.store(visible ? 0 : 1, ordering: .relaxed)
    }

    // MARK: - Raw keys

    public func beginKeyReading() {
        guard !reading else { return }
        var raw = termios()
        guard tcgetattr(input, &raw) == 0 else { return }
        SignalState.original = raw
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL | INLCR | IGNCR | BRKINT | ISTRIP)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        enter(raw)
    }

    public func endKeyReading() {
        guard reading else { return }
        if SignalState.cursorHidden.load(ordering: .relaxed) == 1 { setCursorVisible(true) }
        var original = SignalState.original
        tcsetattr(input, TCSADRAIN, &original)
        for (signal, action) in previousActions {
            var previous = action
            sigaction(signal, &previous, nil)
        }
        previousActions = []
        reading = false
        SignalState.keyReading.store(0, ordering: .relaxed)
    }

    public func suspend() {
        raise(SIGTSTP)
        // Back from the stop (or the stop was discarded, as for an orphaned process group):
        // raw mode and the handler again, and the caller redraws now.
        var active = SignalState.active
        tcsetattr(input, TCSADRAIN, &active)
        install(SIGTSTP, onSuspend)
        _ = SignalState.resumed.exchange(0, ordering: .relaxed)
    }

    public func readInput(timeoutMilliseconds: Int32?) -> InputEvent {
        switch waitForInput(timeoutMilliseconds: timeoutMilliseconds) {
        case .ready: break
        case .timedOut: return .timeout
        case .interrupted: return .interrupted
        case .resumed: return .redraw
        case .closed: return .endOfFile
        }
        while true {
            var buffer = [UInt8](repeating: 0, count: 512)
            let count = read(input, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .endOfFile
            }
            if count == 0 { return .endOfFile }
            return .bytes(Array(buffer[0..<count]))
        }
    }

    private enum Readiness { case ready, timedOut, interrupted, resumed, closed }

    /// Waits for input in short slices, checking the flags the signal handlers set between them:
    /// a signal may be handled on another thread, leaving this one's poll uninterrupted.
    private func waitForInput(timeoutMilliseconds: Int32?) -> Readiness {
        var remaining = timeoutMilliseconds
        while true {
            if SignalState.interrupted.exchange(0, ordering: .relaxed) == 1 { return .interrupted }
            if SignalState.resumed.exchange(0, ordering: .relaxed) == 1 { return .resumed }
            let slice = min(remaining ?? 100, 100)
            var descriptor = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, slice)
            if ready < 0 {
                if errno == EINTR { continue }
                return .closed
            }
            if ready > 0 { return .ready }
            if let left = remaining {
                remaining = left - slice
                if left - slice <= 0 { return .timedOut }
            }
        }
    }

    // MARK: - Lines (TERM=dumb)

    public func readLine(echo: Bool) throws(PromptError) -> String? {
        var current = termios()
        let isTerminal = tcgetattr(input, &current) == 0
        if isTerminal {
            SignalState.original = current
            if !echo { current.c_lflag &= ~tcflag_t(ECHO) }
            enter(current)
        }
        defer {
            if isTerminal {
                if !echo { write("\n") }
                endKeyReading()
            }
        }
        var bytes: [UInt8] = []
        while true {
            switch waitForInput(timeoutMilliseconds: nil) {
            case .interrupted: throw .interrupted
            case .resumed: continue
            case .ready, .closed, .timedOut: break
            }
            var byte: UInt8 = 0
            let count = read(input, &byte, 1)
            if count < 0 {
                if errno == EINTR { continue }
                break
            }
            if count == 0 {
                if bytes.isEmpty { return nil }
                break
            }
            if byte == 0x0A { break }
            if byte != 0x0D { bytes.append(byte) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Signals

    private func enter(_ state: termios) {
        SignalState.active = state
        SignalState.input = input
        SignalState.output = output
        _ = SignalState.interrupted.exchange(0, ordering: .relaxed)
        _ = SignalState.resumed.exchange(0, ordering: .relaxed)
        var applied = state
        tcsetattr(input, TCSADRAIN, &applied)
        previousActions = [
            (SIGINT, install(SIGINT, onInterrupt)),
            (SIGTERM, install(SIGTERM, onTerminate)),
            (SIGHUP, install(SIGHUP, onTerminate)),
            (SIGTSTP, install(SIGTSTP, onSuspend)),
            (SIGCONT, install(SIGCONT, onContinue)),
        ]
        reading = true
        SignalState.keyReading.store(1, ordering: .relaxed)
    }
}

/// For a program that watches signals itself (on another thread, or through a dispatch
/// source): hands a signal that arrived during a prompt to the prompt, so the terminal
/// is put back before the program ends.
public enum PromptSignals {
    /// True while a prompt reads keys in raw mode.
    public static var isReadingKeys: Bool { SignalState.keyReading.load(ordering: .relaxed) == 1 }

    /// Ends the waiting prompt as Ctrl-C does (`PromptError.interrupted`).
    public static func interruptPrompt() {
        SignalState.interrupted.store(1, ordering: .relaxed)
    }

    /// Puts the terminal back as it was before the prompt (cooked mode, cursor shown).
    public static func restoreTerminal() {
        guard isReadingKeys else { return }
        SignalState.restoreOriginal()
    }
}

// MARK: - Signal-handler state

/// State the signal handlers read. Set before handlers are installed; handlers only call
/// async-signal-safe functions (tcsetattr, write, sigaction, raise).
enum SignalState {
    nonisolated(unsafe) static var original = termios()
    nonisolated(unsafe) static var active = termios()
    nonisolated(unsafe) static var input: Int32 = 0
    nonisolated(unsafe) static var output: Int32 = 1
    static let interrupted = Atomic<Int32>(0)
    static let resumed = Atomic<Int32>(0)
    static let cursorHidden = Atomic<Int32>(0)
    static let keyReading = Atomic<Int32>(0)

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, base + offset, buffer.count - offset)
                if written < 0, errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Puts the terminal back as it was before prompting. Called from signal handlers.
    static func restoreOriginal() {
        tcsetattr(input, TCSANOW, &original)
        if cursorHidden.load(ordering: .relaxed) == 1 {
            let show: StaticString = "\u{1B}[?25h"
            _ = Glibc.write(output, show.utf8Start, show.utf8CodeUnitCount)
        }
    }
}

@discardableResult
private func install(_ signal: Int32, _ handler: @convention(c) (Int32) -> Void) -> sigaction {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = handler
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    var previous = sigaction()
    sigaction(signal, &action, &previous)
    return previous
}

private let onInterrupt: @convention(c) (Int32) -> Void = { _ in
    SignalState.interrupted.store(1, ordering: .relaxed)
}

private let onTerminate: @convention(c) (Int32) -> Void = { signal in
    SignalState.restoreOriginal()
    Glibc.signal(signal, SIG_DFL)
    raise(signal)
}

private let onSuspend: @convention(c) (Int32) -> Void = { _ in
    SignalState.restoreOriginal()
    Glibc.signal(SIGTSTP, SIG_DFL)
    raise(SIGTSTP)
}

private let onContinue: @convention(c) (Int32) -> Void = { _ in
    tcsetattr(SignalState.input, TCSANOW, &SignalState.active)
    if SignalState.cursorHidden.load(ordering: .relaxed) == 1 {
        let hide: StaticString = "\u{1B}[?25l"
        _ = Glibc.write(SignalState.output, hide.utf8Start, hide.utf8CodeUnitCount)
    }
    install(SIGTSTP, onSuspend)
    SignalState.resumed.store(1, ordering: .relaxed)
}
