import CLibGit2
import Foundation

/// A file recorded in a commit's tree.
public struct GitTreeFile: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case regular, executable, symlink }
    /// Path relative to the repository root, `/`-separated.
    public let path: String
    public let kind: Kind
}

/// A file of a commit's tree together with its contents.
public struct GitFileContent: Sendable, Equatable {
    public let path: String
    public let kind: GitTreeFile.Kind
    /// The file's bytes; for a symbolic link, the link's target path.
    public let bytes: [UInt8]

    public init(path: String, kind: GitTreeFile.Kind, bytes: [UInt8]) {
        self.path = path
        self.kind = kind
        self.bytes = bytes
    }
}

/// Bounds on a tree walk, checked before anything is read into memory: a tree deeper than
/// `depth` folders, with more than `entries` files and folders, or whose files add up to more
/// than `bytes` is refused with `GitError.treeTooLarge`.
public struct GitTreeLimits: Sendable, Equatable {
    public var depth: Int
    public var entries: Int
    public var bytes: Int64

    public init(depth: Int, entries: Int, bytes: Int64) {
        self.depth = depth
        self.entries = entries
        self.bytes = bytes
    }

    /// No bound in practice (internal walks over trees mlrepro wrote itself).
    public static let unbounded = GitTreeLimits(depth: Int.max, entries: Int.max, bytes: Int64.max)
}

/// A file of a commit's tree without its contents: its blob and the blob's size.
public struct GitTreeBlob: Sendable, Equatable {
    public let path: String
    public let kind: GitTreeFile.Kind
    public let id: ObjectID
    public let size: Int
}

extension GitRepository {
    /// The bytes of the file at `path` in `commit`'s tree, or nil when there is no such file.
    public func readBlob(at commit: ObjectID, path filePath: String) throws -> [UInt8]? {
        let tree = try treeOf(commit)
        defer { git.tree_free(tree) }
        var entry: OpaquePointer?
        let code = git.tree_entry_bypath(&entry, tree, filePath)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try LibGit2.check(code, "looking up '\(filePath)' at \(commit.short)")
        defer { git.tree_entry_free(entry) }
        guard git.tree_entry_type(entry) == GIT_OBJECT_BLOB, let id = git.tree_entry_id(entry) else { return nil }
        return try blobBytes(id)
    }

    /// Every file in `commit`'s tree (submodules left out), sorted by path.
    public func files(at commit: ObjectID, limits: GitTreeLimits = .unbounded) throws -> [GitTreeFile] {
        var files: [GitTreeFile] = []
        try walkTree(of: commit, limits: limits) { path, kind, _ in files.append(GitTreeFile(path: path, kind: kind)) }
        return files.sorted { $0.path < $1.path }
    }

