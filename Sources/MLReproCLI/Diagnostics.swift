#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Prompting

/// Writes diagnostics to stderr the way compilers do: `mlrepro: error: message`, or the
/// error's own `path:line:col: error: message` when it carries a location.
public struct Diagnostics: Sendable {
    public static let standard = Diagnostics(useColour: Terminal.stderrSupportsColour)

    let useColour: Bool

    public func error(_ message: String) { emit(label: "error", colour: "31", message) }
    public func warning(_ message: String) { emit(label: "warning", colour: "33", message) }
    public func note(_ message: String) { emit(label: "note", colour: "36", message) }

    private func emit(label: String, colour: String, _ raw: String) {
        let message = TerminalText.visible(raw)
        let text: String
        if Diagnostics.hasLocationPrefix(message) {
            text = message
        } else {
            let styled = useColour ? "\u{1B}[1;\(colour)m\(label):\u{1B}[0m" : "\(label):"
            text = "mlrepro: \(styled) \(message)"
        }
        Terminal.writeStderr(text.hasSuffix("\n") ? text : text + "\n")
    }

    /// True when the message already starts with `something: error:` / `warning:` (a located diagnostic).
    static func hasLocationPrefix(_ message: String) -> Bool {
        guard let firstLine = message.split(separator: "\n", omittingEmptySubsequences: false).first else {
            return false
        }
        return firstLine.contains(": error: ") || firstLine.contains(": warning: ")
    }

    /// The text shown for any error: its `description` when it is CustomStringConvertible.
    public static func text(for error: any Error) -> String {
        String(describing: error)
    }
}

/// Facts about the terminal, read once.
public enum Terminal {
    /// Colour on stderr: only on a TTY, never with `NO_COLOR` set or `TERM=dumb`.
    public static let stderrSupportsColour: Bool = supportsColour(fd: 2)
    public static let stdoutSupportsColour: Bool = supportsColour(fd: 1)

    public static func supportsColour(fd: Int32) -> Bool {
        if getenv("NO_COLOR") != nil { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return isatty(fd) == 1
    }

    public static var stdinIsTTY: Bool { isatty(0) == 1 }

    public static func writeStderr(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }
}
