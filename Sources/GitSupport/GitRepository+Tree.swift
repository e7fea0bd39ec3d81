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
    public func files(at commit: ObjectID) throws -> [GitTreeFile] {
        var files: [GitTreeFile] = []
        try walkTree(of: commit) { path, kind, _ in files.append(GitTreeFile(path: path, kind: kind)) }
        return files.sorted { $0.path < $1.path }
    }

    /// Every file in `commit`'s tree with its bytes (a symbolic link's bytes are its target),
    /// sorted by path; submodules are left out. One walk, no files written.
    public func fileContents(at commit: ObjectID) throws -> [GitFileContent] {
        var files: [GitFileContent] = []
        try walkTree(of: commit) { path, kind, blobID in
            files.append(GitFileContent(path: path, kind: kind, bytes: try self.blobBytes(blobID)))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Writes `commit`'s tree into `directory` (created when missing): files with their
    /// executable bit, symbolic links as links. Submodules are left out. A symbolic link
    /// whose target leaves the tree, or an entry name that could escape `directory`, is an
    /// error and nothing more is written.
    public func exportTree(at commit: ObjectID, to directory: String) throws {
        let fileManager = FileManager.default
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        try Self.createDirectory(root, fileManager)
        try walkTree(of: commit) { path, kind, blobID in
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

    func walkTree(of commit: ObjectID,
                          _ visit: (String, GitTreeFile.Kind, UnsafePointer<git_oid>) throws -> Void) throws {
        let tree = try treeOf(commit)
        defer { git.tree_free(tree) }
        try walk(tree, prefix: "", commit: commit, visit)
    }

    private func walk(_ tree: OpaquePointer?, prefix: String, commit: ObjectID,
                      _ visit: (String, GitTreeFile.Kind, UnsafePointer<git_oid>) throws -> Void) throws {
        for position in 0..<git.tree_entrycount(tree) {
            guard let entry = git.tree_entry_byindex(tree, position),
                  let rawName = git.tree_entry_name(entry), let id = git.tree_entry_id(entry) else { continue }
            let name = String(cString: rawName)
            guard Self.isSafeEntryName(name) else {
                throw GitError.invalidArgument("the tree at \(commit.short) holds an unsafe entry name '\(prefix)\(name)'")
            }
            let path = prefix + name
            switch git.tree_entry_filemode(entry) {
            case GIT_FILEMODE_TREE:
                var subtree: OpaquePointer?
                try LibGit2.check(git.tree_lookup(&subtree, pointer, id), "reading directory '\(path)' at \(commit.short)")
                defer { git.tree_free(subtree) }
                try walk(subtree, prefix: path + "/", commit: commit, visit)
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
