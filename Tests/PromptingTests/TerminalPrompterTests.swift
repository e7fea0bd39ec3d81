import Testing
@testable import Prompting

@Suite struct TerminalPrompterTests {
    private let compute = PromptQuestion(name: "compute", label: "Compute", kind: .select([Choice("local"), Choice("slurm"), Choice("kubernetes")]),
                                   defaultAnswer: .choice(0))

    @Test func enterAcceptsEveryDefault() throws {
        let terminal = FakeTerminal(typing: [Keys.enter, Keys.enter, Keys.enter, Keys.enter])
        let prompter = TerminalPrompter(terminal: terminal)
        #expect(try prompter.ask(PromptQuestion(name: "name", kind: .text, defaultAnswer: .text("my-study"))) == .text("my-study"))
        #expect(try prompter.ask(compute) == .choice(0))
        #expect(try prompter.ask(PromptQuestion(name: "gpu", kind: .confirm, defaultAnswer: .bool(true))) == .bool(true))
        #expect(try prompter.ask(PromptQuestion(name: "x", kind: .multiselect([Choice("a"), Choice("b")]), defaultAnswer: .choices([1]))) == .choices([1]))
        #expect(!terminal.rawMode)
        #expect(terminal.rawSessions == 4)
        #expect(!terminal.readOutsideRawMode)
        #expect(terminal.cursorVisible)
    }

    @Test func arrowKeysAndTypedNumbersSelect() throws {
        let terminal = FakeTerminal(typing: [Keys.down, Keys.down, Keys.up, Keys.enter, "3", Keys.enter, "jjj\r"])
        let prompter = TerminalPrompter(terminal: terminal)
        #expect(try prompter.ask(compute) == .choice(1))
        #expect(try prompter.ask(compute) == .choice(2))
        #expect(try prompter.ask(compute) == .choice(0))
        #expect(terminal.output.withoutEscapes.contains("✔ Compute · slurm"))
    }

    @Test func escapeSequenceSplitAcrossReadsIsOneKey() throws {
        let terminal = FakeTerminal(events: [.bytes([0x1B]), .bytes([0x5B]), .bytes([0x42]), .bytes([0x0D])])
        #expect(try TerminalPrompter(terminal: terminal).ask(compute) == .choice(1))
    }

    @Test func loneEscapeIsIgnoredAfterTheTimeout() throws {
        let terminal = FakeTerminal(events: [.bytes([0x1B]), .timeout, .bytes(Array("\u{1B}[B\r".utf8))])
        #expect(try TerminalPrompter(terminal: terminal).ask(compute) == .choice(1))
    }

    @Test func multiselectWithSpaceAllAndInvert() throws {
        let question = PromptQuestion(name: "extras", kind: .multiselect([Choice("dvc"), Choice("mlflow"), Choice("wandb")]))
        let terminal = FakeTerminal(typing: [" ", Keys.down, Keys.down, " ", "\r", "a\r", "ai\r", " i\r"])
        let prompter = TerminalPrompter(terminal: terminal)
        #expect(try prompter.ask(question) == .choices([0, 2]))
        #expect(try prompter.ask(question) == .choices([0, 1, 2]))
        #expect(try prompter.ask(question) == .choices([]))
        #expect(try prompter.ask(question) == .choices([1, 2]))
    }

    @Test func invalidInputShowsTheMessageThenAcceptsValidInput() throws {
        let terminal = FakeTerminal(typing: ["ab", Keys.enter, "4", "2", Keys.enter])
        let answer = try TerminalPrompter(terminal: terminal).ask(PromptQuestion(name: "epochs", kind: .integer))
        #expect(answer == .integer(42))
        #expect(terminal.output.withoutEscapes.contains("✖ 'ab' is not a whole number"))
        #expect(terminal.output.withoutEscapes.hasSuffix("✔ epochs · 42\r\n"))
    }

