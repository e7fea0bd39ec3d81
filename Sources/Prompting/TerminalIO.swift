/// The terminal as the prompter sees it. `SystemTerminal` is the real one; tests pass a fake that
/// replays bytes and records output.
public protocol TerminalIO: AnyObject {
    /// `TERM=dumb`: no escape codes at all; lists become numbered choices read as lines.
    var isDumb: Bool { get }
    /// Colour is allowed (a TTY, no `NO_COLOR`, not dumb).
    var usesColour: Bool { get }
    /// Current size; 80x24 when unknown.
    func size() -> TerminalSize
    func write(_ text: String)
    /// Hides or shows the cursor (remembered, so an interrupted program shows it again).
    func setCursorVisible(_ visible: Bool)

    /// Raw mode for reading single keys, with signal handlers that restore the terminal.
    func beginKeyReading()
    /// Back to the terminal's original mode; idempotent.
    func endKeyReading()
    /// Ctrl-Z while in raw mode: restore the terminal and stop like the shell expects.
    func suspend()
    /// Bytes typed so far, waiting up to `timeoutMilliseconds` (nil: until input arrives).
    func readInput(timeoutMilliseconds: Int32?) -> InputEvent

    /// One line in the terminal's own (cooked) mode, without the newline; nil at end of input.
    /// - Parameter echo: false for secrets.
    func readLine(echo: Bool) throws(PromptError) -> String?
}

public struct TerminalSize: Sendable, Equatable {
    public var columns: Int
    public var rows: Int
    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }
}

/// What a raw-mode read produced.
public enum InputEvent: Sendable, Equatable {
    case bytes([UInt8])
    /// Nothing arrived within the timeout.
    case timeout
    /// The terminal came back after a suspension (SIGCONT): draw the prompt again.
    case redraw
    /// SIGINT arrived from outside (for example `kill -INT`).
    case interrupted
    /// The input closed.
    case endOfFile
}
