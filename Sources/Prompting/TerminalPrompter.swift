/// Asks questions on a terminal: single keys in raw mode with a redrawn prompt, or, with
/// `TERM=dumb`, plain numbered lines without a single escape code.
public final class TerminalPrompter: Prompter {
    private let terminal: any TerminalIO
    var terminalIO: any TerminalIO { terminal }
    /// Bytes read but not used yet (typed ahead, or the start of an escape sequence).
    private var pending: [UInt8] = []
    /// Terminal rows the current frame occupies; the cursor is on its last row. 0: nothing drawn.
    private var drawnRows = 0
    private var cursorHidden = false

    public init(terminal: any TerminalIO = SystemTerminal()) {
        self.terminal = terminal
    }

    public func ask(_ question: PromptQuestion) throws(PromptError) -> PromptAnswer {
        if terminal.isDumb { return try askByLines(question) }
        terminal.beginKeyReading()
        defer {
            if cursorHidden { terminal.setCursorVisible(true); cursorHidden = false }
            terminal.endKeyReading()
        }
        switch question.kind {
        case .select, .multiselect: return try askList(question)
        default: return try askInput(question)
        }
    }

    public func show(_ text: String, style textStyle: TextStyle) {
        let styled = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : style.apply(textStyle, String($0)) }
            .joined(separator: "\n")
        terminal.write(styled.hasSuffix("\n") ? styled : styled + "\n")
    }

    private var style: Style { Style(colour: terminal.usesColour) }

    private var view: PromptView {
        let size = terminal.size()
        return PromptView(style: style, columns: size.columns, rows: size.rows)
    }

    // MARK: - Typed input

    private func askInput(_ question: PromptQuestion) throws(PromptError) -> PromptAnswer {
        var input = InputState()
        var decoration = PromptDecoration()
        let hasHelp = question.trimmedHelp != nil
        let structured: Bool = { if case .structured = question.kind { return true }; return false }()
        draw(view.inputFrame(question, input, decoration))
        while true {
            let key: Key
            switch try nextEvent() {
            case .redraw:
                drawnRows = 0
                draw(view.inputFrame(question, input, decoration))
                continue
            case .key(let pressed):
                key = pressed
            }
            switch key {
            case .character(let character):
                if character == "?", hasHelp, input.buffer.isEmpty, input.lines.isEmpty {
                    decoration.showsHelp.toggle()
                } else {
                    input.buffer.append(character)
                }
            case .backspace:
                if !input.buffer.isEmpty { input.buffer.removeLast() }
            case .clearLine:
                input.buffer = ""
            case .deleteWord:
                while input.buffer.last == " " { input.buffer.removeLast() }
                while let last = input.buffer.last, last != " " { input.buffer.removeLast() }
            case .tab:
                if input.buffer.isEmpty, question.kind == .text, case .text(let value)? = question.defaultAnswer {
                    input.buffer = value
                }
            case .interrupt:
                abandon()
                throw .interrupted
            case .endOfInput:
                if input.buffer.isEmpty, input.lines.isEmpty {
                    abandon()
                    throw .endOfInput
                }
            case .suspend:
                terminal.suspend()
                drawnRows = 0
            case .enter:
                if structured, !input.buffer.isEmpty {
                    input.lines.append(input.buffer)
                    input.buffer = ""
                    break
                }
                let typed = structured ? input.lines.joined(separator: "\n") : input.buffer
                input = InputState()
                decoration.error = nil
                switch AnswerInterpreter.interpret(typed, for: question) {
                case .help:
                    decoration.showsHelp = true
                case .invalid(let message):
                    decoration.error = message
                case .answer(let answer):
                    if let problem = AnswerInterpreter.problem(with: answer, for: question) {
                        decoration.error = problem
                    } else {
                        finish(question, answer)
                        return answer
                    }
                }
            default:
                break
            }
            draw(view.inputFrame(question, input, decoration))
        }
    }

    // MARK: - Lists

    private func askList(_ question: PromptQuestion) throws(PromptError) -> PromptAnswer {
        let count = question.choices.count
        let multiple = question.isMultiselect
        var state: ListState
        switch question.defaultAnswer {
        case .choice(let index)?:
            state = ListState(cursor: min(max(index, 0), max(count - 1, 0)))
        case .choices(let indexes)?:
            state = ListState(cursor: indexes.first(where: { $0 >= 0 && $0 < count }) ?? 0,
                              selected: Set(indexes.filter { $0 >= 0 && $0 < count }))
        default:
            state = ListState(cursor: 0)
        }
        var decoration = PromptDecoration()
        redrawList(question, &state, decoration)
        while true {
            let key: Key
            switch try nextEvent() {
            case .redraw:
                drawnRows = 0
                redrawList(question, &state, decoration)
                continue
            case .key(let pressed):
                key = pressed
            }
            let page = view.pageSize(question, decoration)
            switch state.apply(key, count: count, multiple: multiple, pageSize: page) {
            case .none:
                break
            case .toggleHelp:
                if question.trimmedHelp != nil { decoration.showsHelp.toggle() }
            case .interrupt:
                abandon()
                throw .interrupted
            case .endOfInput:
                abandon()
                throw .endOfInput
            case .suspend:
                terminal.suspend()
                drawnRows = 0
            case .accept:
                guard count > 0 else {
                    decoration.error = "there is nothing to choose from; press Ctrl-C to stop"
                    break
                }
                let answer: PromptAnswer = multiple ? .choices(state.selected.sorted()) : .choice(state.cursor)
                if let problem = AnswerInterpreter.problem(with: answer, for: question) {
                    decoration.error = problem
                } else {
                    finish(question, answer)
                    return answer
                }
            }
            redrawList(question, &state, decoration)
        }
    }

    private func redrawList(_ question: PromptQuestion, _ state: inout ListState, _ decoration: PromptDecoration) {
        let current = view
        state = current.scrolled(question, state, decoration)
        draw(current.listFrame(question, state, decoration))
    }

    // MARK: - Keys

    private enum Event { case key(Key), redraw }

    private func nextEvent() throws(PromptError) -> Event {
        while true {
            if case .key(let key, let consumed)? = KeyDecoder.decode(pending[...], atEnd: false) {
                pending.removeFirst(consumed)
                return .key(key)
            }
            let waitingForSequence = !pending.isEmpty
            switch terminal.readInput(timeoutMilliseconds: waitingForSequence ? 50 : nil) {
            case .bytes(let bytes):
                pending.append(contentsOf: bytes)
            case .timeout:
                if case .key(let key, let consumed)? = KeyDecoder.decode(pending[...], atEnd: true) {
                    pending.removeFirst(consumed)
                    return .key(key)
                }
            case .redraw:
                return .redraw
            case .interrupted:
                abandon()
                throw .interrupted
            case .endOfFile:
                if case .key(let key, let consumed)? = KeyDecoder.decode(pending[...], atEnd: true) {
                    pending.removeFirst(consumed)
                    return .key(key)
                }
                abandon()
                throw .endOfInput
            }
        }
    }

    // MARK: - Drawing

    /// Replaces the frame on screen with `frame`.
    private func draw(_ frame: Frame) {
        let columns = terminal.size().columns
        var output = erasure()
        output += frame.lines.joined(separator: "\r\n")
        drawnRows = frame.lines.reduce(0) { $0 + TextWidth.rows($1, columns: columns) }
        terminal.write(output)
        if frame.hidesCursor != cursorHidden {
            terminal.setCursorVisible(!frame.hidesCursor)
            cursorHidden = frame.hidesCursor
        }
    }

    /// Escape codes that move to the first row of the current frame and clear to the end of the screen.
    private func erasure() -> String {
        guard drawnRows > 0 else { return "\r" }
        return "\r" + (drawnRows > 1 ? "\u{1B}[\(drawnRows - 1)A" : "") + "\u{1B}[J"
    }

    /// Leaves one line saying what was answered.
    private func finish(_ question: PromptQuestion, _ answer: PromptAnswer) {
        terminal.write(erasure() + view.answeredLine(question, answer) + "\r\n")
        drawnRows = 0
    }

    /// Leaves the frame as it is and moves below it, so the shell prompt starts on a clean line.
    private func abandon() {
        if drawnRows > 0 { terminal.write("\r\n") }
        drawnRows = 0
        pending = []
    }
}
