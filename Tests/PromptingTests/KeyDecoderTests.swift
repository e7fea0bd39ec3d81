import Testing
@testable import Prompting

@Suite struct KeyDecoderTests {
    private func keys(_ bytes: [UInt8]) -> [Key] { KeyDecoder.decodeAll(bytes) }
    private func keys(_ text: String) -> [Key] { KeyDecoder.decodeAll(Array(text.utf8)) }

    @Test func arrowKeysInBothCursorModes() {
        #expect(keys("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D") == [.up, .down, .right, .left])
        #expect(keys("\u{1B}OA\u{1B}OB\u{1B}OH\u{1B}OF") == [.up, .down, .home, .end])
    }

    @Test func modifiedArrowsAndTildeKeys() {
        #expect(keys("\u{1B}[1;5A") == [.up])
        #expect(keys("\u{1B}[3~\u{1B}[5~\u{1B}[6~\u{1B}[1~\u{1B}[4~") == [.delete, .pageUp, .pageDown, .home, .end])
        #expect(keys("\u{1B}[200~") == [.unknown(Array("\u{1B}[200~".utf8))])
    }

    @Test func controlKeys() {
        #expect(keys([0x03, 0x04, 0x1A, 0x15, 0x17, 0x09, 0x7F, 0x08]) ==
            [.interrupt, .endOfInput, .suspend, .clearLine, .deleteWord, .tab, .backspace, .backspace])
    }

    @Test func enterFromCarriageReturnLineFeedOrBoth() {
        #expect(keys("\r") == [.enter])
        #expect(keys("\n") == [.enter])
        #expect(keys("\r\n") == [.enter])
        #expect(keys("\r\r") == [.enter, .enter])
    }

    @Test func printableAndMultibyteCharacters() {
        #expect(keys("j k") == [.character("j"), .character(" "), .character("k")])
        #expect(keys("é€😀") == [.character("é"), .character("€"), .character("😀")])
    }

    @Test func incompleteSequencesWaitForMoreBytes() {
        #expect(KeyDecoder.decode([0x1B][...], atEnd: false) == .incomplete)
        #expect(KeyDecoder.decode([0x1B, 0x5B][...], atEnd: false) == .incomplete)
        #expect(KeyDecoder.decode([0x1B, 0x5B, 0x31, 0x3B][...], atEnd: false) == .incomplete)
        #expect(KeyDecoder.decode([0xE2, 0x82][...], atEnd: false) == .incomplete)
        #expect(KeyDecoder.decode([][...], atEnd: false) == nil)
    }

    @Test func aLoneEscapeIsTheEscapeKeyOnceNothingFollows() {
        #expect(KeyDecoder.decode([0x1B][...], atEnd: true) == .key(.escape, consumed: 1))
        #expect(keys("\u{1B}\u{1B}[A") == [.escape, .up])
        // Alt+x: Escape, then x.
        #expect(keys("\u{1B}x") == [.escape, .character("x")])
    }

    @Test func invalidUTF8IsSkippedByteByByte() {
        #expect(keys([0xFF, 0x61]) == [.unknown([0xFF]), .character("a")])
        #expect(keys([0xE2, 0x61]) == [.unknown([0xE2]), .character("a")])
    }

    @Test func decodingFromTheMiddleOfABuffer() {
        let bytes = Array("x\u{1B}[B".utf8)
        #expect(KeyDecoder.decode(bytes[1...], atEnd: false) == .key(.down, consumed: 3))
    }
}
