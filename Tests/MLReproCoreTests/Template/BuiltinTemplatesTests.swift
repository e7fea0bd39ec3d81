import Foundation
import Testing
@testable import MLReproCore

@Suite struct BuiltinTemplatesTests {
    private func b64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    /// Parses `text` against `contents` and hands the entries to `check` while the contents'
    /// bytes (which entries point into until they are read) are alive.
    private func withParsed(_ text: String, contents: String, _ check: ([String: [TemplateEntry]]) -> Void) {
        var records = text
        var body = contents
        records.withUTF8 { recordBytes in
            body.withUTF8 { contentBytes in check(BuiltinTemplates.parse(records: recordBytes, contents: contentBytes)) }
        }
    }

    @Test func recordsBecomeEntriesPerTemplate() {
        let a = b64("print('é')\n")
        let text = """
            d 755 \(b64("t")) \(b64("src")) - -
            f 644 \(b64("t")) \(b64("src/a b.py")) 0 \(a.utf8.count)
            f 755 \(b64("u")) \(b64("run.sh")) \(a.utf8.count) 0
            """
        withParsed(text, contents: a) { all in
            #expect(all.keys.sorted() == ["t", "u"])
            let t = all["t"] ?? []
            #expect(t.map(\.path) == ["src", "src/a b.py"])
            #expect(t.map(\.isDirectory) == [true, false])
            #expect(t.last?.bytes == Array("print('é')\n".utf8))
            #expect(all["u"]?.first?.mode == 0o755)
            #expect(all["u"]?.first?.bytes == [])
        }
    }

    @Test func malformedRecordsAreSkipped() {
        let x = b64("x")
        let text = """
            f 644 \(b64("t")) \(b64("ok")) 0 4
            f 6z4 \(b64("t")) \(b64("bad-mode")) 0 4
            f 644 \(b64("t")) not*base64 0 4
            f 644 \(b64("t")) \(b64("too-few")) 0
            ff 644 \(b64("t")) \(b64("bad-kind")) 0 4
            f 644 \(b64("t")) \(b64("past-the-end")) 2 4
            f 644 \(b64("t")) \(b64("negative")) -1 4

            f 644 \(b64("t")) \(b64("bad-offset")) @@ 4
            """
        withParsed(text, contents: x) { all in
            #expect(all["t"]?.map(\.path) == ["ok"])
        }
    }

    @Test func theEmbeddedHashIsTheTreesContentHash() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Templates/ml-research").path
        let embedded = try #require(BuiltinTemplates.tree(named: "ml-research"))
        var recomputed = embedded
        recomputed.precomputedHash = nil
        #expect(embedded.contentHash == recomputed.contentHash)
        #expect(embedded.contentHash == (try TemplateTree.read(directory: root, source: "ml-research")).contentHash)
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
