import Foundation
import Testing
import TemplateEngine
@testable import MLReproCore

@Suite struct YAMLValueTests {
    @Test func keepsOrderAndTypes() throws {
        let reader = YAMLValueReader(file: "a.yml")
        let node = try #require(try reader.parse("b: 1\na: true\nc: 2.5\nd: null\ne: [x, 3]\nf: '10'\n"))
        let value = try reader.value(node)
        guard case .dict(let mapping) = value else { Issue.record("not a mapping"); return }
        #expect(mapping.keys == ["b", "a", "c", "d", "e", "f"])
        #expect(mapping["b"] == .int(1))
        #expect(mapping["a"] == .bool(true))
        #expect(mapping["c"] == .float(2.5))
        #expect(mapping["d"] == Value.none)
        #expect(mapping["e"] == .list([.string("x"), .int(3)]))
        #expect(mapping["f"] == .string("10"))
    }

    @Test func syntaxErrorsCarryFileLineColumn() {
        let reader = YAMLValueReader(file: "answers.yml")
        #expect {
            _ = try reader.parse("a: 1\nb: [1, 2\n")
        } throws: { error in
            "\(error)".hasPrefix("answers.yml:3:") && "\(error)".contains(": error: invalid YAML")
        }
        #expect {
            _ = try reader.parse("a: 1\na: 2\n")
        } throws: { error in
            "\(error)".hasPrefix("answers.yml:") && "\(error)".contains("duplicate key 'a'")
        }
    }

    @Test func aliasBombsAndDeepNestingAreRefused() throws {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        var previous = "a"
        for name in "bcdefghij" {
            let list = Array(repeating: "*\(previous)", count: 10).joined(separator: ", ")
            bomb += "\(name): &\(name) [\(list)]\n"
            previous = String(name)
        }
        let reader = YAMLValueReader(file: "bomb.yml")
        let node = try #require(try reader.parse(bomb))
        #expect(throws: YAMLValueError.self) { _ = try reader.value(node) }
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect { _ = try reader.parse(deep) } throws: { "\($0)".contains("nesting deeper") }
    }

    @Test func enormousScalarsAreRefusedWithTheirLocation() throws {
        let reader = YAMLValueReader(file: "big.yml")
        let node = try #require(try reader.parse("ok: 1\nslug: " + String(repeating: "a", count: 1_100_000) + "\n"))
        #expect { _ = try reader.value(node) } throws: { "\($0)".contains("big.yml:2:7: error: value is longer than 1024 KiB") }
    }

    @Test func codeTagsAreNeverInterpreted() throws {
        let reader = YAMLValueReader(file: "t.yml")
        let node = try #require(try reader.parse("a: !!python/object:os.system ls\n"))
        #expect { _ = try reader.value(node) } throws: { "\($0)".contains("t.yml:1:4: error: YAML tag") }
    }
}
