import Foundation
import GitSupport
import Prompting
import TemplateEngine

/// What `update` did to one file.
package struct UpdateAction: Sendable, Equatable {
    package enum Kind: String, Sendable {
        case updated = "update", merged = "merge", conflict, created = "create", removed = "remove"
        case keptDeleted = "deleted", keptChanged = "keep"
    }

    package var path: String
    package var kind: Kind
    package var note: String
}

/// The outcome of `update`.
package struct UpdateReport: Sendable {
    package var project: String
    /// The template updated, as recorded.
    package var template = ""
    package var fromCommit: String
    package var toCommit: String
    package var toRef: String
    package var actions: [UpdateAction]
    /// The `_migrations` commands that ran, in order ("before: cmd", "after: cmd"); with `pretend`,
    /// those that would run.
    package var migrations: [String] = []
    /// Questions the recorded answers did not answer (new in this version, or whose `when` became
    /// true), with the answer taken: asked on a terminal, else the default.
    package var newAnswers: [(name: String, value: Value, asked: Bool)] = []
    /// `--pretend`: nothing was written.
    package var pretended = false
    /// Where the merge base came from (see `MergeBaseSource`).
    package var base: MergeBaseSource = .unchangedFiles
    /// For the user: what could not be done beside the update itself.
    package var notes: [String] = []
    /// The new version's `_message_before_update` and `_message_after_update`, rendered.
    package var messageBeforeUpdate: String?
    package var messageAfterUpdate: String?

    package var conflicts: [String] { actions.filter { $0.kind == .conflict }.map(\.path) }
}

/// Where `update` found the files the recorded template version generated.
package enum MergeBaseSource: String, Sendable {
    /// The pristine render `init` or the last `update` kept under `refs/mlrepro/base`.
    case recorded
    /// The git template rendered again at the recorded commit.
    case template
    /// The commit `init` made, for files changed since (a project made before bases were kept).
    case initialCommit = "initial commit"
    /// Only the files whose checksum still matches the record.
    case unchangedFiles = "unchanged files"
}

/// Why `update` refused to start.
package enum UpdateError: Error, Sendable, CustomStringConvertible {
    case notUnderGit(String)
    case dirty(String, [String])
    /// A path update would write or remove passes through a symbolic link.
    case symbolicLink(path: String, link: String)
    /// A path update would write or remove could leave the project or reach a VCS folder.
    case unsafePath(path: String, reason: String)
    case migrationsNeedTrust(count: Int, from: String, to: String)
    case migrationFailed(command: String, reason: String)

    package var description: String {
        switch self {
        case let .notUnderGit(project):
            return "'\(project)' is not in a git repository; update and recopy need one so every change they make can be "
                + "reviewed and undone: run 'git init && git add -A && git commit -m \"Before update\"' there first"
        case let .dirty(project, paths):
            let shown = paths.prefix(10).map { "  \($0)" }.joined(separator: "\n")
            let more = paths.count > 10 ? "\n  ... and \(paths.count - 10) more" : ""
            return "'\(project)' has uncommitted changes; commit or stash them before updating (or recopying):\n\(shown)\(more)"
        case let .migrationsNeedTrust(count, from, to):
            return "updating from \(from) to \(to) runs \(count) of the template's _migrations; review them and pass --trust to allow them. Nothing was changed"
        case let .migrationFailed(command, reason):
            return "migration '\(command)' failed: \(reason); the update stopped there"
        case let .unsafePath(path, reason):
            return "refusing to update '\(TerminalText.visible(path, keepingNewlines: false))': \(reason); nothing was changed"
        case let .symbolicLink(path, link):
            return "refusing to update '\(path)': '\(link)' is a symbolic link, and update writes nothing through links "
                + "(it could reach files outside the project); nothing was changed"
        }
    }
}

