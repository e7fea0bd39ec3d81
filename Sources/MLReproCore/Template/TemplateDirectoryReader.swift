import Foundation

// MARK: - Reading a template directory

extension TemplateTree {
    /// Reads the template under `directory`. A directory without a manifest at its root is
    /// refused before anything else is read; then the walk counts files, folders, depth and
    /// bytes against `TemplateLimits` as it goes, and stops at the first bound. Small files are
    /// read now, larger ones when they are used. Symlinks are followed only when their target
    /// stays inside the template (a link to a folder gives that folder's files under the link's
    /// name, as copier has it); anything else is refused.
    ///
    /// A folder without a manifest is, as copier has it, a template without questions, rendered
    /// with copier's defaults, but only when `namedOnCommandLine` (`--template DIR`) and when it
    /// holds at most `TemplateLimits.entriesWithoutManifest` files and folders: a project's record
    /// that names such a folder (`/`, `/etc/ssh`) never makes mlrepro read it and print it.
    package static func read(directory: String, source: String, namedOnCommandLine: Bool = false) throws -> TemplateTree {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GenerationError.templateNotFound(source, tried: [directory])
        }
        let root = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath().path
        let names = TemplateFormats.manifestFileNames
        guard names.contains(where: { name in
            var info = stat()
            return lstat((root == "/" ? "" : root) + "/" + name, &info) == 0
        }) else {
            guard namedOnCommandLine else { throw notReadWithoutManifest(directory, kind: "folder") }
            try refuseLargeFolderWithoutManifest(root, shownAs: directory)
            let walked = try walk(root: root, directory: directory)
            return TemplateTree(source: source, origin: directory, entries: walked).withEmptyCopierManifest()
        }
        return TemplateTree(source: source, origin: directory, entries: try walk(root: root, directory: directory))
    }

    /// Why a folder or repository without a manifest named by a project's record is not read.
    private static func notReadWithoutManifest(_ origin: String, kind: String) -> GenerationError {
        GenerationError.noManifestNotRead(origin, reason: "a \(kind) without one is read as a template "
            + "without questions only when --template names it on the command line, never because a project's record names it; "
            + "pass --template \(kind == "folder" ? "DIR" : "REPOSITORY") to read it")
    }

    /// copier reads a template without a manifest as one with an empty `copier.yml` (which its
    /// default `_exclude` keeps out of the project).
    private func withEmptyCopierManifest() -> TemplateTree {
        var tree = TemplateTree(source: source, origin: origin,
                                entries: entries + [TemplateEntry(path: "copier.yml", isDirectory: false, mode: 0o644)])
        tree.revision = revision
        tree.requestedSource = requestedSource
        tree.formatPreference = formatPreference
        tree.nestedPath = nestedPath
        return tree
    }

    /// This tree (a git template's commit or working tree, which has no manifest) as a template
    /// without questions, under the same conditions as a folder: named on the command line, and
    /// at most `TemplateLimits.entriesWithoutManifest` files and folders.
    func withoutManifest(namedOnCommandLine: Bool, kind: String) throws -> TemplateTree {
        guard namedOnCommandLine else { throw Self.notReadWithoutManifest(origin, kind: kind) }
        let limit = TemplateLimits.entriesWithoutManifest
        guard entries.count <= limit else {
            throw GenerationError.noManifestNotRead(origin, reason: "a \(kind) without one is read as a template "
                + "without questions only when it holds at most \(limit) files and folders; this one holds more. "
                + "Check the path, or add an empty copier.yml to read it as a template")
        }
        return withEmptyCopierManifest()
    }

    /// Counts the files and folders under `root` (links not followed) and refuses the folder when
    /// there are more than `TemplateLimits.entriesWithoutManifest`, before any file is read.
    private static func refuseLargeFolderWithoutManifest(_ root: String, shownAs directory: String) throws {
        let limit = TemplateLimits.entriesWithoutManifest
        var count = 0
        var pending = [root]
        while let folder = pending.popLast() {
            guard let stream = opendir(folder) else {
                throw GenerationError.unreadable(folder, String(cString: strerror(errno)))
            }
            defer { closedir(stream) }
            while let item = readdir(stream) {
                let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                count += 1
                if count > limit {
                    throw GenerationError.noManifestNotRead(directory, reason: "a folder without one is read as a template "
                        + "without questions only when it holds at most \(limit) files and folders; this one holds more. "
                        + "Check the path, or add an empty copier.yml to read it as a template")
                }
                let path = (folder == "/" ? "" : folder) + "/" + name
                var info = stat()
                if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { pending.append(path) }
            }
        }
    }

    /// The entries under `root`, counted against `TemplateLimits` while they are found.
    private static func walk(root: String, directory: String) throws -> [TemplateEntry] {
        let manager = FileManager.default
        var budget = TemplateBudget(location: directory)
        var entries: [TemplateEntry] = []
        var pending: [(relative: String, depth: Int)] = [("", 0)]
        while let (relative, depth) = pending.popLast() {
            let absolute = relative.isEmpty ? root : root + "/" + relative
            for name in try listing(absolute, budget: &budget) {
                let childRelative = relative.isEmpty ? name : relative + "/" + name
                let childPath = (root == "/" ? "" : root) + "/" + childRelative
                var info = stat()
                guard lstat(childPath, &info) == 0 else { throw GenerationError.unreadable(childPath, String(cString: strerror(errno))) }
                var target = childPath
                var linkTarget: String?
                if (info.st_mode & S_IFMT) == S_IFLNK {
                    let written = (try? manager.destinationOfSymbolicLink(atPath: childPath)) ?? ""
                    linkTarget = written
                    func unfollowable(_ error: GenerationError) {
                        entries.append(.unfollowableLink(path: childRelative, target: written, error: error))
                    }
                    let resolved = URL(fileURLWithPath: childPath).resolvingSymlinksInPath().path
                    guard resolved == root || resolved.hasPrefix(root + "/") else {
                        unfollowable(.symlinkEscapes(displayPath: directory + "/" + childRelative))
                        continue
                    }
                    guard stat(resolved, &info) == 0 else {
                        unfollowable(.unreadable(childPath, "broken symbolic link"))
                        continue
                    }
                    if (info.st_mode & S_IFMT) == S_IFDIR {
                        // copier follows a link to a folder and renders the folder's files under
                        // the link's name; a link to a folder that holds the link is a loop.
                        let realParent = URL(fileURLWithPath: absolute).resolvingSymlinksInPath().path
                        if realParent == resolved || realParent.hasPrefix(resolved + "/") {
                            unfollowable(.unreadable(childPath, "symbolic link to a folder that holds it (a loop)"))
                            continue
                        }
                    }
                    target = resolved
                }
                let mode = UInt16(info.st_mode & 0o7777)
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    try budget.enterFolder(childRelative, depth: depth + 1)
                    var folder = TemplateEntry(path: childRelative, isDirectory: true, mode: mode)
                    folder.linkTarget = linkTarget
                    entries.append(folder)
                    pending.append((childRelative, depth + 1))
                case S_IFREG:
                    var entry = try budget.file(childRelative, at: target, size: Int(info.st_size), mode: mode)
                    entry.linkTarget = linkTarget
                    entries.append(entry)
                default:
                    throw GenerationError.unreadable(childPath, "not a regular file or directory")
                }
            }
        }
        return entries
    }

    /// The names in `directory`, sorted, counted against the budget while they are read (a
    /// folder of millions of names stops at the bound, not after listing them all).
    private static func listing(_ directory: String, budget: inout TemplateBudget) throws -> [String] {
        guard let stream = opendir(directory) else {
            throw GenerationError.unreadable(directory, String(cString: strerror(errno)))
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let item = readdir(stream) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            try budget.count()
            names.append(name)
        }
        return names.sorted()
    }
}