    @Test func lineEditingKeys() throws {
        let terminal = FakeTerminal(typing: ["abc", Keys.backspace, "\u{15}", "first word", "\u{17}", "x", Keys.enter])
        #expect(try TerminalPrompter(terminal: terminal).ask(PromptQuestion(name: "t", kind: .text)) == .text("first x"))
        let tab = FakeTerminal(typing: ["\t", "-2", Keys.enter])
        #expect(try TerminalPrompter(terminal: tab).ask(PromptQuestion(name: "t", kind: .text, defaultAnswer: .text("run"))) == .text("run-2"))
    }

    @Test func questionMarkTogglesHelpOnAnEmptyLine() throws {
        let question = PromptQuestion(name: "seed", kind: .integer, help: "Random seed used by every library.", defaultAnswer: .integer(1))
        let terminal = FakeTerminal(typing: ["?", "7", Keys.enter])
        #expect(try TerminalPrompter(terminal: terminal).ask(question) == .integer(7))
        #expect(terminal.output.contains("Random seed used by every library."))
        let list = FakeTerminal(typing: ["?", Keys.enter])
        let withHelp = PromptQuestion(name: "c", kind: .select([Choice("a")]), help: "Pick where it runs.")
        #expect(try TerminalPrompter(terminal: list).ask(withHelp) == .choice(0))
        #expect(list.output.contains("Pick where it runs."))
    }

    @Test func structuredInputEndsOnAnEmptyLine() throws {
        let question = PromptQuestion(name: "params", kind: .structured(.json))
        let terminal = FakeTerminal(typing: ["{\"a\":", Keys.enter, "1", Keys.enter, Keys.enter,
                                             "{\"a\":", Keys.enter, "1}", Keys.enter, Keys.enter])
        #expect(try TerminalPrompter(terminal: terminal).ask(question) == .text("{\"a\":\n1}"))
        #expect(terminal.output.contains("not valid JSON"))
    }

    @Test func ctrlCCancelsAndRestoresTheTerminal() {
        let terminal = FakeTerminal(typing: [Keys.down, Keys.ctrlC])
        #expect(throws: PromptError.interrupted) { try TerminalPrompter(terminal: terminal).ask(compute) }
        #expect(!terminal.rawMode)
        #expect(terminal.cursorVisible)
        #expect(terminal.output.hasSuffix("\r\n") || terminal.output.hasSuffix("\u{1B}[?25h"))
    }

    @Test func signalFromOutsideCancelsToo() {
        let terminal = FakeTerminal(events: [.bytes(Array("ab".utf8)), .interrupted])
        #expect(throws: PromptError.interrupted) { try TerminalPrompter(terminal: terminal).ask(PromptQuestion(name: "t", kind: .text)) }
        #expect(!terminal.rawMode)
    }

    @Test func ctrlDOnAnEmptyLineOrClosedInputEndsInput() throws {
        let terminal = FakeTerminal(typing: [Keys.ctrlD])
        #expect(throws: PromptError.endOfInput) { try TerminalPrompter(terminal: terminal).ask(PromptQuestion(name: "t", kind: .text)) }
        let closed = FakeTerminal(typing: ["abc"])
        #expect(throws: PromptError.endOfInput) { try TerminalPrompter(terminal: closed).ask(PromptQuestion(name: "t", kind: .text)) }
        #expect(!closed.rawMode)
        // Ctrl-D with text typed is ignored.
        let typed = FakeTerminal(typing: ["ab", Keys.ctrlD, Keys.enter])
        #expect(try TerminalPrompter(terminal: typed).ask(PromptQuestion(name: "t", kind: .text)) == .text("ab"))
    }

    @Test func ctrlZSuspendsAndTheFrameIsDrawnAgainOnResume() throws {
        let terminal = FakeTerminal(events: [.bytes([0x1A]), .redraw, .bytes([0x0D])])
        #expect(try TerminalPrompter(terminal: terminal).ask(compute) == .choice(0))
        #expect(terminal.suspensions == 1)
        // Drawn at first, again after coming back from the stop, and again on SIGCONT from outside.
        #expect(terminal.output.components(separatedBy: "❯ 1) local").count == 4)
    }