/// `mlrepro update`: three-way merge of the template's changes into the project.
/// Base = the render at the recorded commit and answers; theirs = the render at the new ref
/// and answers; ours = the working tree.
package struct ProjectUpdate {
    /// The project, its record, the template and the answers (shared with `recopy`).
    package var regeneration: RecordedRegeneration
    /// Runs `_migrations` (only with `template.trust`).
    package var runner: any ProcessRunning
    /// `--keep-owned`: project-owned files (`_project_owned`) are left as they are instead of
    /// receiving the template's changes by three-way merge.
    package var keepOwned = false
    /// Asks a question the recorded answers leave open (on a terminal, as `init` asks); nil takes
    /// its default. Either way the answer is listed in the report's `newAnswers`.
    package var ask: ((PendingQuestion) throws -> Value)?
    /// The clean working tree was checked already: `update` of several templates in turn checks it
    /// once, before the first, whose changes the next ones then find.
    package var treeCheckedClean = false

    package init(_ regeneration: RecordedRegeneration, runner: any ProcessRunning = SystemProcessRunner()) {
        self.regeneration = regeneration
        self.runner = runner
    }

    package func run() throws -> UpdateReport {
        let project = regeneration.project, template = regeneration.template, pretend = regeneration.pretend
        let record = try regeneration.record(checkedClean: treeCheckedClean)
        let theirsTree = try template.load(record, ref: regeneration.ref, latest: regeneration.ref == nil)
        // The new and the old template's renders are held together: they share one budget.
        let budget = RenderBudget()
        let newAnswers = NewAnswers()
        let ask = self.ask
        let theirs = try regeneration.render(record, tree: theirsTree, budget: budget, resolving: { resolver, inputs in
            try resolver.resolve(inputs, reask: false) { pending in try newAnswers.answer(pending, ask: ask) }
        })
        // copier's _migrations of the new version, for versions the update crosses.
        // The recorded version of a git template (loaded once: its name picks the migrations, its
        // render is the merge base).
        let baseTree = record.generatedRef != nil ? try template.load(record) : nil
        func versionName(_ tree: TemplateTree?) -> String? { tree?.revision.map { $0.tag ?? $0.described ?? $0.commit } }
        let migrations = MigrationPlan(theirs.prepared.manifest, from: versionName(baseTree) ?? record.commit,
                                       to: versionName(theirsTree))
        if let migrations, !template.trust, !pretend {
            throw UpdateError.migrationsNeedTrust(count: migrations.steps.count, from: migrations.from.name, to: migrations.to.name)
        }
        var ran: [String] = []
        var migrationContext = theirs.prepared.context
        if let migrations, pretend {
            ran = migrations.steps.map { step -> String in
                switch step.migration.command {
                case .shell(let line): return "would run: " + line
                case .arguments(let parts): return "would run: " + parts.joined(separator: " ")
                }
            }
        } else if let migrations {
            // Migrations may run files of a git template from `{{ _copier_conf.src_path }}`.
            migrationContext = try TemplateCheckout.commandContext(theirs.prepared.context, tree: theirs.prepared.tree)
            ran += try migrations.run(stage: "before", project: project, context: migrationContext,
                                      environment: theirs.prepared.environment, runner: runner).map { "before: " + $0 }
        }
        let (baseFiles, baseSource) = try baseFiles(record, tree: baseTree, budget: budget,
                                                    hookShaped: theirs.prepared.manifest.tasksShapeOutput)
        var writes: [(path: String, bytes: [UInt8], mode: UInt16)] = []
        var removals: [String] = []
        var actions: [UpdateAction] = []
        let theirLabel = "template \(theirsTree.revision.map { $0.ref == $0.commit ? String($0.commit.prefix(12)) : $0.ref } ?? "current")"
        let labels = MergeLabels(ancestor: "template \(TemplateRevision.label(record.commit)) (recorded)", ours: "project", theirs: theirLabel)

        for path in ExactPath.sortedUnique(baseFiles.keys + theirs.files.keys) {
            let base = baseFiles[path].map { UpdateDecision.Version(bytes: $0.bytes, mode: $0.mode) }
            let new = theirs.files[path].map { UpdateDecision.Version(bytes: $0.bytes, mode: $0.mode) }
            let ours = ProjectFiles.read(project + "/" + path).map { UpdateDecision.Version(bytes: $0.bytes, mode: $0.mode) }
            let decision = UpdateDecision.decide(base: base, new: new, ours: ours, recorded: record.checksums[path] != nil,
                                                 skipIfExists: theirs.skipIfExists.contains(path),
                                                 keptOwned: keepOwned && theirs.ownsPath(path))
            switch decision {
            case .leave:
                continue
            case .changeMode(let mode):
                if let ours { writes.append((path, ours.bytes, mode)) }
            case .remove:
                removals.append(path)
                actions.append(.init(path: path, kind: .removed, note: "the template no longer generates it"))
            case .keepChangedRemoved:
                actions.append(.init(path: path, kind: .keptChanged, note: "the template removed it; kept because you changed it"))
            case .keepOwned:
                actions.append(.init(path: path, kind: .keptChanged, note: "project-owned; left as it is (--keep-owned)"))
            case .create:
                if let new { writes.append((path, new.bytes, new.mode)) }
                actions.append(.init(path: path, kind: .created, note: ""))
            case .keepDeleted:
                actions.append(.init(path: path, kind: .keptDeleted, note: "you deleted it; the template changed it (not restored)"))
            case .replace(let mode):
                if let new { writes.append((path, new.bytes, mode)) }
                actions.append(.init(path: path, kind: .updated, note: ""))
            case .conflictNewFile:
                // A path the template newly generates, where the project already has a file of
                // its own (untracked or ignored): the user's bytes stay, the template's go beside.
                guard let new else { continue }
                let side = Self.freeSideCopy(for: path, in: project, taken: writes.map(\.path))
                writes.append((side, new.bytes, new.mode))
                actions.append(.init(path: path, kind: .conflict, note: "the template now generates this file and yours was kept; the template's version is in \(side)"))
            case .conflictBinary:
                guard let new else { continue }
                let side = Self.freeSideCopy(for: path, in: project, taken: writes.map(\.path))
                writes.append((side, new.bytes, new.mode))
                actions.append(.init(path: path, kind: .conflict, note: "binary file changed on both sides; the template's version is in \(side)"))
            case .merge(let mode):
                guard let base, let new, let ours else { continue }
                let merged = try FileMerge.merge(base: base.bytes, ours: ours.bytes, theirs: new.bytes, labels: labels)
                writes.append((path, merged.content, mode))
                actions.append(.init(path: path, kind: merged.hasConflicts ? .conflict : .merged,
                                     note: merged.hasConflicts ? "conflict markers left in the file" : "your changes and the template's were combined"))
            }
        }
        for (path, secret) in theirs.secrets.sorted(by: { $0.key < $1.key }) where ProjectFiles.read(project + "/" + path) == nil {
            writes.append((path, secret.bytes, 0o600))
            actions.append(.init(path: path, kind: .created, note: "secret"))
        }

        // The record: new answers and commit; checksums of what the template now generates.
        let toCommit = try RecordRewrite.append(to: &writes, record: record, project: project, tree: theirsTree,
                                                rendered: theirs, removals: removals)

        var report = UpdateReport(project: project, fromCommit: record.commit, toCommit: toCommit,
                                  toRef: theirsTree.revision?.ref ?? theirsTree.source, actions: actions, migrations: ran,
                                  base: baseSource)
        report.newAnswers = newAnswers.taken
        report.messageBeforeUpdate = theirs.prepared.messageBeforeUpdate
        report.messageAfterUpdate = theirs.prepared.messageAfterUpdate
        report.template = record.template
        if pretend {
            report.pretended = true
            return report
        }
        try regeneration.apply(writes: writes, removals: removals)
        // Folders the removals left empty go too, unless the new version generates them.
        let plannedFolders = Set(theirs.prepared.plan.items.filter { $0.kind == .directory }.map { ExactPath($0.path) })
        var emptied: [String] = []
        for path in removals {
            var folder = TemplatePath.parent(path)
            while !folder.isEmpty, !plannedFolders.contains(ExactPath(folder)), !emptied.contains(folder),
                  rmdir(project + "/" + folder) == 0 {
                emptied.append(folder)
                folder = TemplatePath.parent(folder)
            }
        }
        report.actions += emptied.map { UpdateAction(path: $0 + "/", kind: .removed, note: "an empty folder the template no longer generates") }
        var notes: [String] = []
        // The new version's pristine render becomes the next update's merge base.
        if let note = regeneration.keepBase(record, commit: toCommit, rendered: theirs) { notes.append(note) }
        if let migrations {
            ran += try migrations.run(stage: "after", project: project, context: migrationContext,
                                      environment: theirs.prepared.environment, runner: runner).map { "after: " + $0 }
        }
        report.migrations = ran
        report.notes = notes
        return report
    }

    // MARK: - Steps

    /// The files the recorded template version generated, from the best source there is: the
    /// pristine render kept under `refs/mlrepro/base` (exact, whatever happened to the template or to
    /// mlrepro since); a git template rendered again at the recorded commit; else the project's own
    /// files whose checksum still matches the record (exactly what was generated), and for the others
    /// the commit `init` made. A template whose hooks reshape its output (cookiecutter's
    /// `post_gen_project`) has no kept base: what it generated depends on the hook. A render shares
    /// `budget` with the new version's.
    private func baseFiles(_ record: ProjectRecord, tree: TemplateTree?, budget: RenderBudget,
                           hookShaped: Bool) throws -> (PathMap<RegeneratedProject.File>, MergeBaseSource) {
        if !hookShaped, let stored = PristineBase.stored(for: record) { return (stored, .recorded) }
        if let tree {
            return (try regeneration.render(record, tree: tree, budget: budget, asRecorded: true).files, .template)
        }
        var files = PathMap<RegeneratedProject.File>()
        for (path, digest) in record.checksums where !path.hasPrefix(GenerationPlan.recordDirectory + "/") {
            guard let contents = ProjectFiles.read(regeneration.project + "/" + path), SHA256.hex(contents.bytes) == digest else { continue }
            files[path] = RegeneratedProject.File(bytes: contents.bytes, mode: contents.mode)
        }
        var source = MergeBaseSource.unchangedFiles
        if !hookShaped, let initial = PristineBase.fromHistory(for: record) {
            for (path, file) in initial where files[path] == nil && record.checksums[path] != nil {
                files[path] = file
                source = .initialCommit
            }
        }
        return (files, source)
    }

    /// Refuses a project outside git or with uncommitted changes: every change `update` and
    /// `recopy` make must be reviewable (`git diff`) and undoable.
    package static func requireCleanTree(_ project: String) throws {
        guard let repository = try? GitRepository.open(at: project, searchParents: true),
              let root = repository.workingDirectory else {
            throw UpdateError.notUnderGit(project)
        }
        let rootPath = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        let projectPath = URL(fileURLWithPath: project).resolvingSymlinksInPath().path
        let prefix = projectPath == rootPath ? "" : String(projectPath.dropFirst(rootPath.count + 1)) + "/"
        let dirty = try repository.status().map(\.path).filter { prefix.isEmpty || $0.hasPrefix(prefix) }
        if !dirty.isEmpty { throw UpdateError.dirty(project, dirty) }
    }

    /// `path.mlrepro-theirs`, or the first of `.mlrepro-theirs-2`, `-3`, ... that neither the
    /// project nor this update already uses: a side copy never overwrites a file.
    static func freeSideCopy(for path: String, in project: String, taken: [String]) -> String {
        var candidate = path + ".mlrepro-theirs"
        var number = 2
        var info = stat()
        while lstat(project + "/" + candidate, &info) == 0 || taken.contains(candidate) {
            candidate = path + ".mlrepro-theirs-\(number)"
            number += 1
        }
        return candidate
    }
}

/// The answers `update` took for questions the record left open, in the order they came.
private final class NewAnswers: @unchecked Sendable {
    private(set) var taken: [(name: String, value: Value, asked: Bool)] = []

    func answer(_ pending: PendingQuestion, ask: ((PendingQuestion) throws -> Value)?) throws -> Value {
        let name = pending.question.name
        if let earlier = taken.first(where: { $0.name == name }) { return earlier.value }
        // Secret answers are never recorded, so every update would find them open: their default
        // is used as before, without asking or listing them.
        if pending.question.secret {
            guard let value = pending.defaultValue else { throw GenerationError.missingAnswer(key: name) }
            return value
        }
        if let ask {
            let value = try ask(pending)
            taken.append((name, value, true))
            return value
        }
        guard let value = pending.defaultValue else { throw GenerationError.missingAnswer(key: name) }
        taken.append((name, value, false))
        return value
    }
}
