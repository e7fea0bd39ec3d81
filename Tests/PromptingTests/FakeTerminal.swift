@testable import Prompting

/// A terminal that replays input events and records everything written.
final class FakeTerminal: TerminalIO {
    var isDumb: Bool
    var usesColour: Bool
    var terminalSize: TerminalSize
    private(set) var output = ""
    private(set) var events: [InputEvent]
    private(set) var lines: [String?]
    private(set) var rawMode = false
    private(set) var rawSessions = 0
    private(set) var suspensions = 0
    private(set) var cursorVisible = true
    private(set) var secretLinesRead = 0
    private(set) var readOutsideRawMode = false

    init(events: [InputEvent] = [], lines: [String?] = [], dumb: Bool = false, colour: Bool = false,
         size: TerminalSize = TerminalSize(columns: 80, rows: 24)) {
        self.events = events
        self.lines = lines
        self.isDumb = dumb
        self.usesColour = colour
        self.terminalSize = size
    }

    /// Keys typed as one chunk each.
    convenience init(typing chunks: [String], dumb: Bool = false, colour: Bool = false,
                     size: TerminalSize = TerminalSize(columns: 80, rows: 24)) {
        self.init(events: chunks.map { .bytes(Array($0.utf8)) }, dumb: dumb, colour: colour, size: size)
    }

    func size() -> TerminalSize { terminalSize }
    func write(_ text: String) { output += text }
    func setCursorVisible(_ visible: Bool) {
        cursorVisible = visible
        output += visible ? "\u{1B}[?25h" : "\u{1B}[?25l"
    }
    func beginKeyReading() {
        rawMode = true
        rawSessions += 1
    }
    func endKeyReading() { rawMode = false }
    func suspend() { suspensions += 1 }

    func readInput(timeoutMilliseconds: Int32?) -> InputEvent {
        if !rawMode { readOutsideRawMode = true }
        guard !events.isEmpty else { return .endOfFile }
        let event = events.removeFirst()
        if event == .timeout, timeoutMilliseconds == nil { return readInput(timeoutMilliseconds: nil) }
        return event
    }

    func readLine(echo: Bool) throws(PromptError) -> String? {
        if !echo { secretLinesRead += 1 }
        guard !lines.isEmpty else { return nil }
        let line = lines.removeFirst()
        if line == "\u{03}" { throw .interrupted }
        return line
    }
}

/// Bytes of common keys.
enum Keys {
    static let up = "\u{1B}[A"
    static let down = "\u{1B}[B"
    static let enter = "\r"
    static let ctrlC = "\u{03}"
    static let ctrlD = "\u{04}"
    static let ctrlZ = "\u{1A}"
    static let backspace = "\u{7F}"
}

extension String {
    /// The text with CSI escape sequences removed.
    var withoutEscapes: String {
        var result = ""
        var iterator = unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if scalar == "\u{1B}" {
                guard let next = iterator.next() else { break }
                if next == "[" {
                    while let c = iterator.next(), !(0x40...0x7E).contains(c.value) {}
                }
                continue
            }
            result.unicodeScalars.append(scalar)
        }
        return result
    }
}