    @Test func typedAheadKeysCarryOverToTheNextQuestion() throws {
        let terminal = FakeTerminal(typing: ["\r\u{1B}[B\r"])
        let prompter = TerminalPrompter(terminal: terminal)
        #expect(try prompter.ask(PromptQuestion(name: "n", kind: .text, defaultAnswer: .text("a"))) == .text("a"))
        #expect(try prompter.ask(compute) == .choice(1))
    }

    @Test func dumbTerminalUsesNumberedLinesWithoutEscapeCodes() throws {
        let terminal = FakeTerminal(lines: ["?", "5", "2", "", "x", "1,3", "pw", "", "n"], dumb: true)
        let prompter = TerminalPrompter(terminal: terminal)
        let withHelp = PromptQuestion(name: "compute", label: "Compute", kind: compute.kind, help: "Where it runs.", defaultAnswer: .choice(0))
        #expect(try prompter.ask(withHelp) == .choice(1))
        #expect(try prompter.ask(PromptQuestion(name: "name", kind: .text, defaultAnswer: .text("my-study"))) == .text("my-study"))
        #expect(try prompter.ask(PromptQuestion(name: "extras", kind: .multiselect([Choice("a"), Choice("b"), Choice("c")]))) == .choices([0, 2]))
        #expect(try prompter.ask(PromptQuestion(name: "token", kind: .secret)) == .text("pw"))
        #expect(try prompter.ask(PromptQuestion(name: "go", kind: .confirm, defaultAnswer: .bool(true))) == .bool(true))
        #expect(!terminal.output.contains("\u{1B}"))
        #expect(terminal.rawSessions == 0)
        #expect(terminal.secretLinesRead == 1)
        #expect(terminal.output.contains("  1) local\n  2) slurm\n  3) kubernetes\n"))
        #expect(terminal.output.contains("  Where it runs.\n"))
        #expect(terminal.output.contains("  error: '5' is not one of the choices"))
    }

    @Test func dumbTerminalEndOfInputAndInterrupt() {
        let closed = FakeTerminal(lines: [], dumb: true)
        #expect(throws: PromptError.endOfInput) { try TerminalPrompter(terminal: closed).ask(PromptQuestion(name: "t", kind: .text)) }
        let interrupted = FakeTerminal(lines: ["\u{03}"], dumb: true)
        #expect(throws: PromptError.interrupted) { try TerminalPrompter(terminal: interrupted).ask(PromptQuestion(name: "t", kind: .text)) }
    }

    @Test func narrowTerminalKeepsEveryLineWithinTheWidth() throws {
        let many = PromptQuestion(name: "v", kind: .select((1...40).map { Choice("version \($0) of something quite long") }))
        let terminal = FakeTerminal(typing: [String(repeating: Keys.down, count: 25), Keys.enter], size: TerminalSize(columns: 24, rows: 8))
        #expect(try TerminalPrompter(terminal: terminal).ask(many) == .choice(25))
        let lastFrame = try #require(terminal.output.components(separatedBy: "\u{1B}[J").dropLast().last, "no frame drawn")
        #expect(lastFrame.contains("version 25"), "the last frame does not show the chosen line: \(lastFrame.debugDescription)")
        for line in lastFrame.components(separatedBy: "\r\n") {
            #expect(TextWidth.visible(line) <= 24, "line too wide: \(line)")
        }
    }

    @Test func colourFollowsTheTerminal() throws {
        let coloured = FakeTerminal(typing: [Keys.enter], colour: true)
        _ = try TerminalPrompter(terminal: coloured).ask(compute)
        #expect(coloured.output.contains("\u{1B}[36m"))
        let plain = FakeTerminal(typing: [Keys.enter], colour: false)
        _ = try TerminalPrompter(terminal: plain).ask(compute)
        #expect(!plain.output.contains("\u{1B}[36m"))
    }
}
