/// What a prompt shows at one moment: lines top to bottom. The cursor rests at the end of the
/// last line (text input) or is hidden (lists).
public struct Frame: Sendable, Equatable {
    public var lines: [String]
    public var hidesCursor: Bool
    public init(lines: [String], hidesCursor: Bool = false) {
        self.lines = lines
        self.hidesCursor = hidesCursor
    }
}

/// The state of a list question between key presses.
public struct ListState: Sendable, Equatable {
    public var cursor: Int
    public var top: Int = 0
    public var selected: Set<Int> = []
    public var typedNumber: Int = 0
    public init(cursor: Int, selected: Set<Int> = []) {
        self.cursor = cursor
        self.selected = selected
    }
}

/// The state of a typed-text question between key presses.
public struct InputState: Sendable, Equatable {
    public var buffer: String = ""
    /// Lines already entered (structured questions).
    public var lines: [String] = []
    public init() {}
}

/// Everything a frame shows besides the input itself.
public struct PromptDecoration: Sendable, Equatable {
    public var showsHelp = false
    public var error: String?
    public init(showsHelp: Bool = false, error: String? = nil) {
        self.showsHelp = showsHelp
        self.error = error
    }
}

/// Pure rendering of prompts into frames; no terminal access, so it is tested directly.
public struct PromptView: Sendable {
    public var style: Style
    public var columns: Int
    public var rows: Int

    public init(style: Style, columns: Int, rows: Int) {
        self.style = style
        self.columns = max(columns, 20)
        self.rows = max(rows, 6)
    }

    // MARK: - Frames

    /// Text, number, confirm, secret and structured questions.
    public func inputFrame(_ question: PromptQuestion, _ input: InputState, _ decoration: PromptDecoration) -> Frame {
        var lines = header(question, decoration)
        var prompt = style.green("?") + " " + style.bold(question.label)
        if case .confirm = question.kind {
            let yes: Bool? = { if case .bool(let value)? = question.defaultAnswer { return value }; return nil }()
            prompt += " " + style.dim(yes == true ? "(Y/n)" : yes == false ? "(y/N)" : "(y/n)")
        } else if let shown = question.defaultDisplay() {
            prompt += " " + style.dim("(\(TextWidth.truncate(shown, to: max(columns / 2, 10))))")
        }
        if case .structured(let format) = question.kind {
            lines.append(prompt + " " + style.dim("\(format.rawValue); end with an empty line"))
            for line in input.lines { lines.append(style.dim("│ ") + line) }
            lines.append(style.dim("│ ") + input.buffer)
            return Frame(lines: lines)
        }
        let typed = question.kind == .secret ? "" : input.buffer
        lines.append(prompt + " " + style.dim("›") + " " + typed)
        return Frame(lines: lines)
    }

    /// Single and multiple choice questions, scrolled so the cursor is visible.
    public func listFrame(_ question: PromptQuestion, _ state: ListState, _ decoration: PromptDecoration) -> Frame {
        let multiple = question.isMultiselect
        var lines = listHeader(question, decoration)
        let choices = question.choices
        let capacity = listCapacity(headerLines: lines.count, count: choices.count)
        let top = PromptView.scrollTop(cursor: state.cursor, top: state.top, capacity: capacity, count: choices.count)
        let scrolls = choices.count > capacity
        if scrolls {
            lines.append(style.dim(top > 0 ? "  ↑ \(top) more" : ""))
        }
        let numberWidth = String(choices.count).count
        for index in top..<min(top + capacity, choices.count) {
            let isCursor = index == state.cursor
            let marker = isCursor ? "❯ " : "  "
            var number = String(index + 1)
            number = String(repeating: " ", count: numberWidth - number.count) + number
            let box = multiple ? (state.selected.contains(index) ? "[x] " : "[ ] ") : ""
            let prefix = "\(marker)\(box)\(number)) "
            let label = TextWidth.truncate(choices[index].label, to: columns - TextWidth.visible(prefix) - 1)
            let line = prefix + label
            lines.append(isCursor ? style.cyan(line) : line)
        }
        if scrolls {
            let below = choices.count - (top + capacity)
            lines.append(style.dim(below > 0 ? "  ↓ \(below) more" : ""))
        }
        return Frame(lines: lines, hidesCursor: true)
    }

    /// The state with its scroll position moved so the cursor is visible in the frame.
    public func scrolled(_ question: PromptQuestion, _ state: ListState, _ decoration: PromptDecoration) -> ListState {
        var result = state
        let count = question.choices.count
        let capacity = pageSize(question, decoration)
        result.top = PromptView.scrollTop(cursor: state.cursor, top: state.top, capacity: capacity, count: count)
        return result
    }

    /// How many choices the list frame shows at once.
    public func pageSize(_ question: PromptQuestion, _ decoration: PromptDecoration) -> Int {
        listCapacity(headerLines: listHeader(question, decoration).count, count: question.choices.count)
    }

    private func listHeader(_ question: PromptQuestion, _ decoration: PromptDecoration) -> [String] {
        let legend = question.isMultiselect ? "space toggles · a all · i invert · enter" : "↑/↓ · number · enter"
        var lines = header(question, decoration)
        var prompt = style.green("?") + " " + style.bold(question.label)
        if TextWidth.visible("? \(question.label)  \(legend)") < columns { prompt += "  " + style.dim(legend) }
        lines.append(prompt)
        return lines
    }

    /// The single line left behind once a question is answered.
    public func answeredLine(_ question: PromptQuestion, _ answer: PromptAnswer) -> String {
        let shown = TextWidth.truncate(question.display(answer), to: max(columns - TextWidth.visible(question.label) - 6, 10))
        return style.green("✔") + " " + style.bold(question.label) + " " + style.dim("·") + " " + style.cyan(shown)
    }

    // MARK: - Pieces

    /// Help (when asked for), the dim hint line, and the last error.
    private func header(_ question: PromptQuestion, _ decoration: PromptDecoration) -> [String] {
        var lines: [String] = []
        let help = question.trimmedHelp
        if decoration.showsHelp, let help {
            for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append("  " + line)
            }
        }
        var hintParts: [String] = []
        if let hint = question.hint?.trimmingWhitespace(), !hint.isEmpty { hintParts.append(hint) }
        if help != nil, !decoration.showsHelp { hintParts.append("? help") }
        if !hintParts.isEmpty {
            lines.append(style.dim("  " + TextWidth.truncate(hintParts.joined(separator: " · "), to: columns - 3)))
        }
        if let error = decoration.error {
            lines.append(style.red("  ✖ " + error))
        }
        return lines
    }

    /// How many choices fit: the terminal height less the other lines, at least 3, at most 10.
    func listCapacity(headerLines: Int, count: Int) -> Int {
        let room = rows - headerLines - 3
        let capacity = min(max(room, 3), 10)
        return min(capacity, count)
    }

    /// The first visible choice so that the cursor stays in view, moving the window as little as possible.
    public static func scrollTop(cursor: Int, top: Int, capacity: Int, count: Int) -> Int {
        guard capacity > 0, count > capacity else { return 0 }
        var first = min(max(top, 0), count - capacity)
        if cursor < first { first = cursor }
        if cursor >= first + capacity { first = cursor - capacity + 1 }
        return first
    }
}
