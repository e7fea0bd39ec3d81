import Foundation

/// Symbolic links on the way to a project path, found with `lstat` component by component.
enum ProjectPaths {
    /// The first component of `relative` (itself included) that is a symbolic link inside
    /// `project`, as a relative path; nil when none is (components that do not exist end the walk).
    static func symbolicLink(in relative: String, under project: String) -> String? {
        var prefix = ""
        for component in relative.split(separator: "/") {
            prefix = prefix.isEmpty ? String(component) : prefix + "/" + component
            var info = stat()
            guard lstat(project + "/" + prefix, &info) == 0 else { return nil }
            if (info.st_mode & S_IFMT) == S_IFLNK { return prefix }
        }
        return nil
    }

    /// Throws when a folder on the way to `relative` is a symbolic link that resolves outside
    /// `project` (reading through it would compare, or print, files that are not the project's).
    static func refuseLinkOutside(_ relative: String, under project: String) throws {
        guard let link = symbolicLink(in: relative, under: project), link != relative else { return }
        let root = URL(fileURLWithPath: project).resolvingSymlinksInPath().path
        let parent = project + "/" + TemplatePath.parent(relative)
        let resolved = URL(fileURLWithPath: parent).resolvingSymlinksInPath().path
        if resolved != root && !resolved.hasPrefix(root + "/") {
            throw GenerationError.linkLeavesProject(path: relative, link: link, target: resolved)
        }
    }
}

/// Applies an update all or nothing: every new file is written into a staging folder inside the
/// project first; then, with SIGINT and SIGTERM held back, each file is moved into place with the
/// old one kept aside, and any failure puts every file back as it was. An interruption before that
/// step removes the staging folder and leaves the project untouched.
struct UpdateApplication {
    let project: String

    func apply(writes: [(path: String, bytes: [UInt8], mode: UInt16)], removals: [String]) throws {
        // The one gate every change of `update` passes, whichever render or record it came from:
        // a path that could leave the project or reach into `.git` is refused before anything moves.
        for path in writes.map(\.path) + removals {
            if let reason = RecordInput.problem(with: path) { throw UpdateError.unsafePath(path: path, reason: reason) }
            if let link = ProjectPaths.symbolicLink(in: path, under: project) {
                throw UpdateError.symbolicLink(path: path, link: link)
            }
        }
        for write in writes where write.mode == PlannedItem.linkMode {
            if let reason = GenerationPlanner.linkProblem(String(decoding: write.bytes, as: UTF8.self), at: write.path) {
                throw UpdateError.unsafePath(path: write.path, reason: reason)
            }
        }
        // The command installs the guard and its messages when it starts (see UpdateCommand).
        let guardian = InterruptionGuard.shared
        var template = Array("\(project)/.mlrepro-update-XXXXXX".utf8CString)
        let staging = try guardian.createStaging {
            guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
                throw GenerationError.writeFailed(path: project, reason: String(cString: strerror(errno)))
            }
            return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        do {
            for (index, write) in writes.enumerated() {
                guardian.waitIfInterrupting()
                try Self.create(staging + "/n\(index)", bytes: write.bytes, mode: write.mode, shownAs: write.path)
            }
            guardian.waitIfInterrupting()
            try guardian.committing { try move(writes: writes, removals: removals, staging: staging) }
        } catch {
            guardian.discard(staging)
            throw error
        }
        guardian.discard(staging)
    }

    /// The move step; on a failure every step already taken is undone in reverse order.
    private func move(writes: [(path: String, bytes: [UInt8], mode: UInt16)], removals: [String],
                      staging: String) throws {
        var undo: [() -> Void] = []
        func fail(_ path: String) -> GenerationError {
            let reason = String(cString: strerror(errno))
            for step in undo.reversed() { step() }
            return GenerationError.writeFailed(path: path, reason: reason + " (the update was undone; nothing was changed)")
        }
        for (index, write) in writes.enumerated() {
            let target = project + "/" + write.path
            var parent = ""
            for component in write.path.split(separator: "/").dropLast() {
                parent = parent.isEmpty ? String(component) : parent + "/" + component
                let folder = project + "/" + parent
                if mkdir(folder, 0o755) == 0 {
                    undo.append { rmdir(folder) }
                } else if errno != EEXIST {
                    throw fail(folder)
                }
            }
            var info = stat()
            if lstat(target, &info) == 0 {
                let kept = staging + "/b\(index)"
                guard rename(target, kept) == 0 else { throw fail(target) }
                undo.append { rename(kept, target) }
            }
            let staged = staging + "/n\(index)"
            guard rename(staged, target) == 0 else { throw fail(target) }
            undo.append { rename(target, staged) }
        }
        for (index, path) in removals.enumerated() {
            let target = project + "/" + path
            let kept = staging + "/r\(index)"
            guard rename(target, kept) == 0 else {
                if errno == ENOENT { continue }
                throw fail(target)
            }
            undo.append { rename(kept, target) }
        }
    }

    private static func create(_ path: String, bytes: [UInt8], mode: UInt16, shownAs: String) throws {
        if mode == PlannedItem.linkMode {
            guard symlink(String(decoding: bytes, as: UTF8.self), path) == 0 else {
                throw GenerationError.writeFailed(path: shownAs, reason: String(cString: strerror(errno)))
            }
            return
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw GenerationError.writeFailed(path: shownAs, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        if let reason = StagedTree.writeAll(fd, bytes) { throw GenerationError.writeFailed(path: shownAs, reason: reason) }
        guard fchmod(fd, mode_t(mode)) == 0 else {
            throw GenerationError.writeFailed(path: shownAs, reason: String(cString: strerror(errno)))
        }
    }
}
