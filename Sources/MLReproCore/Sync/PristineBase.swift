import Foundation
import GitSupport
import Prompting
import TemplateEngine

/// The merge base `update` needs: the files the recorded template version generated, exactly as
/// it generated them, kept in the project's own git repository.
///
/// `init` and every `update` write them as a commit that no branch points to, under the private
/// reference `refs/mlrepro/base` (a project in a subfolder of a repository gets
/// `refs/mlrepro/base-<hash of the folder>`), each update's commit a child of the previous one.
/// A template recorded apart (`RecordLayout`, `.mlrepro/answers.NAME.yml`) keeps its own base under
/// `refs/mlrepro/records/NAME/base` (with the same suffix in a subfolder).
/// The commit's message names the template and commit it is the render of (`Template-Commit:`),
/// and `update` uses it only when that equals the record's `_commit` (walking back through earlier
/// bases after a `git reset` undid an update). The working tree, index, HEAD and branches are never
/// touched, and private references are neither pushed nor fetched by default.
///
/// For a project made before this existed, the commit `init` made ("Generate project with mlrepro
/// ...") is the next best base: see `fromHistory`.
package enum PristineBase {
    package static let reference = "refs/mlrepro/base"
    static let commitTrailer = "Template-Commit: "
    /// Bounds on what is read back from a base commit (it is the project's, hence untrusted).
    static let maxFiles = 100_000
    static let maxBytes = 2 << 30
    /// How many earlier bases, or commits of history, are looked at.
    static let maxWalk = 10_000

    /// The repository holding `project`, the project's folder in it ("" at the root) and the name of
    /// its base reference; nil when the project is in no repository (or libgit2 is unavailable).
    static func location(of project: String, layout: RecordLayout = .standard) -> (repository: GitRepository, folder: String, reference: String)? {
        let reference = layout.baseReference
        guard let repository = try? GitRepository.open(at: project, searchParents: true),
              let root = repository.workingDirectory else { return nil }
        let rootPath = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        let projectPath = URL(fileURLWithPath: project).resolvingSymlinksInPath().path
        if projectPath == rootPath { return (repository, "", reference) }
        guard projectPath.hasPrefix(rootPath + "/") else { return nil }
        let folder = String(projectPath.dropFirst(rootPath.count + 1))
        return (repository, folder, reference + "-" + String(SHA256.hex(Array(folder.utf8)).prefix(16)))
    }

    /// Records `files` as the pristine render of `template` at `commit` for the project. Returns
    /// false when the project is in no git repository (nothing to record into).
    @discardableResult
    package static func record(project: String, template: String, commit: String,
                              files: [(path: String, bytes: [UInt8], mode: UInt16)], layout: RecordLayout = .standard) throws -> Bool {
        guard let (repository, _, name) = location(of: project, layout: layout) else { return false }
        let shownTemplate = TerminalText.visible(template, keepingNewlines: false)
        let shownCommit = TerminalText.visible(commit, keepingNewlines: false)
        let message = """
            mlrepro base: \(shownTemplate) at \(TemplateRevision.label(commit))

            The files the template generated for this project, as it rendered them, before any edit:
            'mlrepro update' merges the next version against them. Kept under \(name), on no branch.

            \(commitTrailer)\(shownCommit)

            """
        let contents = files.filter { !$0.path.hasPrefix(GenerationPlan.recordDirectory + "/") }.map { file in
            GitFileContent(path: file.path, kind: file.mode == PlannedItem.linkMode ? .symlink : (file.mode & 0o111 != 0 ? .executable : .regular),
                           bytes: file.bytes)
        }
        let author = GitSignature.author(for: repository).signature
        try repository.writeSnapshot(contents, message: message, parent: repository.referencedCommit(name),
                                     reference: name, author: author)
        return true
    }

    /// What `init` just wrote of `prepared`'s plan, read back before any task runs: the pristine
    /// render to record. Secret files and files `_skip_if_exists` kept are not part of it.
    package static func written(_ prepared: PreparedGeneration, kept: [String]) -> [(path: String, bytes: [UInt8], mode: UInt16)] {
        let keptPaths = Set(kept)
        let destination = prepared.request.destination
        return prepared.plan.files.compactMap { item in
            guard !item.isSecret, !keptPaths.contains(item.path),
                  let contents = ProjectFiles.read(destination + "/" + item.path) else { return nil }
            return (item.path, contents.bytes, contents.mode)
        }
    }

    /// The base recorded for `record`'s template commit, if the project's repository has one.
    static func stored(for record: ProjectRecord) -> PathMap<RegeneratedProject.File>? {
        guard let (repository, _, name) = location(of: record.project, layout: record.layout) else { return nil }
        var candidate = repository.referencedCommit(name)
        let wanted = commitTrailer + TerminalText.visible(record.commit, keepingNewlines: false)
        var steps = 0
        while let commit = candidate, steps < maxWalk {
            steps += 1
            guard let message = try? repository.message(of: commit) else { return nil }
            if message.split(separator: "\n").contains(where: { $0 == wanted }) {
                return try? files(repository.fileContents(at: commit, under: "", limit: maxFiles, byteLimit: maxBytes), record: record)
            }
            candidate = try? repository.firstParent(of: commit)
        }
        return nil
    }

    /// For a project made before bases were recorded: the commit `init` made, newest first among
    /// those reachable from HEAD, as the project's folder held it. Its files are the pristine render
    /// of the version the project was made with (a base at least as old as the recorded one).
    static func fromHistory(for record: ProjectRecord) -> PathMap<RegeneratedProject.File>? {
        guard let (repository, folder, _) = location(of: record.project, layout: record.layout),
              let commits = try? repository.commitsFromHead(limit: maxWalk, where: { $0.hasPrefix("Generate project with mlrepro ") }) else {
            return nil
        }
        for commit in commits {
            guard let contents = try? repository.fileContents(at: commit, under: folder, limit: maxFiles, byteLimit: maxBytes),
                  contents.contains(where: { $0.path == record.layout.answersPath }) else { continue }
            return files(contents, record: record)
        }
        return nil
    }

    /// The generated files among `contents`: the record itself, paths a record may not name and
    /// paths under `_skip` are left out.
    private static func files(_ contents: [GitFileContent], record: ProjectRecord) -> PathMap<RegeneratedProject.File> {
        let skipped = PathPatterns(record.skip)
        var files = PathMap<RegeneratedProject.File>()
        for file in contents {
            if file.path.hasPrefix(GenerationPlan.recordDirectory + "/") || RecordInput.problem(with: file.path) != nil { continue }
            if skipped.matches(file.path, isDirectory: false) { continue }
            let mode: UInt16 = switch file.kind {
            case .regular: 0o644
            case .executable: 0o755
            case .symlink: PlannedItem.linkMode
            }
            files[file.path] = RegeneratedProject.File(bytes: file.bytes, mode: mode)
        }
        return files
    }
}
