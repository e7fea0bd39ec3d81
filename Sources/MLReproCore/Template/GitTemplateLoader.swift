import Foundation
import GitSupport

/// Reads git templates into a `TemplateTree` whose `revision` says which commit it is.
package struct GitTemplateLoader: Sendable {
    package var cache: TemplateCache
    /// Called with a line to show the user (a fetch that failed but a cached copy was used, ...).
    package var warn: @Sendable (String) -> Void
    /// `--format`: the format to read a template with manifests of several formats as (it decides
    /// the default ref too); nil for the first one `TemplateFormats.all` recognises.
    package var format: String?

    package init(cache: TemplateCache = .standard(), format: String? = nil, warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.cache = cache
        self.format = format
        self.warn = warn
    }

    /// Loads `source` (named `spec` by the user, which is what `_template` records for remote
    /// sources) at `ref`: a tag, branch or commit. Without `ref` the default is the format's:
    /// copier's newest version tag (else HEAD); for a cookiecutter template, as cookiecutter does,
    /// the checked-out branch of a local repository and the default branch of a remote one.
    /// A local repository with uncommitted changes and no `ref` renders its working tree.
    /// A repository without any manifest is, as copier reads it, a template without questions,
    /// but only when `namedOnCommandLine` (see `TemplateTree.read(directory:)`).
    package func load(_ source: TemplateSource, spec: String, ref: String?, namedOnCommandLine: Bool = false) throws -> TemplateTree {
        if let ref { try GitArguments.refuseOptionLike(ref, role: "--vcs-ref") }
        var tree: TemplateTree
        switch source {
        case .builtin, .directory:
            throw GitTemplateError.refNeedsGit(spec)
        case .localRepository(let path):
            tree = try wrap(path) { try loadLocal(path, ref: ref) }
        case .remote(let url):
            // Before anything names the URL: a token in it must reach no message and no record.
            try GitArguments.refuseCredentials(in: url)
            tree = try wrap(spec) { try loadRemote(url, spec: spec, ref: ref) }
        }
        if TemplateFormats.present(in: tree).isEmpty {
            tree = try tree.withoutManifest(namedOnCommandLine: namedOnCommandLine, kind: "repository")
        }
        tree.formatPreference = format
        tree.revision?.requested = ref
        return tree
    }

    /// The ref to read when none is asked for: `HEAD` when `head`'s tree is read as a cookiecutter
    /// template (cookiecutter renders the branch a clone checks out), else the newest version tag.
    private func defaultRef(in repository: GitRepository, head: ObjectID) throws -> String {
        let root = TemplateFormats.choose(preference: format) { name in
            (try? repository.readBlob(at: head, path: name)) != nil
        }
        if root.first?.format is CookiecutterFormat { return "HEAD" }
        return try repository.newestVersionTag() ?? "HEAD"
    }

    /// The template's repository with its newest tags: a local repository as it is, a remote one's
    /// cached clone after a fetch (a fetch that fails warns and uses the cache).
    package func repositoryWithTags(_ source: TemplateSource, spec: String) throws -> GitRepository {
        switch source {
        case .builtin, .directory:
            throw GitTemplateError.refNeedsGit(spec)
        case .localRepository(let path):
            return try GitRepository.open(at: path)
        case .remote(let url):
            try GitArguments.refuseCredentials(in: url)
            let (repository, fresh) = try cache.repository(for: url)
            if !fresh {
                do {
                    try repository.fetch()
                } catch let error as GitError {
                    warn("cannot fetch \(spec) (\(error)); using the cached copy")
                }
            }
            return repository
        }
    }

    // MARK: - Local repositories

    private func loadLocal(_ path: String, ref: String?) throws -> TemplateTree {
        let repository = try GitRepository.open(at: path)
        guard let head = try repository.headCommit() else {
            // A repository with no commits yet is its working tree, as copier reads it.
            guard ref == nil || ref == "HEAD" else { throw GitTemplateError.noCommits(path) }
            warn("template \(path) has no commits yet; rendering its working tree")
            return try workingTree(of: repository, source: path)
        }
        if ref == "HEAD", try repository.isDirty() {
            // copier's `--vcs-ref HEAD` takes the uncommitted changes too.
            var tree = try workingTree(of: repository, source: path)
            tree.revision = TemplateRevision(commit: head.hex, ref: "HEAD", dirty: true)
            warn("template \(path) has uncommitted changes; rendering its working tree (recorded as dirty)")
            return tree
        }
        if let ref {
            let commit = try resolve(ref, in: repository, source: path)
            return try tree(of: repository, at: commit, source: path, ref: ref)
        }
        if try repository.isDirty() {
            var tree = try workingTree(of: repository, source: path)
            tree.revision = TemplateRevision(commit: head.hex, ref: "HEAD", dirty: true)
            warn("template \(path) has uncommitted changes; rendering its working tree (recorded as dirty)")
            return tree
        }
        let chosen = try defaultRef(in: repository, head: head)
        return try tree(of: repository, at: try repository.resolveCommit(chosen), source: path, ref: chosen)
    }

    // MARK: - Remote repositories (through the cache)

    private func loadRemote(_ url: String, spec: String, ref: String?) throws -> TemplateTree {
        let (repository, fresh) = try cache.repository(for: url)
        if let ref {
            if !repository.containsCommit(for: ref) && !fresh {
                try TemplateCache.checkLocalSource(url)
                try repository.fetch()
            }
            let commit = try resolve(ref, in: repository, source: spec)
            return try tree(of: repository, at: commit, source: spec, ref: ref)
        }
        if !fresh {
            try TemplateCache.checkLocalSource(url)
            do {
                try repository.fetch()
            } catch let error as GitError {
                warn("cannot fetch \(spec) (\(error)); using the cached copy")
            }
        }
        guard let head = try? repository.resolveCommit("HEAD") else { throw GitTemplateError.noCommits(spec) }
        let chosen = try defaultRef(in: repository, head: head)
        guard repository.containsCommit(for: chosen) else { throw GitTemplateError.noCommits(spec) }
        return try tree(of: repository, at: try repository.resolveCommit(chosen), source: spec, ref: chosen)
    }

    // MARK: - Building trees

    private func resolve(_ ref: String, in repository: GitRepository, source: String) throws -> ObjectID {
        do {
            return try repository.resolveCommit(ref)
        } catch GitError.unknownReference {
            throw GitTemplateError.unknownRef(source: source, ref: ref)
        }
    }

    private func tree(of repository: GitRepository, at commit: ObjectID, source: String, ref: String) throws -> TemplateTree {
        let limits = GitTreeLimits(depth: TemplateLimits.depth, entries: TemplateLimits.entries, bytes: TemplateLimits.totalBytes)
        let files: [GitTreeBlob]
        do {
            files = try repository.blobs(at: commit, limits: limits)
        } catch GitError.treeTooLarge(_, let reason) {
            throw TemplateLimitError(location: "\(source)@\(commit.short)", reason: "the template is not read: \(reason)")
        }
        let byPath = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        var budget = TemplateBudget(location: "\(source)@\(commit.short)")
        var entries: [TemplateEntry] = []
        var directories = Set<String>()
        var linkedFolders = Set<String>()
        func entry(_ path: String, for blob: GitTreeBlob, executable: Bool) throws -> TemplateEntry {
            let mode: UInt16 = executable ? 0o755 : 0o644
            if try budget.add(size: blob.size) {
                let bytes = try repository.withBlob(blob.id, limit: TemplateLimits.eagerFile) { [UInt8]($0) }
                return TemplateEntry(path: path, isDirectory: false, mode: mode, bytes: bytes)
            }
            return TemplateEntry(path: path, mode: mode, storage: .blob(repository: repository.path, id: blob.id, size: blob.size))
        }
        for file in files {
            var parent = TemplatePath.parent(file.path)
            while !parent.isEmpty, directories.insert(parent).inserted {
                parent = TemplatePath.parent(parent)
            }
            switch file.kind {
            case .regular, .executable:
                entries.append(try entry(file.path, for: file, executable: file.kind == .executable))
            case .symlink:
                let written = String(decoding: try repository.withBlob(file.id, limit: 4096) { [UInt8]($0) }, as: UTF8.self)
                if let folder = Self.linkedFolder(file.path, written, in: byPath) {
                    // copier follows a link to a folder: the folder's files, under the link's name.
                    if folder.isEmpty || file.path.hasPrefix(folder + "/") {
                        entries.append(.unfollowableLink(path: file.path, target: written, error: GitTemplateError.linkUnsupported(
                            source: source, path: file.path, reason: "points at a folder that holds it (a loop)")))
                        continue
                    }
                    var linked = TemplateEntry(path: file.path, isDirectory: true, mode: 0o755)
                    linked.linkTarget = written
                    entries.append(linked)
                    linkedFolders.insert(file.path)
                    for inner in files where inner.path.hasPrefix(folder + "/") {
                        let path = file.path + inner.path.dropFirst(folder.count)
                        var parent = TemplatePath.parent(path)
                        while parent != file.path, directories.insert(parent).inserted {
                            parent = TemplatePath.parent(parent)
                        }
                        switch inner.kind {
                        case .regular, .executable:
                            entries.append(try entry(path, for: inner, executable: inner.kind == .executable))
                        case .symlink:
                            let innerWritten = String(decoding: try repository.withBlob(inner.id, limit: 4096) { [UInt8]($0) }, as: UTF8.self)
                            do {
                                let target = try Self.linkTarget(inner, in: byPath, repository: repository, source: source)
                                var followed = try entry(path, for: target, executable: target.kind == .executable)
                                followed.linkTarget = innerWritten
                                entries.append(followed)
                            } catch let error as GitTemplateError {
                                entries.append(.unfollowableLink(path: path, target: innerWritten, error: error))
                            }
                        }
                    }
                    continue
                }
                do {
                    let target = try Self.linkTarget(file, in: byPath, repository: repository, source: source)
                    var linked = try entry(file.path, for: target, executable: target.kind == .executable)
                    linked.linkTarget = written
                    entries.append(linked)
                } catch let error as GitTemplateError {
                    entries.append(.unfollowableLink(path: file.path, target: written, error: error))
                } catch GitError.blobTooLarge {
                    entries.append(.unfollowableLink(path: file.path, target: String(written.prefix(200)), error: GitTemplateError.linkUnsupported(
                        source: source, path: file.path, reason: "has a target over 4096 bytes")))
                }
            }
        }
        for directory in directories where !linkedFolders.contains(directory) {
            entries.append(TemplateEntry(path: directory, isDirectory: true, mode: 0o755))
        }
        var tree = TemplateTree(source: source, origin: "\(source)@\(commit.short)", entries: entries)
        tree.revision = TemplateRevision(commit: commit.hex, ref: ref, dirty: false)
        let tagged = (try? repository.tags())?.filter { (try? repository.resolveCommit($0)) == commit } ?? []
        tree.revision?.tag = GitRepository.newestVersionTag(in: tagged) ?? tagged.last
        tree.revision?.described = try? repository.describe(commit)
        return tree
    }

    /// The folder of the commit's tree that a link written `target` at `path` names, or nil when
    /// it names none (a file, nothing, or a place outside the template).
    private static func linkedFolder(_ path: String, _ target: String, in files: [String: GitTreeBlob]) -> String? {
        guard !target.hasPrefix("/") else { return nil }
        var parts = path.split(separator: "/").dropLast().map(String.init)
        for part in target.split(separator: "/") where part != "." {
            if part == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(String(part))
            }
        }
        let folder = parts.joined(separator: "/")
        if folder.isEmpty { return folder }  // the template's root
        guard files[folder] == nil else { return nil }
        return files.keys.contains(where: { $0.hasPrefix(folder + "/") }) ? folder : nil
    }

    /// Follows a link inside the commit's tree to the file it names (links to links included).
    private static func linkTarget(_ link: GitTreeBlob, in files: [String: GitTreeBlob], repository: GitRepository,
                                   source: String) throws -> GitTreeBlob {
        var current = link
        for _ in 0..<16 {
            let target = String(decoding: try repository.withBlob(current.id, limit: 4096) { [UInt8]($0) }, as: UTF8.self)
            guard !target.hasPrefix("/") else {
                throw GitTemplateError.linkUnsupported(source: source, path: link.path, reason: "points outside the template")
            }
            var parts = current.path.split(separator: "/").dropLast().map(String.init)
            for part in target.split(separator: "/") {
                if part == "." { continue }
                if part == ".." {
                    guard !parts.isEmpty else {
                        throw GitTemplateError.linkUnsupported(source: source, path: link.path, reason: "points outside the template")
                    }
                    parts.removeLast()
                } else {
                    parts.append(String(part))
                }
            }
            guard let next = files[parts.joined(separator: "/")] else {
                throw GitTemplateError.linkUnsupported(source: source, path: link.path,
                                                       reason: "does not point at a file of the template")
            }
            if next.kind != .symlink { return next }
            current = next
        }
        throw GitTemplateError.linkUnsupported(source: source, path: link.path, reason: "is part of a loop")
    }

    /// The working tree as git sees it (tracked and untracked files, ignored ones left out).
    private func workingTree(of repository: GitRepository, source: String) throws -> TemplateTree {
        let root = repository.workingDirectory ?? source + "/"
        var entries: [TemplateEntry] = []
        var directories = Set<String>()
        var budget = TemplateBudget(location: source)
        var linkedFolders = Set<String>()
        let rootPath = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        for path in try repository.workingTreePaths() {
            try budget.count()
            try budget.enterFolder(path, depth: path.split(separator: "/").count - 1)
            var parent = TemplatePath.parent(path)
            while !parent.isEmpty, directories.insert(parent).inserted {
                parent = TemplatePath.parent(parent)
            }
            let full = root + path
            var info = stat()
            var target = full
            var linkTarget: String?
            if lstat(full, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
                let written = (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? ""
                linkTarget = written
                let resolved = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
                guard resolved.hasPrefix(rootPath + "/") else {
                    entries.append(.unfollowableLink(path: path, target: written, error: GitTemplateError.linkUnsupported(
                        source: source, path: path, reason: "points outside the template")))
                    continue
                }
                target = resolved
            }
            if let linkTarget, stat(target, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                // A link to a folder of the template: the folder's files under the link's name.
                let realParent = URL(fileURLWithPath: (full as NSString).deletingLastPathComponent).resolvingSymlinksInPath().path
                guard realParent != target, !realParent.hasPrefix(target + "/") else {
                    entries.append(.unfollowableLink(path: path, target: linkTarget, error: GitTemplateError.linkUnsupported(
                        source: source, path: path, reason: "points at a folder that holds it (a loop)")))
                    continue
                }
                var folder = TemplateEntry(path: path, isDirectory: true, mode: 0o755)
                folder.linkTarget = linkTarget
                entries.append(folder)
                linkedFolders.insert(path)
                for inner in (FileManager.default.subpaths(atPath: target) ?? []).sorted() {
                    try budget.count()
                    let innerPath = path + "/" + inner
                    let innerFull = target + "/" + inner
                    var innerInfo = stat()
                    guard lstat(innerFull, &innerInfo) == 0 else { continue }
                    switch innerInfo.st_mode & S_IFMT {
                    case S_IFDIR:
                        entries.append(TemplateEntry(path: innerPath, isDirectory: true, mode: 0o755))
                    case S_IFREG:
                        entries.append(try budget.file(innerPath, at: innerFull, size: Int(innerInfo.st_size),
                                                       mode: UInt16(innerInfo.st_mode & 0o777)))
                    case S_IFLNK:
                        let written = (try? FileManager.default.destinationOfSymbolicLink(atPath: innerFull)) ?? ""
                        let resolved = URL(fileURLWithPath: innerFull).resolvingSymlinksInPath().path
                        guard resolved.hasPrefix(rootPath + "/"), stat(resolved, &innerInfo) == 0,
                              (innerInfo.st_mode & S_IFMT) == S_IFREG else {
                            entries.append(.unfollowableLink(path: innerPath, target: written, error: GitTemplateError.linkUnsupported(
                                source: source, path: innerPath, reason: "does not point at a file of the template")))
                            continue
                        }
                        var followed = try budget.file(innerPath, at: resolved, size: Int(innerInfo.st_size),
                                                       mode: UInt16(innerInfo.st_mode & 0o777))
                        followed.linkTarget = written
                        entries.append(followed)
                    default:
                        continue
                    }
                }
                continue
            }
            guard stat(target, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                if let linkTarget {
                    entries.append(.unfollowableLink(path: path, target: linkTarget, error: GitTemplateError.linkUnsupported(
                        source: source, path: path, reason: "does not point at a file of the template")))
                    continue
                }
                throw GenerationError.unreadable(full, "not a readable regular file")
            }
            var entry = try budget.file(path, at: target, size: Int(info.st_size), mode: UInt16(info.st_mode & 0o777))
            entry.linkTarget = linkTarget
            entries.append(entry)
        }
        for directory in directories where !linkedFolders.contains(directory) {
            entries.append(TemplateEntry(path: directory, isDirectory: true, mode: 0o755))
        }
        return TemplateTree(source: source, origin: source, entries: entries)
    }

    private func wrap(_ source: String, _ body: () throws -> TemplateTree) throws -> TemplateTree {
        do {
            return try body()
        } catch let error as GitError {
            if case .notARepository = error { throw GitTemplateError.git(source: source, error) }
            throw GitTemplateError.git(source: source, error)
        }
    }
}
