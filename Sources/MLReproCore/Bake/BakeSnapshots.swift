import Foundation
import TemplateEngine

/// `bake --snapshot`: named answer sets (a YAML file in the template repository) rendered into
/// committed folders, so that a change to the template shows as a diff of what it generates.
///
/// The file maps a snapshot name to its answers (`{}` for every default):
///
///     default: {}
///     gpu:
///       framework: pytorch
///       use_gpu: true
///
/// Each snapshot is the project's files under `<folder>/<name>/`, without mlrepro's own record
/// (`.mlrepro/`, whose `_commit` changes with every commit of the template).
package struct BakeSnapshots {
    package struct Snapshot: Sendable {
        package let name: String
        package let answers: AnswersFile
    }

    /// The default file name, looked up in the template folder.
    package static let fileName = "bake-snapshots.yml"
    /// The snapshots' folder, next to the file, unless `--snapshot-dir` says otherwise.
    package static let folderName = "snapshots"
    /// Left out of snapshots: mlrepro's record and any VCS folder.
    static let leftOut: Set<String> = [".mlrepro", ".git"]

    package let snapshots: [Snapshot]

    package init(path: String) throws {
        let file = try AnswersFile.load(path: path)
        var seen = Set<String>()
        var snapshots: [Snapshot] = []
        for entry in file.entries {
            let name = entry.key
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.hasPrefix(".") else {
                throw GenerationError.invalidAnswer(key: name, location: entry.location,
                    message: "a snapshot name must be letters, digits, '-', '_' or '.' (it names a folder), and not start with '.'")
            }
            guard seen.insert(name).inserted else {
                throw GenerationError.invalidAnswer(key: name, location: entry.location, message: "snapshot '\(name)' is named twice")
            }
            let answers: [AnswersFile.Entry]
            switch entry.value {
            case .dict(let mapping):
                answers = mapping.pairs.map { AnswersFile.Entry(key: $0.key, value: $0.value, location: entry.location) }
            case .none:
                answers = []
            default:
                throw GenerationError.invalidAnswer(key: name, location: entry.location,
                    message: "snapshot '\(name)' must be a mapping of question names to answers ({} for the defaults)")
            }
            snapshots.append(Snapshot(name: name, answers: AnswersFile(path: path, entries: answers)))
        }
        guard !snapshots.isEmpty else {
            throw GenerationError.invalidAnswer(key: "", location: SourceLocation(file: path, line: 1, column: 1),
                message: "no snapshots: map each snapshot's name to its answers")
        }
        self.snapshots = snapshots
    }

    /// Renders each snapshot into `work/<name>/<project folder>` (the project's files, record left
    /// out); the project folder of each, by snapshot name.
    package func render(with baker: Baker, into work: String, environmentJSON: String, trust: Bool, skipTasks: Bool,
                       data: [(key: String, value: String)]) throws -> [String: String] {
        var folders: [String: String] = [:]
        for snapshot in snapshots {
            // One level down, in a folder named like the template, as bake renders (answers
            // defaulting to DEST's name stay the same wherever the snapshots live).
            let destination = ((work as NSString).appendingPathComponent(snapshot.name) as NSString)
                .appendingPathComponent(baker.projectFolderName)
            do {
                _ = try baker.render(AnswerInputs(file: snapshot.answers, data: data, useDefaults: true), into: destination,
                                     environmentJSON: environmentJSON, trust: trust, skipTasks: skipTasks)
            } catch {
                throw BakeSnapshotError.renderFailed(snapshot.name, String(describing: error))
            }
            for name in Self.leftOut {
                try? FileManager.default.removeItem(atPath: (destination as NSString).appendingPathComponent(name))
            }
            folders[snapshot.name] = destination
        }
        return folders
    }

    /// The unified diff from the committed snapshot to the rendered one (empty when equal):
    /// files added, removed and changed, and a file's mode where only that changed.
    package static func difference(committed: String, rendered: String, label: String) -> String {
        let old = files(under: committed)
        let new = files(under: rendered)
        var output = ""
        for path in Set(old.keys).union(new.keys).sorted() {
            let before = old[path]
            let after = new[path]
            let oldBytes = before.flatMap { FileManager.default.contents(atPath: $0.path).map { [UInt8]($0) } }
            let newBytes = after.flatMap { FileManager.default.contents(atPath: $0.path).map { [UInt8]($0) } }
            output += UnifiedDiff.text(old: before == nil ? nil : oldBytes ?? [], new: after == nil ? nil : newBytes ?? [],
                                       oldLabel: "a/\(label)/\(path)", newLabel: "b/\(label)/\(path)")
            if let before, let after, before.executable != after.executable, oldBytes == newBytes {
                output += "mode of \(label)/\(path): \(before.executable ? "executable" : "not executable") -> \(after.executable ? "executable" : "not executable")\n"
            }
        }
        return output
    }

    /// Replaces the committed snapshot with the rendered one: the copy is made next to it first,
    /// so a failed copy leaves the old snapshot as it was.
    package static func replace(committed: String, with rendered: String) throws {
        let manager = FileManager.default
        let parent = (committed as NSString).deletingLastPathComponent
        try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let staged = (parent as NSString).appendingPathComponent(".\((committed as NSString).lastPathComponent).new-\(UUID().uuidString)")
        do {
            try manager.copyItem(atPath: rendered, toPath: staged)
            if manager.fileExists(atPath: committed) { try manager.removeItem(atPath: committed) }
            try manager.moveItem(atPath: staged, toPath: committed)
        } catch {
            try? manager.removeItem(atPath: staged)
            throw error
        }
    }

    struct FileState { let path: String; let executable: Bool }

    /// Regular files and links under `root`, by relative path (links compared by their target text).
    static func files(under root: String) -> [String: FileState] {
        var result: [String: FileState] = [:]
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: root) else { return result }
        while let relative = walker.nextObject() as? String {
            let full = (root as NSString).appendingPathComponent(relative)
            if leftOut.contains(relative.split(separator: "/").first.map(String.init) ?? "") {
                walker.skipDescendants()
                continue
            }
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let executable = manager.isExecutableFile(atPath: full)
            result[relative] = FileState(path: full, executable: executable)
        }
        return result
    }
}

package enum BakeSnapshotError: Error, Sendable, CustomStringConvertible {
    case renderFailed(String, String)
    case noFile(String)

    package var description: String {
        switch self {
        case .renderFailed(let name, let message): return "snapshot '\(name)' does not render: \(message)"
        case .noFile(let path):
            return "no snapshot answers file at \(path); write one (snapshot name -> answers) or name it with --snapshots FILE"
        }
    }
}