    /// Every file in `commit`'s tree with its bytes (a symbolic link's bytes are its target),
    /// sorted by path; submodules are left out. One walk, no files written.
    public func fileContents(at commit: ObjectID, limits: GitTreeLimits = .unbounded) throws -> [GitFileContent] {
        var files: [GitFileContent] = []
        try walkTree(of: commit, limits: limits) { path, kind, blobID in
            files.append(GitFileContent(path: path, kind: kind, bytes: try self.blobBytes(blobID)))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Every file in `commit`'s tree with its blob id and size, read from the object headers
    /// (no file is inflated), sorted by path; the walk stops at the first bound `limits` sets.
    public func blobs(at commit: ObjectID, limits: GitTreeLimits) throws -> [GitTreeBlob] {
        let database = try objectDatabase()
        defer { git.odb_free(database) }
        var files: [GitTreeBlob] = []
        var total: Int64 = 0
        try walkTree(of: commit, limits: limits) { path, kind, blobID in
            var size = 0
            var type = GIT_OBJECT_INVALID
            try LibGit2.check(git.odb_read_header(&size, &type, database, blobID), "reading the size of '\(path)'")
            total += Int64(size)
            if total > limits.bytes {
                throw GitError.treeTooLarge(commit: commit.short, reason: "its files add up to more than \(limits.bytes) bytes")
            }
            files.append(GitTreeBlob(path: path, kind: kind, id: ObjectID(blobID.pointee), size: size))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The size of blob `id` (from its header; nothing is inflated).
    public func blobSize(_ id: ObjectID) throws -> Int {
        let database = try objectDatabase()
        defer { git.odb_free(database) }
        var oid = id.oid
        var size = 0
        var type = GIT_OBJECT_INVALID
        try LibGit2.check(git.odb_read_header(&size, &type, database, &oid), "reading the size of blob \(id.short)")
        return size
    }

    /// Calls `body` with the contents of blob `id`, as libgit2 holds them (no copy is made);
    /// the buffer is valid only inside `body`. A blob over `limit` bytes is refused before it
    /// is read (libgit2 inflates a blob whole).
    public func withBlob<R>(_ id: ObjectID, limit: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let size = try blobSize(id)
        guard size <= limit else { throw GitError.blobTooLarge(id: id.short, size: size, limit: limit) }
        var blob: OpaquePointer?
        var oid = id.oid
        try LibGit2.check(git.blob_lookup(&blob, pointer, &oid), "reading a file of '\(path)'")
        defer { git.blob_free(blob) }
        let count = Int(git.blob_rawsize(blob))
        guard count > 0, let raw = git.blob_rawcontent(blob) else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: raw, count: count))
    }

    /// Refuses (`GitError.treeTooLarge`) when any tree object in the repository's database,
    /// reachable or not, holds folders more than `depth` levels deep. Iterative, each tree read
    /// once: for a local source before libgit2's local transport, which walks trees recursively
    /// when it packs them, sees it.
    public func refuseTreesDeeperThan(_ depth: Int) throws {
        let database = try objectDatabase()
        defer { git.odb_free(database) }
        var trees: [ObjectID] = []
        final class Collector { var database: OpaquePointer?; var trees: [git_oid] = [] }
        let collector = Collector()
        collector.database = database
        let code = git.odb_foreach(database, { oid, payload in
            guard let oid, let payload else { return 0 }
            let collector = Unmanaged<Collector>.fromOpaque(payload).takeUnretainedValue()
            var size = 0
            var type = GIT_OBJECT_INVALID
            if git.odb_read_header(&size, &type, collector.database, oid) == 0, type == GIT_OBJECT_TREE {
                collector.trees.append(oid.pointee)
            }
            return 0
        }, Unmanaged.passUnretained(collector).toOpaque())
        try LibGit2.check(code, "listing the objects of '\(path)'")
        trees = collector.trees.map { ObjectID($0) }
        // Height of each tree (1 for a tree holding no folder), computed once per tree.
        var heights: [ObjectID: Int] = [:]
        struct Frame { let id: ObjectID; let tree: OpaquePointer?; var next: Int; var tallest: Int }
        for start in trees where heights[start] == nil {
            var stack: [Frame] = []
            defer { for frame in stack { git.tree_free(frame.tree) } }
            func push(_ id: ObjectID) throws {
                guard stack.count <= depth else {
                    throw GitError.treeTooLarge(commit: nil, reason: "it holds folders more than \(depth) levels deep")
                }
                var tree: OpaquePointer?
                var oid = id.oid
                try LibGit2.check(git.tree_lookup(&tree, pointer, &oid), "reading tree \(id.short) of '\(path)'")
                stack.append(Frame(id: id, tree: tree, next: 0, tallest: 0))
            }
            try push(start)
            while var frame = stack.popLast() {
                if frame.next < git.tree_entrycount(frame.tree) {
                    let entry = git.tree_entry_byindex(frame.tree, frame.next)
                    frame.next += 1
                    stack.append(frame)
                    guard let entry, git.tree_entry_filemode(entry) == GIT_FILEMODE_TREE,
                          let raw = git.tree_entry_id(entry) else { continue }
                    let child = ObjectID(raw.pointee)
                    if let known = heights[child] {
                        stack[stack.count - 1].tallest = max(stack[stack.count - 1].tallest, known)
                    } else {
                        try push(child)
                    }
                    continue
                }
                git.tree_free(frame.tree)
                let height = frame.tallest + 1
                guard height <= depth + 1 else {
                    throw GitError.treeTooLarge(commit: nil, reason: "it holds folders more than \(depth) levels deep")
                }
                heights[frame.id] = height
                if !stack.isEmpty { stack[stack.count - 1].tallest = max(stack[stack.count - 1].tallest, height) }
            }
        }
    }

    /// Writes `commit`'s tree into `directory` (created when missing): files with their
    /// executable bit, symbolic links as links. Submodules are left out. A symbolic link
    /// whose target leaves the tree, or an entry name that could escape `directory`, is an
    /// error and nothing more is written.
    public func exportTree(at commit: ObjectID, to directory: String) throws {
        let fileManager = FileManager.default
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        try Self.createDirectory(root, fileManager)
        try walkTree(of: commit, limits: .unbounded) { path, kind, blobID in
            let destination = root.appendingPathComponent(path)
            try Self.createDirectory(destination.deletingLastPathComponent(), fileManager)
            let bytes = try self.blobBytes(blobID)
            switch kind {
            case .symlink:
                let target = String(decoding: bytes, as: UTF8.self)
                guard Self.linkStaysInside(linkPath: path, target: target) else {
                    throw GitError.invalidArgument(
                        "the symbolic link '\(path)' at \(commit.short) points outside the repository ('\(target)')")
                }
                do {
                    try fileManager.createSymbolicLink(atPath: destination.path, withDestinationPath: target)
                } catch {
                    throw GitError.writeFailed(path: destination.path, reason: error.localizedDescription)
                }
            case .regular, .executable:
                do {
                    try Data(bytes).write(to: destination)
                    try fileManager.setAttributes([.posixPermissions: kind == .executable ? 0o755 : 0o644],
                                                  ofItemAtPath: destination.path)
                } catch {
                    throw GitError.writeFailed(path: destination.path, reason: error.localizedDescription)
                }
            }
        }
    }

    // MARK: - Internals

    private func treeOf(_ commit: ObjectID) throws -> OpaquePointer {
        let handle = try lookupCommit(commit)
        defer { git.commit_free(handle) }
        var tree: OpaquePointer?
        try LibGit2.check(git.commit_tree(&tree, handle), "reading the tree of \(commit.short)")
        guard let tree else { throw GitError.noCommits(repository: path) }
        return tree
    }

    func blobBytes(_ id: UnsafePointer<git_oid>) throws -> [UInt8] {
        var blob: OpaquePointer?
        try LibGit2.check(git.blob_lookup(&blob, pointer, id), "reading a file of '\(path)'")
        defer { git.blob_free(blob) }
        let size = Int(git.blob_rawsize(blob))
        guard size > 0, let raw = git.blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: raw, count: size))
    }

