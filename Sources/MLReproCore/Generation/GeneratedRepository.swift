import Foundation
import GitSupport
import TemplateEngine

/// The git side of `init`: the generated project becomes a repository with one commit.
package enum GeneratedRepository {
    /// What `commit(at:template:ref:)` did.
    package enum Outcome: Sendable, Equatable {
        case committed(commit: String, author: GitSignature, usedFallbackAuthor: Bool)
        /// DEST already is or lies inside a repository: nothing was initialised or committed.
        case insideRepository(String)
    }

    /// The commit message `init` writes.
    package static func message(template: String, ref: String) -> String {
        "Generate project with mlrepro \(MLReproVersion.current) from \(template)@\(ref)\n"
    }

    /// The `@ref` part of the message: the git ref, else the mlrepro version for a built-in
    /// template, else the start of the content hash.
    package static func refLabel(for tree: TemplateTree) -> String {
        if let revision = tree.revision { return revision.dirty ? revision.ref + "+dirty" : revision.ref }
        if tree.origin.hasPrefix("built-in:") { return MLReproVersion.current }
        return String(tree.contentHash.prefix(19))
    }

    /// The git step done in the staging directory, so that the repository and its commit
    /// arrive in DEST with the files in one move (and vanish with them on interruption).
    /// Returns nil when DEST already exists with content: that case is handled after the move
    /// by `commit(at:template:ref:)`.
    package static func commitStaged(_ staging: String, destination: String, template: String,
                                    ref: String) throws -> Outcome? {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory) {
            let empty = isDirectory.boolValue && ((try? FileManager.default.contentsOfDirectory(atPath: destination))?.isEmpty ?? false)
            if !empty { return nil }
        }
        let parent = (destination as NSString).deletingLastPathComponent
        if let enclosing = try? GitRepository.open(at: parent, searchParents: true), let root = enclosing.workingDirectory {
            return .insideRepository(root)
        }
        return try commit(at: staging, template: template, ref: ref, searchAbove: false)
    }

    /// Initialises `destination` as a repository (unless it already is one or lies inside one:
    /// committing there could sweep in the user's own changes), stages `paths` (every file not
    /// git-ignored when nil: the staging directory holds only generated files) and commits them
    /// with the author from the environment or git config, else `GitSignature.fallback`.
    package static func commit(at destination: String, template: String, ref: String,
                              paths: [String]? = nil, searchAbove: Bool = true) throws -> Outcome {
        if searchAbove, let enclosing = try? GitRepository.open(at: destination, searchParents: true),
           let root = enclosing.workingDirectory {
            return .insideRepository(root)
        }
        // A `.git` that is no repository here was left by template code (a hook in the staging
        // folder, a task in DEST): a link or a `gitdir:` file would send the repository's files
        // elsewhere, so nothing is initialised through it.
        var info = stat()
        if lstat(destination + "/.git", &info) == 0 {
            throw GenerationError.writeFailed(path: destination + "/.git", reason: "it was not made by mlrepro and is no repository "
                + "(a link, file or folder left by the template's hooks or tasks); refusing to create a repository through it")
        }
        do {
            let repository = try GitRepository.initialize(at: destination)
            if let paths { try repository.add(paths: paths) } else { try repository.addAll() }
            let author = GitSignature.author(for: repository)
            let id = try repository.commit(message: message(template: template, ref: ref), author: author.signature)
            return .committed(commit: id.hex, author: author.signature, usedFallbackAuthor: author.usedFallback)
        } catch let error as GitError {
            if case .libraryUnavailable = error {
                throw GenerationError.gitUnavailable(error.description)
            }
            throw GenerationError.writeFailed(path: destination, reason: "the files were generated, but \(error)")
        }
    }

    /// The message of the commit that holds what the template's tasks changed.
    package static let tasksMessage = "Run the template's tasks\n"

    /// After the template's `_tasks` ran in DEST, commits what they changed (a `chmod +x`, a
    /// lock file) in the repository `init` made, so that a new project starts clean. Returns
    /// the commit id, or nil when the tasks changed nothing. The repository must still be the
    /// one `init` made: a `.git` that a task replaced by a link or a file is refused, as
    /// `commit(at:)` refuses one.
    package static func commitTaskChanges(at destination: String, author: GitSignature) throws -> String? {
        var info = stat()
        guard lstat(destination + "/.git", &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw GenerationError.writeFailed(path: destination + "/.git", reason: "the template's tasks replaced the repository "
                + "mlrepro made; their changes were not committed")
        }
        do {
            let repository = try GitRepository.open(at: destination, searchParents: false)
            guard try repository.isDirty() else { return nil }
            try repository.addAll()
            return try repository.commit(message: tasksMessage, author: author).hex
        } catch let error as GitError {
            throw GenerationError.writeFailed(path: destination, reason: "the tasks ran, but committing their changes failed: \(error)")
        }
    }

    /// Records in the answers that a dirty template working tree was rendered.
    package static func annotate(_ prepared: inout PreparedGeneration) {
        if prepared.request.tree.revision?.dirty == true {
            prepared.answers.recorded["_template_dirty"] = .bool(true)
        }
        recordCheckout(&prepared.answers.recorded, prepared)
    }

    /// A cookiecutter template read at an asked ref records it as `_checkout` (cruft's `checkout`),
    /// so that `check` renders `{{ cookiecutter._checkout }}` as it was and `update` follows it;
    /// a template with several manifests records the format it was read as (`_format`).
    static func recordCheckout(_ recorded: inout OrderedMapping, _ prepared: PreparedGeneration) {
        if prepared.manifest.answersNamespace == "cookiecutter", let asked = prepared.request.tree.revision?.requested {
            recorded["_checkout"] = .string(asked)
        }
        // A template with manifests of several formats is read again as the format it was read as.
        let tree = prepared.request.tree
        if TemplateFormats.present(in: tree).count > 1, let format = TemplateFormats.detect(tree)?.format.name {
            recorded["_format"] = .string(format)
        }
    }
}
