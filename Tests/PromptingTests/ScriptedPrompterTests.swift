import Testing
@testable import Prompting

@Suite struct ScriptedPrompterTests {
    private let compute = [Choice("local"), Choice("slurm"), Choice("kubernetes")]

    @Test func textTakesTheDefaultOnEnterAndTypedTextOtherwise() throws {
        let question = PromptQuestion(name: "project_name", label: "Project name", kind: .text, defaultAnswer: .text("my-study"))
        let prompter = ScriptedPrompter(["", "  churn model  "])
        #expect(try prompter.ask(question) == .text("my-study"))
        #expect(try prompter.ask(question) == .text("churn model"))
    }

    @Test func integerRejectsTextThenAcceptsANumber() throws {
        let question = PromptQuestion(name: "epochs", kind: .integer, defaultAnswer: .integer(10))
        let prompter = ScriptedPrompter(["ten", "3.5", "25"])
        #expect(try prompter.ask(question) == .integer(25))
        #expect(prompter.errors == [
            "'ten' is not a whole number; type digits, e.g. 42",
            "'3.5' is not a whole number; type digits, e.g. 42",
        ])
    }

    @Test func floatAcceptsExponentsAndRejectsWords() throws {
        let question = PromptQuestion(name: "lr", kind: .float)
        let prompter = ScriptedPrompter(["", "fast", "3e-4"])
        #expect(try prompter.ask(question) == .float(0.0003))
        #expect(prompter.errors == ["type a number", "'fast' is not a number; type e.g. 0.001 or 3e-4"])
    }

    @Test func confirmUnderstandsYesNoAndDefault() throws {
        let question = PromptQuestion(name: "use_dvc", kind: .confirm, defaultAnswer: .bool(true))
        let prompter = ScriptedPrompter(["", "N", "maybe", "yes"])
        #expect(try prompter.ask(question) == .bool(true))
        #expect(try prompter.ask(question) == .bool(false))
        #expect(try prompter.ask(question) == .bool(true))
        #expect(prompter.errors == ["answer y or n"])
    }

    @Test func selectByNumberLabelOrDefault() throws {
        let question = PromptQuestion(name: "compute", kind: .select(compute), defaultAnswer: .choice(1))
        let prompter = ScriptedPrompter(["", "3", "Local", "4", "cloud", "kubernetes"])
        #expect(try prompter.ask(question) == .choice(1))
        #expect(try prompter.ask(question) == .choice(2))
        #expect(try prompter.ask(question) == .choice(0))
        #expect(try prompter.ask(question) == .choice(2))
        #expect(prompter.errors == [
            "'4' is not one of the choices; type a number from 1 to 3",
            "'cloud' is not one of the choices; type a number from 1 to 3",
        ])
    }

    @Test func multiselectByNumbersLabelsAllAndNone() throws {
        let question = PromptQuestion(name: "trackers", kind: .multiselect(compute), defaultAnswer: .choices([0]))
        let prompter = ScriptedPrompter(["", "3, 1", "all", "none", "slurm kubernetes", "1,9", "2"])
        #expect(try prompter.ask(question) == .choices([0]))
        #expect(try prompter.ask(question) == .choices([0, 2]))
        #expect(try prompter.ask(question) == .choices([0, 1, 2]))
        #expect(try prompter.ask(question) == .choices([]))
        #expect(try prompter.ask(question) == .choices([1, 2]))
        #expect(try prompter.ask(question) == .choices([1]))
        #expect(prompter.errors.count == 1)
    }

    @Test func secretIsNeverShown() throws {
        let question = PromptQuestion(name: "token", kind: .secret, validate: { answer in
            if case .text(let value) = answer, value.count < 8 { return "use at least 8 characters" }
            return nil
        })
        let prompter = ScriptedPrompter(["short", "long enough secret"])
        #expect(try prompter.ask(question) == .text("long enough secret"))
        #expect(prompter.errors == ["use at least 8 characters"])
        #expect(prompter.transcript.last == .answered(question: "token", answer: .text("long enough secret"), shown: "(hidden)"))
    }

    @Test func jsonIsCheckedAsAWholeAndYamlGoesToTheValidator() throws {
        let json = PromptQuestion(name: "extra", kind: .structured(.json), defaultAnswer: .text("{}"))
        let prompter = ScriptedPrompter([.lines(["{\"a\": 1", "\"b\": [2]}"]), .lines(["{\"a\": 1,", "\"b\": [2]}"])])
        #expect(try prompter.ask(json) == .text("{\"a\": 1,\n\"b\": [2]}"))
        #expect(prompter.errors == ["not valid JSON: check quotes, commas and brackets"])

        let yaml = PromptQuestion(name: "params", kind: .structured(.yaml), validate: { answer in
            if case .text(let text) = answer, text.contains("\t") { return "YAML does not allow tabs for indentation" }
            return nil
        })
        let second = ScriptedPrompter([.lines(["a:", "\tb: 1"]), .lines(["a:", "  b: 1"])])
        #expect(try second.ask(yaml) == .text("a:\n  b: 1"))
        #expect(second.errors == ["YAML does not allow tabs for indentation"])
    }

    @Test func questionMarkShowsHelpAndAsksAgain() throws {
        let question = PromptQuestion(name: "seed", kind: .integer, help: "Random seed for every library.\nSame seed, same run.",
                                defaultAnswer: .integer(42))
        let prompter = ScriptedPrompter(["?", "7"])
        #expect(try prompter.ask(question) == .integer(7))
        #expect(prompter.transcript.contains(.help(question: "seed", text: "Random seed for every library.\nSame seed, same run.")))
        #expect(prompter.errors.isEmpty)
    }

    @Test func questionMarkIsPlainTextWithoutHelp() throws {
        let question = PromptQuestion(name: "title", kind: .text)
        #expect(try ScriptedPrompter(["?"]).ask(question) == .text("?"))
    }

    @Test func validatorMessagesAreShownAndTheQuestionAskedAgain() throws {
        let question = PromptQuestion(name: "project_slug", kind: .text, defaultAnswer: .text("Bad Slug")) { answer in
            guard case .text(let value) = answer else { return nil }
            return value.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }) ? nil : "use lowercase letters, digits and '-'"
        }
        let prompter = ScriptedPrompter(["", "Still Bad", "good-slug"])
        #expect(try prompter.ask(question) == .text("good-slug"))
        #expect(prompter.errors == ["use lowercase letters, digits and '-'", "use lowercase letters, digits and '-'"])
    }

    @Test func cancellationEndsWithTheRightExitStatus() throws {
        let question = PromptQuestion(name: "name", kind: .text)
        #expect(throws: PromptError.interrupted) { try ScriptedPrompter([.interrupt]).ask(question) }
        #expect(throws: PromptError.endOfInput) { try ScriptedPrompter([.endOfInput]).ask(question) }
        #expect(throws: PromptError.scriptExhausted(question: "name")) { try ScriptedPrompter([]).ask(question) }
        #expect(PromptError.interrupted.exitStatus == 130)
        #expect(PromptError.endOfInput.exitStatus == 1)
        #expect(PromptError.interrupted.description.contains("nothing was written"))
    }

    @Test func confirmHelperAndShownText() throws {
        let prompter = ScriptedPrompter(["n"])
        prompter.show("Summary")
        #expect(try prompter.confirm("Create the project?", default: true) == false)
        #expect(prompter.transcript.first == .shown("Summary"))
    }

    @Test func displayOfAnswers() {
        let select = PromptQuestion(name: "c", kind: .select(compute))
        #expect(select.display(.choice(2)) == "kubernetes")
        let multi = PromptQuestion(name: "m", kind: .multiselect(compute))
        #expect(multi.display(.choices([])) == "(none)")
        #expect(multi.display(.choices([0, 1])) == "local, slurm")
        #expect(PromptQuestion(name: "f", kind: .float).display(.float(0.5)) == "0.5")
        #expect(PromptQuestion(name: "y", kind: .structured(.yaml)).display(.text("a: 1\nb: 2\n")) == "a: 1 … (2 lines)")
    }
}
