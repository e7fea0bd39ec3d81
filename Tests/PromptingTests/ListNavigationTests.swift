import Testing
@testable import Prompting

@Suite struct ListNavigationTests {
    private func run(_ keys: [Key], count: Int = 5, multiple: Bool = false, from state: ListState = ListState(cursor: 0)) -> (ListState, [ListAction]) {
        var current = state
        let actions = keys.map { current.apply($0, count: count, multiple: multiple, pageSize: 3) }
        return (current, actions)
    }

    @Test func arrowsAndVimKeysMoveAndWrap() {
        #expect(run([.down, .down]).0.cursor == 2)
        #expect(run([.character("j"), .character("j"), .character("k")]).0.cursor == 1)
        #expect(run([.up]).0.cursor == 4)
        #expect(run([.down], from: ListState(cursor: 4)).0.cursor == 0)
        #expect(run([.end]).0.cursor == 4)
        #expect(run([.home], from: ListState(cursor: 3)).0.cursor == 0)
        #expect(run([.pageDown, .pageDown]).0.cursor == 4)
    }

    @Test func typedNumbersJumpIncludingTwoDigits() {
        #expect(run([.character("3")]).0.cursor == 2)
        #expect(run([.character("9")]).0.cursor == 0)  // out of range: stays
        #expect(run([.character("1"), .character("2")], count: 15).0.cursor == 11)
        #expect(run([.character("2"), .character("3")], count: 15).0.cursor == 2)  // 23 > 15: the 3 starts again
        #expect(run([.character("1"), .down, .character("2")], count: 15).0.cursor == 1)
    }

    @Test func spaceTogglesAndAInvertsOnlyInMultiselect() {
        let (toggled, _) = run([.character(" "), .down, .down, .character(" ")], multiple: true)
        #expect(toggled.selected == [0, 2])
        #expect(run([.character("a")], multiple: true).0.selected == [0, 1, 2, 3, 4])
        #expect(run([.character("a"), .character("a")], multiple: true).0.selected == [])
        #expect(run([.character(" "), .character("i")], multiple: true).0.selected == [1, 2, 3, 4])
        #expect(run([.character(" "), .character("a")]).0.selected == [])
    }

    @Test func actionsForEnterHelpAndCancellation() {
        #expect(run([.enter, .character("?"), .interrupt, .endOfInput, .suspend]).1 ==
            [.accept, .toggleHelp, .interrupt, .endOfInput, .suspend])
        #expect(run([.down], count: 0).0.cursor == 0)
    }

    @Test func scrollingKeepsTheCursorInView() {
        #expect(PromptView.scrollTop(cursor: 0, top: 0, capacity: 3, count: 10) == 0)
        #expect(PromptView.scrollTop(cursor: 3, top: 0, capacity: 3, count: 10) == 1)
        #expect(PromptView.scrollTop(cursor: 9, top: 1, capacity: 3, count: 10) == 7)
        #expect(PromptView.scrollTop(cursor: 5, top: 7, capacity: 3, count: 10) == 5)
        #expect(PromptView.scrollTop(cursor: 2, top: 4, capacity: 5, count: 4) == 0)
    }
}
