import Foundation
import MLReproTestSupport
import Testing
import TemplateEngine
@testable import MLReproCore

@Suite struct TemplateReadTests {
    private func folder() throws -> String { try TemporaryDirectory.make(prefix: "template-read") }

    @Test func aFolderWithoutAManifestIsRefusedBeforeItsFilesAreRead() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A FIFO stops any walk that reaches it (and reading one would block).
        #expect(mkfifo(root + "/pipe", 0o600) == 0)
        do {
            _ = try TemplateTree.read(directory: root, source: root)
            Issue.record("a folder without a manifest was read")
        } catch GenerationError.noManifestNotRead(let origin, _) {
            #expect(origin == root)
        }
    }

    @Test func aLargeFileStaysOnDiskUntilUsedAndIsReadInChunks() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data("name:\n  type: str\n".utf8).write(to: URL(fileURLWithPath: root + "/mlrepro.yml"))
        let body = [UInt8]((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try Data(body).write(to: URL(fileURLWithPath: root + "/large.bin"))
        let tree = try TemplateTree.read(directory: root, source: root)
        let large = try #require(tree.entry(at: "large.bin"))
        #expect(large.isStreamed && large.size == body.count)
        #expect(tree.entry(at: "mlrepro.yml")?.isStreamed == false)
        #expect(try large.digest() == SHA256.hex(body))
        #expect(throws: TemplateLimitError.self) { try large.read(limit: 1 << 20) }
        #expect(try large.read(limit: 4 << 20) == body)
    }
}
