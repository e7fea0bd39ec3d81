import Foundation
import Testing
import TemplateEngine
@testable import MLReproCore

@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// The CPU's SHA instructions (used where the CPU has them) and the portable code agree on
    /// every length around the block boundaries and on long inputs fed in uneven pieces.
    @Test func hardwareAndPortableCodeAgree() {
        var generator = TestGenerator(state: 0x9E37_79B9_7F4A_7C15)
        let bytes = (0..<70_000).map { _ in UInt8(generator.next(256)) }
        for length in Array(0...300) + [1023, 1024, 1025, 4096 + 17, 70_000] {
            var fast = SHA256()
            var portable = SHA256(hardware: false)
            var start = 0
            var piece = 1
            while start < length {
                let end = min(length, start + piece)
                fast.update(bytes[start..<end])
                portable.update(bytes[start..<end])
                start = end
                piece = piece * 3 + 1
            }
            #expect(fast.finalizeHex() == portable.finalizeHex(), "length \(length)")
        }
        #if arch(x86_64)
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        if cpu.contains(" sha_ni") { #expect(SHA256.hardwareAvailable, "the CPU has SHA instructions") }
        #endif
        var portable = SHA256(hardware: false)
        portable.update(Array("abc".utf8))
        #expect(portable.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func incrementalUpdatesMatchOneShot() {
        let bytes = (0..<1000).map { UInt8($0 % 251) }
        var hasher = SHA256()
        hasher.update(bytes[0..<3])
        hasher.update(bytes[3..<130])
        hasher.update(bytes[130...])
        #expect(hasher.finalizeHex() == SHA256.hex(bytes))
    }

    @Test func nonContiguousCollectionsAndDataHashTheSame() {
        let bytes = (0..<1000).map { UInt8($0 % 251) }
        #expect(SHA256.hex((0..<1000).lazy.map { UInt8($0 % 251) }) == SHA256.hex(bytes))
        #expect(SHA256.hex(Data(bytes)) == SHA256.hex(bytes))
        var hasher = SHA256()
        let head = Array(bytes[0..<63])
        head.withUnsafeBytes { raw in hasher.update(buffer: raw) }
        hasher.update(bytes[63...].lazy.map { $0 })
        #expect(hasher.finalizeHex() == SHA256.hex(bytes))
    }
}

@Suite struct PathPatternTests {
    @Test func gitignoreSemantics() {
        let patterns = PathPatterns(["*.pyc", "/build", "docs/", "a/**/z.txt", "!keep.pyc", "__pycache__"])
        #expect(patterns.matches("x.pyc", isDirectory: false))
        #expect(patterns.matches("deep/inside/x.pyc", isDirectory: false))
        #expect(!patterns.matches("deep/keep.pyc", isDirectory: false))
        #expect(patterns.matches("build", isDirectory: true))
        #expect(patterns.matches("build/out.o", isDirectory: false))
        #expect(!patterns.matches("src/build", isDirectory: true))
        #expect(patterns.matches("docs", isDirectory: true))
        #expect(!patterns.matches("docs", isDirectory: false))
        #expect(patterns.matches("docs/index.md", isDirectory: false))
        #expect(patterns.matches("a/z.txt", isDirectory: false))
        #expect(patterns.matches("a/b/c/z.txt", isDirectory: false))
        #expect(patterns.matches("pkg/__pycache__/m.pyc", isDirectory: false))
        #expect(!patterns.matches("README.md", isDirectory: false))
    }

    @Test func characterClassesAndQuestionMarks() {
        let patterns = PathPatterns(["*.py[co]", "file?.txt"])
        #expect(patterns.matches("m.pyc", isDirectory: false))
        #expect(patterns.matches("m.pyo", isDirectory: false))
        #expect(!patterns.matches("m.py", isDirectory: false))
        #expect(patterns.matches("file1.txt", isDirectory: false))
        #expect(!patterns.matches("file10.txt", isDirectory: false))
    }
}

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

@Suite struct ManifestTests {
    @Test func questionsAndSettings() throws {
        let text = """
        # Demo template for tests
        name:
          type: str
          default: demo
          help: The name
        count: 3
        gpu:
          type: bool
          default: false
          when: "{{ name != 'x' }}"
        _exclude: ["*.tmp"]
        _secret_files: [".env"]
        _envops: {trim_blocks: true}
        _whatever: 1
        """
        let manifest = try TemplateManifest.parse(text, file: "mlrepro.yml", fileName: "mlrepro.yml")
        #expect(manifest.questions.map(\.name) == ["name", "count", "gpu"])
        #expect(manifest.questions[1].type == .int)
        #expect(manifest.description == "Demo template for tests")
        #expect(manifest.exclude == ["*.tmp"])
        #expect(manifest.environmentOptions.trimBlocks)
        #expect(manifest.unknownSettings.map(\.name) == ["_whatever"])
        #expect(manifest.unknownSettings.first?.location.line == 14)
    }

    @Test func badQuestionTypePointsAtTheField() {
        let text = "name:\n  type: string\n"
        #expect {
            _ = try TemplateManifest.parse(text, file: "mlrepro.yml", fileName: "mlrepro.yml")
        } throws: { "\($0)".hasPrefix("mlrepro.yml:2:3: error: question 'name': type must be one of") }
    }
}

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

@Suite struct RenderingContextTests {
    /// `_mlrepro.dst_relative`: DEST as the user would `cd` to it from the current directory.
    @Test func destinationRelativeToTheCurrentDirectory() {
        #expect(RenderingContext.relative("/a/b/c", to: "/a") == "b/c")
        #expect(RenderingContext.relative("/a/b", to: "/a/b/") == ".")
        #expect(RenderingContext.relative("/ab/c", to: "/a") == "/ab/c")
        #expect(RenderingContext.relative("/x/y", to: "/a") == "/x/y")
    }
}
