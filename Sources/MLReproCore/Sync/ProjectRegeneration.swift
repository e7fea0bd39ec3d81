import Foundation
import TemplateEngine

/// A template rendered in memory for an existing project: what `init` would write now.
package struct RegeneratedProject: Sendable {
    package struct File: Sendable, Equatable {
        package var bytes: [UInt8]
        package var mode: UInt16
    }

    package var tree: TemplateTree
    package var prepared: PreparedGeneration
    /// Every generated file that `check` and `update` compare, by path.
    package var files: PathMap<File>
    /// Secret files (`_secret_files`): rendered only for `update` to create when absent.
    package var secrets: PathMap<File>
    /// `_skip_if_exists` matches: the project owns them once they exist.
    package var skipIfExists: Set<String>
    /// `_project_owned`: the generated files that are the project's own (see `ownsPath`).
    package var projectOwned = PathPatterns([])
    /// For the user: the template's post-generation hooks were not run (no `--trust`).
    package var notes: [String] = []
    /// The template has a hook that shapes its output, and it did not run (no `--trust`).
    package var hooksSkipped = false
    /// Large files copied as they are, compared in chunks by `check` (rendered with
    /// `streamingCopies`); their `files` entries hold no bytes.
    package var streamed = PathMap<TemplateEntry>()

    /// Renders `tree` for the project at `project` with `inputs` and the recorded environment.
    /// `_skip` patterns leave files out entirely.
    /// `_tasks` never run here, except hooks that shape the output (cookiecutter's
    /// `post_gen_project`), which run with `trust` on the render in a scratch folder; `trust`
    /// also lets the template's Python extensions run (`--trust`). `budget`: what the renders
    /// may spend (shared with other renders the caller keeps at the same time).
    /// `layout`: the record's, which names the copier answers file the template writes.
    /// With `streamingCopies`, a large file copied as it is stays in the template (`streamed`)
    /// instead of being read whole, unless hooks that shape the output run on the render.
    package static func render(tree: TemplateTree, project: String, inputs: AnswerInputs,
                              environmentJSON: String, skip: [String], trust: Bool = false,
                              layout: RecordLayout = .standard, streamingCopies: Bool = false, budget: RenderBudget? = nil,
                              runner: any ProcessRunning = SystemProcessRunner(),
                              resolving: ((AnswerResolver, AnswerInputs) throws -> ResolvedAnswers)? = nil) throws -> RegeneratedProject {
        var request = GenerationRequest(destination: project, tree: tree, inputs: inputs,
                                        environmentJSON: environmentJSON, git: GitIdentity.fromGitConfig(),
                                        vcsRef: tree.revision?.commit, force: true, trust: trust)
        // Without trust no task is even prepared; with it only output-shaping ones are run below.
        request.skipTasks = !trust
        request.renderBudget = budget
        // The record's layout names copier's answers file as the project has it (`.copier-answers.NAME.yml`).
        request.layout = layout
        let prepared = try ProjectGenerator.prepare(request, resolving: resolving)
        let skipped = PathPatterns(skip)
        let items = prepared.plan.files.filter { !skipped.matches($0.path, isDirectory: false) }
        let streams = streamingCopies && !(prepared.manifest.tasksShapeOutput && trust)
        let sources = items.map { item in
            streams && item.kind == .copy && !item.isSecret
                ? prepared.tree.entry(at: item.source).flatMap { $0.isStreamed ? $0 : nil } : nil
        }
        let rendered = try FileRenderer(tree: prepared.tree, environment: prepared.environment,
                                        keepsSourceLineEndings: prepared.manifest.keepsSourceLineEndings,
                                    lineEnding: prepared.manifest.lineEnding)
            .contents(of: zip(items, sources).filter { $0.1 == nil }.map(\.0), context: prepared.context)
        var next = rendered.makeIterator()
        let contents = sources.map { $0 == nil ? next.next() ?? [] : [] }
        var streamed = PathMap<TemplateEntry>()
        for (item, source) in zip(items, sources) { if let source { streamed[item.path] = source } }
        var files = PathMap<File>()
        var secrets = PathMap<File>()
        var skipIfExists = Set<String>()
        for (item, bytes) in zip(items, contents) {
            if item.isSecret {
                secrets[item.path] = File(bytes: bytes, mode: 0o600)
                continue
            }
            files[item.path] = File(bytes: bytes, mode: item.mode)
            if item.skipIfExists { skipIfExists.insert(item.path) }
        }
        var regenerated = RegeneratedProject(tree: tree, prepared: prepared, files: files, secrets: secrets, skipIfExists: skipIfExists)
        regenerated.streamed = streamed
        if prepared.manifest.tasksShapeOutput {
            if !trust {
                regenerated.hooksSkipped = true
                regenerated.notes.append("the template's post_gen_project hook was not run, so files it changes or removes show as drift; pass --trust to run it on the comparison copy")
            } else if !prepared.tasks.isEmpty {
                try regenerated.runShapingTasks(items: items, contents: contents, runner: runner)
            }
        }
        regenerated.projectOwned = PathPatterns(prepared.manifest.projectOwned)
        return regenerated
    }

    /// True when the template declares `path` the project's own (`_project_owned`).
    package func ownsPath(_ path: String) -> Bool { projectOwned.matches(path, isDirectory: false) }

    /// Writes the render to a scratch folder, runs the prepared tasks there (in the folder's
    /// place of DEST) and reads back what they leave as the files to compare.
    private mutating func runShapingTasks(items: [PlannedItem], contents: [[UInt8]], runner: any ProcessRunning) throws {
        let manager = FileManager.default
        let scratch = manager.temporaryDirectory.appendingPathComponent("mlrepro-regenerate-\(UUID().uuidString)").path
        defer { try? manager.removeItem(atPath: scratch) }
        try manager.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let mask = umask(0)
        umask(mask)
        for (item, bytes) in zip(items, contents) where !item.isSecret {
            let path = scratch + "/" + item.path
            try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if let reason = StagedTree.writeFile(path, bytes, mode: item.mode, umask: mask) {
                throw GenerationError.writeFailed(path: path, reason: reason)
            }
        }
        let destination = prepared.request.destination
        for (index, task) in prepared.tasks.enumerated() {
            let directory = scratch + task.directory.dropFirst(destination.count)
            let status = try runner.run(task.command, in: directory,
                                        environment: ProjectGenerator.hookEnvironment(hooks: prepared.manifest.tasksAreHooks))
            guard status == 0 else {
                throw GenerationError.taskFailed(index: index + 1, command: task.command.display, status: status)
            }
        }
        var shaped = PathMap<File>()
        for (path, old) in files {
            guard ProjectPaths.symbolicLink(in: TemplatePath.parent(path), under: scratch) == nil,
                  let contents = ProjectFiles.read(scratch + "/" + path) else { continue }
            shaped[path] = File(bytes: contents.bytes, mode: old.mode == PlannedItem.linkMode ? old.mode : contents.mode)
        }
        // Files the hooks created are generated files too, except what no generated file may be:
        // anything in a version-control folder or in `.mlrepro/`, names the planner would refuse,
        // and links that lead out of the project (the walk never follows a link).
        for relative in try Self.hookOutput(in: scratch) where shaped[relative] == nil {
            if RecordInput.problem(with: relative) != nil { continue }
            if let first = relative.split(separator: "/").first, GenerationPlanner.fold(first) == GenerationPlan.recordDirectory { continue }
            guard let contents = ProjectFiles.read(scratch + "/" + relative) else { continue }
            if contents.mode == PlannedItem.linkMode,
               GenerationPlanner.linkProblem(String(decoding: contents.bytes, as: UTF8.self), at: relative) != nil { continue }
            shaped[relative] = File(bytes: contents.bytes, mode: contents.mode)
        }
        files = shaped
    }

    /// Every file and link below `root`, as relative paths, without following links; bounded like
    /// a template (`TemplateTree`'s limits): a hook that leaves more is an error.
    static func hookOutput(in root: String) throws -> [String] {
        var found: [String] = []
        var folders: [(relative: String, depth: Int)] = [("", 0)]
        while let (folder, depth) = folders.popLast() {
            let absolute = folder.isEmpty ? root : root + "/" + folder
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: absolute) else { continue }
            for name in names {
                let relative = folder.isEmpty ? name : folder + "/" + name
                var info = stat()
                guard lstat(root + "/" + relative, &info) == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFDIR {
                    if depth + 1 > GenerationPlanner.maxDepth {
                        throw GenerationError.writeFailed(path: relative, reason: "the post_gen_project hook left folders more than \(GenerationPlanner.maxDepth) deep")
                    }
                    folders.append((relative, depth + 1))
                } else {
                    found.append(relative)
                }
                if found.count + folders.count > Self.maxHookEntries {
                    throw GenerationError.writeFailed(path: relative, reason: "the post_gen_project hook left more than \(Self.maxHookEntries) files")
                }
            }
        }
        return found
    }

    /// The most files a shaping hook may leave in the comparison copy.
    static let maxHookEntries = 100_000
}

