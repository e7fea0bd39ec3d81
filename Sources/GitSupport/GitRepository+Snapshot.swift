import CLibGit2
import Foundation

/// Commits that hold a set of files without touching the working tree, the index or any branch:
/// a tree built in memory, a commit object, and a private reference to it (`refs/...`).
extension GitRepository {
    /// Writes `files` (paths relative to the tree's root) as a tree, commits it with `parent` (if
    /// any) and points `reference` at the commit, replacing what it pointed to. The working
    /// tree, the index, HEAD and every branch stay as they are. Returns the new commit.
    @discardableResult
    public func writeSnapshot(_ files: [GitFileContent], message: String, parent: ObjectID?, reference: String,
                              author: GitSignature, date: Date = Date()) throws -> ObjectID {
        try LibGit2.ensureInitialised()
        var index: OpaquePointer?
        try LibGit2.check(git.index_new(&index), "making an in-memory index")
        defer { git.index_free(index) }
        for file in files {
            guard Self.isSafeSnapshotPath(file.path) else {
                throw GitError.invalidArgument("refusing to record '\(file.path)' in \(reference): not a plain relative path")
            }
            var blob = git_oid()
            _ = try file.bytes.withUnsafeBytes { raw in
                try LibGit2.check(git.blob_create_from_buffer(&blob, pointer, raw.baseAddress, raw.count),
                                  "storing '\(file.path)' in '\(path)'")
            }
            var entry = git_index_entry()
            entry.id = blob
            switch file.kind {
            case .regular: entry.mode = GIT_FILEMODE_BLOB.rawValue
            case .executable: entry.mode = GIT_FILEMODE_BLOB_EXECUTABLE.rawValue
            case .symlink: entry.mode = GIT_FILEMODE_LINK.rawValue
            }
            entry.file_size = UInt32(truncatingIfNeeded: file.bytes.count)
            try file.path.withCString { name in
                entry.path = name
                try LibGit2.check(git.index_add(index, &entry), "recording '\(file.path)' in \(reference)")
            }
        }
        var treeID = git_oid()
        try LibGit2.check(git.index_write_tree_to(&treeID, index, pointer), "writing the tree of \(reference)")
        var tree: OpaquePointer?
        try LibGit2.check(git.tree_lookup(&tree, pointer, &treeID), "looking up the tree of \(reference)")
        defer { git.tree_free(tree) }
        let signature = try Self.snapshotSignature(author, date: date)
        defer { git.signature_free(signature) }
        var parentHandle: OpaquePointer?
        if let parent { parentHandle = try lookupCommit(parent) }
        defer { if let parentHandle { git.commit_free(parentHandle) } }
        // The same files recorded for the same reason again (an update with nothing new): no new commit.
        if let parentHandle, let parentTree = git.commit_tree_id(parentHandle), ObjectID(parentTree.pointee) == ObjectID(treeID),
           git.commit_message(parentHandle).map({ String(cString: $0) }) == message, let parent {
            return parent
        }
        var parents: [OpaquePointer?] = parentHandle.map { [$0] } ?? []
        var commitID = git_oid()
        let code = parents.withUnsafeMutableBufferPointer { buffer in
            git.commit_create(&commitID, pointer, nil, signature, signature, nil, message, tree, buffer.count, buffer.baseAddress)
        }
        try LibGit2.check(code, "committing \(reference) in '\(path)'")
        var created: OpaquePointer?
        try LibGit2.check(git.reference_create(&created, pointer, reference, &commitID, 1, "mlrepro: \(reference)"),
                          "setting \(reference) in '\(path)'")
        git.reference_free(created)
        return ObjectID(commitID)
    }

    /// The commit `reference` (a full name, `refs/...`) points to; nil when there is no such
    /// reference or it does not lead to a commit.
    public func referencedCommit(_ reference: String) -> ObjectID? {
        guard (try? LibGit2.ensureInitialised()) != nil else { return nil }
        var id = git_oid()
        guard git.reference_name_to_id(&id, pointer, reference) == 0 else { return nil }
        var commit: OpaquePointer?
        guard git.commit_lookup(&commit, pointer, &id) == 0 else { return nil }
        git.commit_free(commit)
        return ObjectID(id)
    }

    /// The first parent of `commit`; nil for a root commit.
    public func firstParent(of commit: ObjectID) throws -> ObjectID? {
        let handle = try lookupCommit(commit)
        defer { git.commit_free(handle) }
        guard git.commit_parentcount(handle) > 0, let id = git.commit_parent_id(handle, 0) else { return nil }
        return ObjectID(id.pointee)
    }

    /// The commits reachable from HEAD, newest first, at most `limit` of them, whose message
    /// satisfies `matches`.
    public func commitsFromHead(limit: Int, where matches: (String) -> Bool) throws -> [ObjectID] {
        guard let head = try headCommit() else { return [] }
        var walker: OpaquePointer?
        try LibGit2.check(git.revwalk_new(&walker, pointer), "walking history")
        defer { git.revwalk_free(walker) }
        var start = head.oid
        try LibGit2.check(git.revwalk_push(walker, &start), "walking history from \(head.short)")
        var found: [ObjectID] = []
        var next = git_oid()
        var seen = 0
        while seen < limit, git.revwalk_next(&next, walker) == 0 {
            seen += 1
            let id = ObjectID(next)
            if matches(try message(of: id)) { found.append(id) }
        }
        return found
    }

    /// Every file below `folder` (relative to the root; "" for all) in `commit`'s tree with its
    /// bytes, paths relative to `folder`; empty when the folder is not there. At most `limit`
    /// files and `byteLimit` bytes in all, else an error.
    public func fileContents(at commit: ObjectID, under folder: String, limit: Int, byteLimit: Int) throws -> [GitFileContent] {
        var files: [GitFileContent] = []
        var total = 0
        let prefix = folder.isEmpty ? "" : folder + "/"
        try walkTree(of: commit) { path, kind, blobID in
            guard path.hasPrefix(prefix) else { return }
            let bytes = try self.blobBytes(blobID)
            total += bytes.count
            guard files.count < limit, total <= byteLimit else {
                throw GitError.invalidArgument("\(commit.short) holds more than \(limit) files or \(byteLimit) bytes under '\(folder)'")
            }
            files.append(GitFileContent(path: String(path.dropFirst(prefix.count)), kind: kind, bytes: bytes))
        }
        return files.sorted { $0.path < $1.path }
    }

    static func isSafeSnapshotPath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0) else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { isSafeEntryName(String($0)) }
    }

    private static func snapshotSignature(_ identity: GitSignature, date: Date) throws -> UnsafeMutablePointer<git_signature> {
        var signature: UnsafeMutablePointer<git_signature>?
        try LibGit2.check(git.signature_new(&signature, identity.name, identity.email,
                                            git_time_t(date.timeIntervalSince1970.rounded(.down)), 0),
                          "making the signature '\(identity.name) <\(identity.email)>'")
        guard let signature else { throw GitError.invalidArgument("no signature for '\(identity.name)'") }
        return signature
    }
}
