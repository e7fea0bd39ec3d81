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

    /// What a `pre_gen_project` hook can leave in the staging folder before the files are written.
    @Test(arguments: ["folder link", "file link", "file where a folder goes", "link on the way"])
    func nothingIsWrittenThroughWhatAHookLeft(_ plant: String) throws {
        let manager = FileManager.default
        let parent = manager.temporaryDirectory.appendingPathComponent("staged-\(UUID().uuidString)").path
        let victim = parent + "/victim"
        try manager.createDirectory(atPath: victim, withIntermediateDirectories: true)
        defer { try? manager.removeItem(atPath: parent) }
        try Data("keep\n".utf8).write(to: URL(fileURLWithPath: victim + "/b.txt"))
        let staged = try StagedTree.create(for: parent + "/dest")
        defer { staged.discard() }
        switch plant {
        case "folder link": try manager.createSymbolicLink(atPath: staged.path + "/sub", withDestinationPath: victim)
        case "file link": try manager.createSymbolicLink(atPath: staged.path + "/README.md", withDestinationPath: victim + "/b.txt")
        case "file where a folder goes": try Data().write(to: URL(fileURLWithPath: staged.path + "/sub"))
        default:
            // A folder mlrepro accepts as made by the hook, holding a link where a file goes.
            try manager.createDirectory(atPath: staged.path + "/sub", withIntermediateDirectories: false)
            try manager.createSymbolicLink(atPath: staged.path + "/sub/a.txt", withDestinationPath: victim + "/b.txt")
        }
        let outputs = [OutputFile(path: "README.md", bytes: Array("readme\n".utf8), mode: 0o644),
                       OutputFile(path: "sub", bytes: [], mode: 0o755, isDirectory: true),
                       OutputFile(path: "sub/a.txt", bytes: Array("a\n".utf8), mode: 0o644)]
        #expect(throws: GenerationError.self) { try staged.write(outputs) }
        #expect(try manager.contentsOfDirectory(atPath: victim) == ["b.txt"])
        #expect(manager.contents(atPath: victim + "/b.txt") == Data("keep\n".utf8))
    }

    @Test func aRegularFileAHookLeftIsReplacedNotWrittenInto() throws {
        let manager = FileManager.default
        let parent = manager.temporaryDirectory.appendingPathComponent("staged-\(UUID().uuidString)").path
        try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? manager.removeItem(atPath: parent) }
        try Data("keep\n".utf8).write(to: URL(fileURLWithPath: parent + "/shared.txt"))
        let staged = try StagedTree.create(for: parent + "/dest")
        defer { staged.discard() }
        try manager.linkItem(atPath: parent + "/shared.txt", toPath: staged.path + "/README.md")
        try staged.write([OutputFile(path: "README.md", bytes: Array("readme\n".utf8), mode: 0o644)])
        #expect(manager.contents(atPath: staged.path + "/README.md") == Data("readme\n".utf8))
        #expect(manager.contents(atPath: parent + "/shared.txt") == Data("keep\n".utf8))
    }
}
