import Foundation
import GitSupport
import TemplateEngine

/// What `recopy` does to one file.
package struct RecopyAction: Sendable, Equatable {
    package enum Kind: String, Sendable {
        /// The project's file differs from the fresh render and is replaced by it.
        case overwrite
        case create
        /// A file the recorded version generated, unchanged since, that the template no longer generates.
        case remove
        /// Left as it is: project-owned, `_skip_if_exists`, or generated before and changed since.
        case keep
    }

    package var path: String
    package var kind: Kind
    package var note: String
}

/// The outcome of `recopy`.
package struct RecopyReport: Sendable {
    package var project: String
    package var fromCommit: String
    package var toCommit: String
    package var toRef: String
    package var actions: [RecopyAction]
    package var pretended = false
    package var notes: [String] = []
}

/// `mlrepro recopy`: regenerates the project from its recorded answers at the recorded template
/// version (or `ref`), as `copier recopy` does, for when a three-way merge is not worth it.
/// Every file the template generates is written as the template renders it now; files the
/// template does not generate stay; project-owned (`_project_owned`) and `_skip_if_exists` files
/// that exist stay; a file the recorded version generated that the template no longer generates is
/// removed only if unchanged. All or nothing (`UpdateApplication`); the record is rewritten.
package struct ProjectRecopy {
    /// The project, its record, the template and the answers (shared with `update`).
    package var regeneration: RecordedRegeneration
    /// Overwrite project-owned files too.
    package var includeOwned = false

    package init(_ regeneration: RecordedRegeneration) {
        self.regeneration = regeneration
    }

    package func run() throws -> RecopyReport {
        let project = regeneration.project
        let record = try regeneration.record()
        let tree = try regeneration.template.load(record, ref: regeneration.ref, latest: false)
        let fresh = try regeneration.render(record, tree: tree)
        var writes: [(path: String, bytes: [UInt8], mode: UInt16)] = []
        var removals: [String] = []
        var actions: [RecopyAction] = []
        for (path, file) in fresh.files.sorted(by: { $0.key < $1.key }) {
            let ours = ProjectFiles.read(project + "/" + path)
            guard let ours else {
                writes.append((path, file.bytes, file.mode))
                actions.append(.init(path: path, kind: .create, note: ""))
                continue
            }
            if ours.bytes == file.bytes && ours.mode == file.mode { continue }
            if fresh.skipIfExists.contains(path) {
                actions.append(.init(path: path, kind: .keep, note: "_skip_if_exists"))
                continue
            }
            if fresh.ownsPath(path) && !includeOwned {
                actions.append(.init(path: path, kind: .keep, note: "project-owned; --include-owned replaces it"))
                continue
            }
            let edited = record.checksums[path].map { $0 != SHA256.hex(ours.bytes) } ?? true
            writes.append((path, file.bytes, file.mode))
            actions.append(.init(path: path, kind: .overwrite,
                                 note: ours.bytes == file.bytes ? "file mode only"
                                     : edited ? "your changes to it are replaced" : "the template's version changed"))
        }
        for path in record.checksummedPaths where fresh.files[path] == nil && !path.hasPrefix(GenerationPlan.recordDirectory + "/") {
            guard let ours = ProjectFiles.read(project + "/" + path) else { continue }
            if record.checksums[path] == SHA256.hex(ours.bytes) {
                removals.append(path)
                actions.append(.init(path: path, kind: .remove, note: "the template no longer generates it"))
            } else {
                actions.append(.init(path: path, kind: .keep, note: "the template no longer generates it; kept because you changed it"))
            }
        }
        for (path, secret) in fresh.secrets.sorted(by: { $0.key < $1.key }) where ProjectFiles.read(project + "/" + path) == nil {
            writes.append((path, secret.bytes, 0o600))
            actions.append(.init(path: path, kind: .create, note: "secret"))
        }

        let toCommit = try RecordRewrite.append(to: &writes, record: record, project: project, tree: tree,
                                                rendered: fresh, removals: removals)

        var report = RecopyReport(project: project, fromCommit: record.commit, toCommit: toCommit,
                                  toRef: tree.revision?.ref ?? tree.source, actions: actions)
        report.notes = fresh.notes
        if regeneration.pretend {
            report.pretended = true
            return report
        }
        try regeneration.apply(writes: writes, removals: removals)
        if let note = regeneration.keepBase(record, commit: toCommit, rendered: fresh) { report.notes.append(note) }
        return report
    }
}
