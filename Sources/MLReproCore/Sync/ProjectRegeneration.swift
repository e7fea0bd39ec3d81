import Foundation
import TemplateEngine

/// A template rendered in memory for an existing project: what `init` would write now.
public struct RegeneratedProject: Sendable {
    public struct File: Sendable, Equatable {
        public var bytes: [UInt8]
        public var mode: UInt16
    }

    public var tree: TemplateTree
    public var prepared: PreparedGeneration
    /// Every generated file that `check` and `update` compare, by path.
    public var files: PathMap<File>
    /// Secret files (`_secret_files`): rendered only for `update` to create when absent.
    public var secrets: PathMap<File>
    /// `_skip_if_exists` matches: the project owns them once they exist.
    public var skipIfExists: Set<String>

    /// Renders `tree` for the project at `project` with `inputs` and the recorded environment.
    /// `_skip` patterns leave files out entirely.
    /// Tasks never run here; `trust` lets the template's Python extensions run (`--trust`).
    public static func render(tree: TemplateTree, project: String, inputs: AnswerInputs,
                              environmentJSON: String, skip: [String], trust: Bool = false) throws -> RegeneratedProject {
        var request = GenerationRequest(destination: project, tree: tree, inputs: inputs,
                                        environmentJSON: environmentJSON, git: GitIdentity.fromGitConfig(),
                                        vcsRef: tree.revision?.commit, force: true, trust: trust)
        request.skipTasks = true
        let prepared = try ProjectGenerator.prepare(request)
        let skipped = PathPatterns(skip)
        let items = prepared.plan.files.filter { !skipped.matches($0.path, isDirectory: false) }
        let contents = try FileRenderer(tree: tree, environment: prepared.environment,
                                     keepsSourceLineEndings: prepared.manifest.keepsSourceLineEndings)
            .contents(of: items, context: prepared.context)
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
        return RegeneratedProject(tree: tree, prepared: prepared, files: files, secrets: secrets, skipIfExists: skipIfExists)
    }
}

/// Finds the template a project records, at the recorded commit or another ref.
public struct RecordedTemplate: Sendable {
    public var git: GitTemplateLoader
    /// `--trust`: the template's Python extensions may run while it is rendered again.
    public var trust: Bool

    public init(git: GitTemplateLoader = GitTemplateLoader(), trust: Bool = false) {
        self.git = git
        self.trust = trust
    }

    /// The template at `ref`; without one, the recorded commit of a git template (or, with
    /// `latest`, its newest version tag, else HEAD). Built-in and directory templates have
    /// only their current content.
    public func load(_ record: ProjectRecord, ref: String? = nil, latest: Bool = false) throws -> TemplateTree {
        var tree = try find(record, ref: ref, latest: latest)
        if let entry = record.answers.entry("_src_path"), case .string(let given) = entry.value { tree.requestedSource = given }
        return tree
    }

    private func find(_ record: ProjectRecord, ref: String?, latest: Bool) throws -> TemplateTree {
        let parent = (record.project as NSString).deletingLastPathComponent
        let workingDirectory = FileManager.default.currentDirectoryPath
        // A relative template path is tried from the current directory, then beside the project.
        var base = workingDirectory
        var source = try TemplateSource.classify(record.template, relativeTo: workingDirectory)
        if case .directory(let path) = source, !FileManager.default.fileExists(atPath: path), !record.template.hasPrefix("/") {
            base = parent
            source = try TemplateSource.classify(record.template, relativeTo: parent)
        }
        switch source {
        case .localRepository, .remote:
            let wanted = ref ?? (!latest ? record.generatedRef : nil)
            do {
                return try git.load(source, spec: record.template, ref: wanted)
            } catch GitTemplateError.unknownRef(let spec, let missing) where ref == nil && missing == record.commit {
                throw GitTemplateError.commitUnavailable(source: spec, commit: missing)
            }
        case .builtin, .directory:
            if ref != nil { throw GitTemplateError.refNeedsGit(record.template) }
            do {
                return try TemplateLocator.locate(record.template, workingDirectory: base)
            } catch let error as GenerationError {
                throw TemplateUnavailable(template: record.template, reason: error.description)
            }
        }
    }
}

/// The recorded template cannot be found.
public struct TemplateUnavailable: Error, Sendable, CustomStringConvertible {
    public var template: String
    public var reason: String
    public var description: String { "the project's template '\(template)' is unavailable: \(reason)" }
}
