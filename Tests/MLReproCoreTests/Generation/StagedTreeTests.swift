import Foundation
import Testing
@testable import MLReproCore

@Suite struct StagedTreeTests {
    @Test func filesAreGroupedByFolderLargestFirst() {
        let paths = ["a.txt", "src/x.py", "src/y.py", "docs/z.md", "src/sub/w.py", "b.txt", "src/q.py"]
        #expect(StagedTree.groupedByFolder(paths) == [[1, 2, 6], [0, 5], [3], [4]])
        #expect(StagedTree.groupedByFolder([]) == [])
    }

    @Test func everyFileIsWrittenWithItsModeAcrossFolders() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("staged-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        var outputs: [OutputFile] = []
        for folder in 0..<7 {
            outputs.append(OutputFile(path: "d\(folder)", bytes: [], mode: 0o755, isDirectory: true))
            for file in 0..<(folder * 5 + 1) {
                outputs.append(OutputFile(path: "d\(folder)/f\(file)", bytes: Array("\(folder)-\(file)\n".utf8),
                                          mode: file % 2 == 0 ? 0o644 : 0o755, isDirectory: false))
            }
        }
        outputs.append(OutputFile(path: "top", bytes: Array("top\n".utf8), mode: 0o600, isDirectory: false))
        // Bits a usual umask (022) removes are still set exactly.
        outputs.append(OutputFile(path: "group-writable", bytes: [], mode: 0o664, isDirectory: false))
        outputs.append(OutputFile(path: "everyone", bytes: Array("x".utf8), mode: 0o777, isDirectory: false))
        let staged = try StagedTree.create(for: parent + "/dest")
        defer { staged.discard() }
        try staged.write(outputs)
        for output in outputs where !output.isDirectory {
            let full = staged.path + "/" + output.path
            #expect(FileManager.default.contents(atPath: full).map { [UInt8]($0) } == output.bytes, "\(output.path)")
            let mode = (try FileManager.default.attributesOfItem(atPath: full)[.posixPermissions] as? NSNumber)?.uint16Value
            #expect(mode == output.mode, "\(output.path)")
        }
    }
}
