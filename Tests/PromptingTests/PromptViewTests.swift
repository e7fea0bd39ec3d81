import Testing
@testable import Prompting

@Suite struct PromptViewTests {
    private let plain = PromptView(style: Style(colour: false), columns: 80, rows: 24)
    private let gpus = (1...30).map { Choice("cuda \($0).0 with a rather long description of what it brings along") }

    @Test func inputFrameShowsHintDefaultAndError() {
        let question = PromptQuestion(name: "cuda_version", label: "CUDA version", kind: .text,
                                      help: "The CUDA toolkit in the container.",
                                      hint: "NVIDIA H100 80GB HBM3 detected, driver 550.54", defaultAnswer: .text("12.4"))
        var input = InputState()
        input.buffer = "12."
        let frame = plain.inputFrame(question, input, PromptDecoration(error: "not a version"))
        #expect(frame.lines == [
            "  NVIDIA H100 80GB HBM3 detected, driver 550.54 · ? help",
            "  ✖ not a version",
            "? CUDA version (12.4) › 12.",
        ])
        let helped = plain.inputFrame(question, InputState(), PromptDecoration(showsHelp: true))
        #expect(helped.lines.first == "  The CUDA toolkit in the container.")
        #expect(!helped.lines.joined().contains("? help"))
    }

    @Test func secretInputIsNotEchoed() {
        var input = InputState()
        input.buffer = "hunter2"
        // The prompt is there, without what was typed (an empty frame would hide it too).
        let frame = plain.inputFrame(PromptQuestion(name: "token", kind: .secret), input, PromptDecoration())
        #expect(frame.lines == ["? token › "])
        // A default is announced, never shown.
        let withDefault = plain.inputFrame(PromptQuestion(name: "token", kind: .secret, defaultAnswer: .text("s3cret")),
                                           input, PromptDecoration())
        #expect(withDefault.lines == ["? token (hidden default) › "])
    }

    @Test func confirmShowsTheDefaultAsCapitalLetter() {
        let yes = plain.inputFrame(PromptQuestion(name: "Go?", kind: .confirm, defaultAnswer: .bool(true)), InputState(), PromptDecoration())
        #expect(yes.lines == ["? Go? (Y/n) › "])
        let no = plain.inputFrame(PromptQuestion(name: "Go?", kind: .confirm, defaultAnswer: .bool(false)), InputState(), PromptDecoration())
        #expect(no.lines == ["? Go? (y/N) › "])
    }

    @Test func longListsScrollAndFitNarrowTerminals() {
        let narrow = PromptView(style: Style(colour: false), columns: 30, rows: 10)
        let question = PromptQuestion(name: "cuda", kind: .select(gpus))
        let state = narrow.scrolled(question, ListState(cursor: 20), PromptDecoration())
        let frame = narrow.listFrame(question, state, PromptDecoration())
        #expect(frame.hidesCursor)
        #expect(frame.lines.count <= 10)
        #expect(frame.lines.allSatisfy { TextWidth.visible($0) <= 30 })
        #expect(frame.lines.contains { $0.hasPrefix("❯ 21) cuda 21.0") })
        #expect(frame.lines.contains { $0.contains("↑") && $0.contains("more") })
        #expect(frame.lines.last == "  ↓ 9 more")
    }

    @Test func multiselectShowsBoxes() {
        let question = PromptQuestion(name: "extras", kind: .multiselect([Choice("dvc"), Choice("mlflow")]))
        var state = ListState(cursor: 1)
        state.selected = [1]
        let frame = plain.listFrame(question, state, PromptDecoration())
        #expect(frame.lines.suffix(2) == ["  [ ] 1) dvc", "❯ [x] 2) mlflow"])
    }

    @Test func colourOnlyWhenAsked() {
        let question = PromptQuestion(name: "name", kind: .text, hint: "hint")
        let coloured = PromptView(style: Style(colour: true), columns: 80, rows: 24)
        #expect(coloured.inputFrame(question, InputState(), PromptDecoration()).lines.joined().contains("\u{1B}["))
        #expect(!plain.inputFrame(question, InputState(), PromptDecoration()).lines.joined().contains("\u{1B}"))
        #expect(!plain.answeredLine(question, .text("x")).contains("\u{1B}"))
        #expect(plain.answeredLine(question, .text("x")) == "✔ name · x")
    }

    @Test func widthsIgnoreEscapesAndCountWideCharacters() {
        #expect(TextWidth.visible("\u{1B}[1;36mabc\u{1B}[0m") == 3)
        #expect(TextWidth.visible("日本") == 4)
        #expect(TextWidth.truncate("abcdefgh", to: 5) == "abcd…")
        #expect(TextWidth.rows(String(repeating: "x", count: 81), columns: 80) == 2)
        #expect(TextWidth.rows("", columns: 80) == 1)
    }

    @Test func linePromptsForDumbTerminals() {
        let question = PromptQuestion(name: "compute", label: "Compute", kind: .select([Choice("local"), Choice("slurm")]),
                                      help: "Where training runs.", defaultAnswer: .choice(1))
        #expect(LinePromptText.introduction(question) == "  1) local\n  2) slurm\n")
        #expect(LinePromptText.prompt(question) == "Compute (1-2; ? for help) [2]: ")
        let multi = PromptQuestion(name: "x", kind: .multiselect([Choice("a"), Choice("b")]), defaultAnswer: .choices([0]))
        #expect(LinePromptText.introduction(multi) == "  1) [x] a\n  2) [ ] b\n")
        #expect(LinePromptText.prompt(multi) == "x (numbers separated by commas, all or none) [1]: ")
    }
}