/// Finds the template a project records, at the recorded commit or another ref.
package struct RecordedTemplate: Sendable {
    package var git: GitTemplateLoader
    /// `--trust`: the template's Python extensions may run while it is rendered again.
    package var trust: Bool
    /// `--template SRC`: where the template is now, instead of the recorded `_template` (a folder
    /// template that moved, a mirror of a git template); `update` records it.
    package var override: String?

    package init(git: GitTemplateLoader = GitTemplateLoader(), trust: Bool = false, override: String? = nil) {
        self.git = git
        self.trust = trust
        self.override = override
    }

    /// The template at `ref`; without one, the recorded commit of a git template (or, with
    /// `latest`, its newest version tag, else HEAD). Built-in and directory templates have
    /// only their current content.
    package func load(_ record: ProjectRecord, ref: String? = nil, latest: Bool = false) throws -> TemplateTree {
        var tree = try find(record, ref: ref, latest: latest)
        if let entry = record.answers.entry("_src_path"), case .string(let given) = entry.value { tree.requestedSource = given }
        // At the recorded commit the template sees the ref the project was generated from.
        if ref == nil { tree.revision?.requested = Self.recordedCheckout(record) }
        return tree
    }

    /// The ref a cookiecutter project was generated from when one was asked for: `_checkout` of
    /// mlrepro's record, cruft's `checkout`.
    static func recordedCheckout(_ record: ProjectRecord) -> String? {
        if let entry = record.answers.entry("_checkout"), case .string(let asked) = entry.value, !asked.isEmpty { return asked }
        return nil
    }

    /// The project's record, with `_template` replaced by `override` when there is one.
    package func record(of project: String, answersFile: String? = nil) throws -> ProjectRecord {
        var record = try ProjectRecord.load(project: project, answersFile: answersFile)
        if let override {
            if override.hasPrefix("-") { throw TemplateUnavailable(template: override, reason: "it looks like an option") }
            // A folder or local repository is recorded by its absolute path, as init records it.
            switch try TemplateSource.classify(override, relativeTo: FileManager.default.currentDirectoryPath) {
            case .directory(let path), .localRepository(let path): record.template = path
            case .builtin, .remote: record.template = override
            }
        }
        return record
    }

    /// Where the recorded template is, and the folder a relative template path is read from: the
    /// current directory, else the project's parent folder.
    func source(of record: ProjectRecord) throws -> (source: TemplateSource, base: String) {
        let parent = (record.project as NSString).deletingLastPathComponent
        let workingDirectory = FileManager.default.currentDirectoryPath
        // `../tpl`: recorded relative to the project (a template folder beside it).
        if record.template.hasPrefix("../") {
            let path = TemplateLocator.resolveRecorded(record.template, project: record.project)
            if FileManager.default.fileExists(atPath: path) {
                return (try TemplateSource.classify(path, relativeTo: workingDirectory), record.project)
            }
        }
        let source = try TemplateSource.classify(record.template, relativeTo: workingDirectory)
        if case .directory(let path) = source, !FileManager.default.fileExists(atPath: path), !record.template.hasPrefix("/") {
            return (try TemplateSource.classify(record.template, relativeTo: parent), parent)
        }
        return (source, workingDirectory)
    }

    /// The format a project was generated as, for a template with manifests of several formats:
    /// mlrepro's `_format`; a project copier or cruft made is of that tool's format.
    static func recordedFormat(_ record: ProjectRecord) -> String? {
        if let entry = record.answers.entry("_format"), case .string(let name) = entry.value,
           TemplateFormats.names.contains(name) { return name }
        switch record.madeBy {
        case .cruft: return "cookiecutter"
        case .copier: return "copier"
        case .mlrepro: return nil
        }
    }

    private func find(_ record: ProjectRecord, ref: String?, latest: Bool) throws -> TemplateTree {
        var git = git
        if git.format == nil { git.format = Self.recordedFormat(record) }
        let (source, base) = try source(of: record)
        switch source {
        case .localRepository, .remote:
            // The latest version is the newest on the ref the project follows (cruft's `checkout`).
            let wanted = ref ?? (!latest ? record.generatedRef : Self.recordedCheckout(record))
            do {
                return try git.load(source, spec: record.template, ref: wanted, namedOnCommandLine: override != nil)
            } catch GitTemplateError.unknownRef(let spec, let missing) where ref == nil && missing == record.commit {
                throw GitTemplateError.commitUnavailable(source: spec, commit: missing)
            }
        case .builtin, .directory:
            if ref != nil { throw GitTemplateError.refNeedsGit(record.template) }
            do {
                // Only `--template` read from the command line may name a folder without a manifest.
                return try TemplateLocator.locate(record.template, workingDirectory: base, git: git,
                                                  namedOnCommandLine: override != nil)
            } catch let error as GenerationError {
                throw TemplateUnavailable(template: record.template, reason: error.description)
            }
        }
    }
}

/// The recorded template cannot be found.
package struct TemplateUnavailable: Error, Sendable, CustomStringConvertible {
    package var template: String
    package var reason: String
    package var description: String { "the project's template '\(template)' is unavailable: \(reason)" }
}
