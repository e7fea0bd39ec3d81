import Foundation
import Testing
@testable import MLReproCore

@Suite struct BuiltinTemplatesTests {
    private func b64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    private func parse(_ text: String) -> [String: [TemplateEntry]] {
        var copy = text
        return copy.withUTF8 { BuiltinTemplates.parse(records: $0) }
    }

    @Test func recordsBecomeEntriesPerTemplate() {
        let text = """
            d 755 \(b64("t")) \(b64("src")) -
            f 644 \(b64("t")) \(b64("src/a b.py")) \(b64("print('é')\n"))
            f 755 \(b64("u")) \(b64("run.sh")) \(b64(""))
            """
        let all = parse(text)
        #expect(all.keys.sorted() == ["t", "u"])
        let t = all["t"] ?? []
        #expect(t.map(\.path) == ["src", "src/a b.py"])
        #expect(t.map(\.isDirectory) == [true, false])
        #expect(t.last?.bytes == Array("print('é')\n".utf8))
        #expect(all["u"]?.first?.mode == 0o755)
        #expect(all["u"]?.first?.bytes == [])
    }

    @Test func malformedRecordsAreSkipped() {
        let text = """
            f 644 \(b64("t")) \(b64("ok")) \(b64("x"))
            f 6z4 \(b64("t")) \(b64("bad-mode")) \(b64("x"))
            f 644 \(b64("t")) not*base64 \(b64("x"))
            f 644 \(b64("t")) \(b64("too-few"))
            ff 644 \(b64("t")) \(b64("bad-kind")) \(b64("x"))

            f 644 \(b64("t")) \(b64("bad-contents")) @@@
            """
        #expect(parse(text)["t"]?.map(\.path) == ["ok"])
    }

    @Test func theBuiltInTemplateMatchesTemplatesOnDisk() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Templates/ml-research").path
        let tree = try #require(BuiltinTemplates.tree(named: "ml-research"))
        let files = tree.entries.filter { !$0.isDirectory }
        #expect(files.count > 20)
        for entry in files {
            let onDisk = FileManager.default.contents(atPath: root + "/" + entry.path).map { [UInt8]($0) }
            #expect(onDisk == entry.bytes, "\(entry.path)")
        }
    }
}