    private func objectDatabase() throws -> OpaquePointer? {
        var database: OpaquePointer?
        try LibGit2.check(git.repository_odb(&database, pointer), "opening the objects of '\(path)'")
        return database
    }

    /// Every file of a tree mlrepro wrote itself (a snapshot), without bounds.
    func walkTree(of commit: ObjectID, _ visit: (String, GitTreeFile.Kind, UnsafePointer<git_oid>) throws -> Void) throws {
        try walkTree(of: commit, limits: .unbounded, visit)
    }

    /// Visits every file of `commit`'s tree, folders before their contents, with an explicit
    /// stack (never recursion: a tree can be nested far deeper than a thread's stack allows),
    /// stopping at the first bound of `limits`.
    private func walkTree(of commit: ObjectID, limits: GitTreeLimits,
                          _ visit: (String, GitTreeFile.Kind, UnsafePointer<git_oid>) throws -> Void) throws {
        struct Frame { let tree: OpaquePointer?; let prefix: String; let depth: Int; var next: Int }
        var stack = [Frame(tree: try treeOf(commit), prefix: "", depth: 0, next: 0)]
        defer { for frame in stack { git.tree_free(frame.tree) } }
        var entries = 0
        while var frame = stack.popLast() {
            guard frame.next < git.tree_entrycount(frame.tree) else {
                git.tree_free(frame.tree)
                continue
            }
            let position = frame.next
            frame.next += 1
            stack.append(frame)
            guard let entry = git.tree_entry_byindex(frame.tree, position),
                  let rawName = git.tree_entry_name(entry), let id = git.tree_entry_id(entry) else { continue }
            let name = String(cString: rawName)
            guard Self.isSafeEntryName(name) else {
                throw GitError.invalidArgument("the tree at \(commit.short) holds an unsafe entry name '\(frame.prefix)\(name)'")
            }
            entries += 1
            if entries > limits.entries {
                throw GitError.treeTooLarge(commit: commit.short, reason: "it holds more than \(limits.entries) files and folders")
            }
            let path = frame.prefix + name
            switch git.tree_entry_filemode(entry) {
            case GIT_FILEMODE_TREE:
                guard frame.depth < limits.depth else {
                    throw GitError.treeTooLarge(commit: commit.short,
                                                reason: "'\(String(path.prefix(200)))...' is deeper than \(limits.depth) folders")
                }
                var subtree: OpaquePointer?
                try LibGit2.check(git.tree_lookup(&subtree, pointer, id), "reading directory '\(path)' at \(commit.short)")
                stack.append(Frame(tree: subtree, prefix: path + "/", depth: frame.depth + 1, next: 0))
            case GIT_FILEMODE_BLOB:
                try visit(path, .regular, id)
            case GIT_FILEMODE_BLOB_EXECUTABLE:
                try visit(path, .executable, id)
            case GIT_FILEMODE_LINK:
                try visit(path, .symlink, id)
            default:
                continue // submodules (gitlinks) have no content here
            }
        }
    }

    private static func createDirectory(_ url: URL, _ fileManager: FileManager) throws {
        do {
            try fileManager.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw GitError.writeFailed(path: url.path, reason: error.localizedDescription)
        }
    }

    static func isSafeEntryName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\\")
            && name.lowercased() != ".git"
    }

    /// True when a relative link target, resolved from the link's directory, stays inside the tree.
    static func linkStaysInside(linkPath: String, target: String) -> Bool {
        if target.isEmpty || target.hasPrefix("/") { return false }
        var depth = linkPath.split(separator: "/").count - 1
        for component in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                depth -= 1
                if depth < 0 { return false }
            default: depth += 1
            }
        }
        return true
    }
}