/// What a template read has used of `TemplateLimits`, and the bodies read so far.
struct TemplateBudget {
    let location: String
    private(set) var entries = 0
    private(set) var bytes: Int64 = 0
    private var eager = 0

    init(location: String) { self.location = location }

    private func refuse(_ reason: String) -> TemplateLimitError {
        TemplateLimitError(location: location, reason: reason)
    }

    /// One more file or folder.
    mutating func count() throws {
        entries += 1
        if entries > TemplateLimits.entries {
            throw refuse("the template has more than \(TemplateLimits.entries) files and folders; it is not read")
        }
    }

    mutating func enterFolder(_ path: String, depth: Int) throws {
        if depth > TemplateLimits.depth {
            throw refuse("'\(String(path.prefix(200)))...' is deeper than \(TemplateLimits.depth) folders; the template is not read")
        }
    }

    /// Adds a file of `size` bytes; true when its body may be read now (small, and the bodies
    /// read so far leave room).
    mutating func add(size: Int) throws -> Bool {
        bytes += Int64(size)
        if bytes > TemplateLimits.totalBytes {
            throw refuse("the template's files add up to more than \(TemplateLimits.describe(TemplateLimits.totalBytes)); it is not read")
        }
        guard size <= TemplateLimits.eagerFile, eager + size <= TemplateLimits.eagerTotal else { return false }
        eager += size
        return true
    }

    /// The entry for a local file: its contents now when it is small, else read when used.
    mutating func file(_ relative: String, at path: String, size: Int, mode: UInt16) throws -> TemplateEntry {
        if try add(size: size) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw GenerationError.unreadable(path, "cannot read the file")
            }
            return TemplateEntry(path: relative, isDirectory: false, mode: mode, bytes: [UInt8](data))
        }
        return TemplateEntry(path: relative, mode: mode, storage: .file(path: path, size: size))
    }
}
