// Template errors: where, what, and the line that caused it.

/// A problem in a template or while rendering it.
public struct TemplateError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case syntax, undefined, type, value, zeroDivision, include, limit, assertion
    }

    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    public var kind: Kind
    /// Set when the error is a filter or test the environment does not have ("No filter named
    /// 'x'."), so that callers need not read the message.
    public var unknownName: UnknownName?

    /// A filter or test a template uses that the environment does not have.
    public enum UnknownName: Sendable, Equatable {
        case filter(String)
        case test(String)

        /// `filter` or `test`.
        public var kind: String {
            switch self {
            case .filter: return "filter"
            case .test: return "test"
            }
        }

        public var name: String {
            switch self {
            case .filter(let name), .test(let name): return name
            }
        }

        /// Jinja2's message for it.
        var message: String { "No \(kind) named '\(name)'." }
    }
    /// The offending source line (without its newline), empty when unknown.
    public var sourceLine: String
    /// Outermost last: "file:line:col" of each `include` that led here.
    public var includeChain: [String]

    public init(file: String, line: Int, column: Int, message: String, kind: Kind = .syntax,
                sourceLine: String = "", includeChain: [String] = []) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.kind = kind
        self.sourceLine = sourceLine
        self.includeChain = includeChain
    }

    public var description: String {
        var out = "\(file):\(line):\(column): error: \(message)"
        if !sourceLine.isEmpty {
            out += "\n" + sourceLine
            var caret = ""
            for (i, ch) in sourceLine.unicodeScalars.enumerated() where i < column - 1 {
                caret.unicodeScalars.append(ch == "\t" ? "\t" : " ")
            }
            out += "\n" + caret + "^"
        }
        for site in includeChain {
            out += "\n  included from \(site)"
        }
        return out
    }
}

/// The text of one template, for turning byte offsets into line:column.
final class SourceText: Sendable {
    let name: String
    let bytes: [UInt8]

    init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    func location(of offset: Int) -> (line: Int, column: Int, text: String) {
        let end = min(max(offset, 0), bytes.count)
        var line = 1
        var lineStart = 0
        var i = 0
        while i < end {
            if bytes[i] == 10 { line += 1; lineStart = i + 1 }
            i += 1
        }
        var lineEnd = lineStart
        while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
        let prefix = String(decoding: bytes[lineStart..<end], as: UTF8.self)
        let text = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
        return (line, prefix.unicodeScalars.count + 1, text)
    }

    /// `error` located at `offset`, its unknown filter or test kept.
    func error(_ error: EvalError, at offset: Int) -> TemplateError {
        var located = self.error(error.message, at: offset, kind: error.kind)
        located.unknownName = error.unknownName
        return located
    }

    func error(_ message: String, at offset: Int, kind: TemplateError.Kind) -> TemplateError {
        let loc = location(of: offset)
        return TemplateError(file: name, line: loc.line, column: loc.column, message: message,
                             kind: kind, sourceLine: loc.text)
    }
}

/// An error raised while evaluating, before its position is known.
struct EvalError: Error {
    var message: String
    var kind: TemplateError.Kind
    var unknownName: TemplateError.UnknownName?

    /// A filter or test the environment does not have.
    init(unknown: TemplateError.UnknownName) {
        self.init(unknown.message, .assertion)
        unknownName = unknown
    }
    init(_ message: String, _ kind: TemplateError.Kind = .type) {
        self.message = message
        self.kind = kind
    }
}
