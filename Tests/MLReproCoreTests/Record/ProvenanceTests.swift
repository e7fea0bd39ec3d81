import Foundation
import Testing
import TemplateEngine
@testable import MLReproCore

@Suite struct ProvenanceTests {
    @Test func answersTextReadsBackAsTheSameValues() throws {
        let answers = OrderedMapping([
            ("name", .string("my study")), ("yes_word", .string("yes")), ("version", .string("3.10")),
            ("epochs", .int(10)), ("rate", .float(0.5)), ("flag", .bool(true)),
            ("compute", .list([.string("local"), .string("slurm")])), ("odd", .string("a: b\n\"c\"")),
            ("empty", .list([])),
        ])
        let text = Provenance.answersText(template: "ml-research", commit: "sha256:00", answers: answers)
        let file = try AnswersFileParsing.parse(text)
        for (key, value) in answers.pairs { #expect(file[key] == value, "\(key)") }
        #expect(file["_template"] == .string("ml-research"))
    }

    @Test func checksumsAreSortedSha256sumLines() {
        let text = Provenance.checksumsText([("b.txt", Array("b\n".utf8)), ("a.txt", Array("a\n".utf8))])
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasSuffix("  a.txt"))
        #expect(lines[0].hasPrefix(SHA256.hex(Array("a\n".utf8))))
    }
}

enum AnswersFileParsing {
    static func parse(_ text: String) throws -> OrderedMapping {
        let reader = YAMLValueReader(file: "answers.yml")
        guard let node = try reader.parse(text), case .dict(let mapping) = try reader.value(node) else { return OrderedMapping() }
        return mapping
    }
}
