import Foundation
import TemplateEngine

/// What `update` and `recopy` share: the project and which of its records, the template and
/// version to render, answers changing the recorded ones, `--pretend`; and the steps both take
/// with them (read the record, render from it, write the result and keep the next merge base).
package struct RecordedRegeneration {
    package var project: String
    /// `--vcs-ref`; nil: the command's default (update: the newest version, recopy: the recorded one).
    package var ref: String?
    /// `--answers`: answers changing the recorded ones.
    package var answers: AnswersFile?
    /// `--data`: answers changing the recorded ones and `answers`.
    package var data: [(key: String, value: String)]
    package var template: RecordedTemplate
    /// The record to read, relative to the project (copier's `--answers-file`); nil finds it.
    package var answersFile: String?
    /// `--pretend`: work out every action and write nothing.
    package var pretend = false

    package init(project: String, ref: String?, answers: AnswersFile?, data: [(key: String, value: String)],
                 template: RecordedTemplate = RecordedTemplate()) {
        self.project = project
        self.ref = ref
        self.answers = answers
        self.data = data
        self.template = template
    }

    /// The project's record, after refusing a project outside git or with uncommitted changes
    /// (unless pretending, or `checkedClean` says that was done).
    func record(checkedClean: Bool = false) throws -> ProjectRecord {
        let record = try template.record(of: project, answersFile: answersFile)
        if !pretend && !checkedClean { try ProjectUpdate.requireCleanTree(project) }
        return record
    }

    /// `tree` rendered for the project with the recorded answers changed by `answers` and `data`.
    /// `asRecorded`: the recorded answers alone, without this command's `--answers`/`--data`
    /// (the render the project was made from, for a merge base).
    func render(_ record: ProjectRecord, tree: TemplateTree, budget: RenderBudget? = nil, asRecorded: Bool = false,
                resolving: ((AnswerResolver, AnswerInputs) throws -> ResolvedAnswers)? = nil) throws -> RegeneratedProject {
        let manifest = try tree.manifest()
        let inputs = asRecorded ? record.answerInputs(for: manifest) : record.answerInputs(for: manifest, overrides: answers, data: data)
        return try RegeneratedProject.render(
            tree: tree, project: project, inputs: inputs,
            environmentJSON: record.environmentJSON, skip: record.skip, trust: template.trust, layout: record.layout,
            budget: budget, resolving: resolving)
    }

    /// Writes and removes files all or nothing (`UpdateApplication`).
    func apply(writes: [(path: String, bytes: [UInt8], mode: UInt16)], removals: [String]) throws {
        try UpdateApplication(project: project).apply(writes: writes, removals: removals)
    }

    /// Keeps `rendered`'s files as the next update's merge base (`PristineBase`), unless hooks
    /// shape the template's output; a note for the user when that fails.
    func keepBase(_ record: ProjectRecord, commit: String, rendered: RegeneratedProject) -> String? {
        guard !rendered.prepared.manifest.tasksShapeOutput else { return nil }
        let pristine = rendered.files.sorted { $0.key < $1.key }.map { (path: $0.key, bytes: $0.value.bytes, mode: $0.value.mode) }
        do {
            try PristineBase.record(project: project, template: record.template, commit: commit, files: pristine,
                                    layout: record.layout)
            return nil
        } catch {
            return "the merge base for the next update could not be kept in \(record.layout.baseReference): \(error)"
        }
    }
}

/// The record a regeneration leaves (shared by `update` and `recopy`): the answers file with the
/// new commit and answers, mlrepro's environment record for projects another tool made, the
/// checksums of every generated file the project keeps, and cruft's `.cruft.json` when it has one.
enum RecordRewrite {
    /// Appends the record's files to `writes`; returns the commit (or content hash) now recorded.
    static func append(to writes: inout [(path: String, bytes: [UInt8], mode: UInt16)], record: ProjectRecord,
                       project: String, tree: TemplateTree, rendered: RegeneratedProject,
                       removals: [String]) throws -> String {
        var recorded = rendered.prepared.answers.recorded
        if !record.skip.isEmpty { recorded["_skip"] = .list(record.skip.map { .string($0) }) }
        if tree.revision?.dirty == true { recorded["_template_dirty"] = .bool(true) }
        GeneratedRepository.recordCheckout(&recorded, rendered.prepared)
        let toCommit = tree.revision?.commit ?? tree.contentHash
        let answersBytes = Array(Provenance.answersText(template: record.template, commit: toCommit, answers: recorded, layout: record.layout).utf8)
        let removed = Set(removals)
        let pending = writes
        var generated: [(path: String, bytes: [UInt8])] = rendered.files.sorted { $0.key < $1.key }.compactMap { path, file in
            if removed.contains(path) { return nil }
            let exists = ProjectFiles.read(project + "/" + path) != nil || pending.contains { $0.path == path }
            return exists ? (path, file.bytes) : nil
        }
        generated.append((record.layout.answersPath, answersBytes))
        generated.append((record.layout.environmentPath, Array(record.environmentJSON.utf8)))
        writes.append((record.layout.answersPath, answersBytes, 0o644))
        if record.madeBy != .mlrepro {
            // A project copier made gains mlrepro's record, with the empty environment it was checked with.
            writes.append((record.layout.environmentPath, Array(record.environmentJSON.utf8), 0o644))
        }
        writes.append((record.layout.checksumsPath, Array(Provenance.checksumsText(generated).utf8), 0o644))
        if record.madeBy == .cruft, let original = try RecordInput.contents(of: ProjectRecord.cruftPath, in: project),
           let rewritten = try CruftRecord.updated(original, commit: tree.revision?.commit, answers: rendered.prepared.answers.recorded) {
            writes.append((ProjectRecord.cruftPath, rewritten, 0o644))
        }
        return toCommit
    }
}
