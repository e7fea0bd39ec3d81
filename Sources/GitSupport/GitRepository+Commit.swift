import CLibGit2
import Foundation

extension GitRepository {
    /// Stages every file in the working tree like `git add --all`: new and modified files
    /// (ignored ones left out, as `.gitignore` says) and removals.
    public func addAll() throws {
        let index = try openIndex()
        defer { git.index_free(index) }
        try LibGit2.withStrArray(["*"]) { pathspec in
            try LibGit2.check(
                git.index_add_all(index, &pathspec, GIT_INDEX_ADD_DEFAULT.rawValue, nil, nil),
                "staging files in '\(path)'")
            try LibGit2.check(git.index_update_all(index, &pathspec, nil, nil), "staging removals in '\(path)'")
        }
        try LibGit2.check(git.index_write(index), "writing the index of '\(path)'")
    }

    /// Stages exactly these files (paths relative to the working tree, taken literally, not as
    /// patterns); git-ignored ones are left out as `git add` leaves them out.
    public func add(paths: [String]) throws {
        guard !paths.isEmpty else { return }
        let index = try openIndex()
        defer { git.index_free(index) }
        try LibGit2.withStrArray(paths) { pathspec in
            try LibGit2.check(
                git.index_add_all(index, &pathspec, GIT_INDEX_ADD_DISABLE_PATHSPEC_MATCH.rawValue, nil, nil),
                "staging files in '\(path)'")
        }
        try LibGit2.check(git.index_write(index), "writing the index of '\(path)'")
    }

    /// Commits the index on the current branch (HEAD's commit as parent, if any) and returns
    /// the new commit's id. `date` defaults to now.
    @discardableResult
    public func commit(message: String, author: GitSignature, committer: GitSignature? = nil,
                       date: Date = Date()) throws -> ObjectID {
        let index = try openIndex()
        defer { git.index_free(index) }
        var treeID = git_oid()
        try LibGit2.check(git.index_write_tree(&treeID, index), "writing the tree of '\(path)'")
        var tree: OpaquePointer?
        try LibGit2.check(git.tree_lookup(&tree, pointer, &treeID), "looking up the new tree")
        defer { git.tree_free(tree) }

        let authorSignature = try Self.signature(author, date: date)
        defer { git.signature_free(authorSignature) }
        let committerSignature = try Self.signature(committer ?? author, date: date)
        defer { git.signature_free(committerSignature) }

        var parent: OpaquePointer?
        if let head = try headCommit() {
            var headOID = head.oid
            try LibGit2.check(git.commit_lookup(&parent, pointer, &headOID), "looking up HEAD's commit")
        }
        defer { if let parent { git.commit_free(parent) } }

        var newID = git_oid()
        var parents: [OpaquePointer?] = parent.map { [$0] } ?? []
        let code = parents.withUnsafeMutableBufferPointer { buffer in
            git.commit_create(&newID, pointer, "HEAD", authorSignature, committerSignature, nil, message, tree,
                              buffer.count, buffer.baseAddress)
        }
        try LibGit2.check(code, "committing in '\(path)'")
        return ObjectID(newID)
    }

    /// The message of `commit`.
    public func message(of commit: ObjectID) throws -> String {
        let handle = try lookupCommit(commit)
        defer { git.commit_free(handle) }
        return git.commit_message(handle).map { String(cString: $0) } ?? ""
    }

    /// The author of `commit`.
    public func author(of commit: ObjectID) throws -> GitSignature {
        let handle = try lookupCommit(commit)
        defer { git.commit_free(handle) }
        guard let signature = git.commit_author(handle) else { return GitSignature(name: "", email: "") }
        return GitSignature(name: String(cString: signature.pointee.name),
                           email: String(cString: signature.pointee.email))
    }

    /// The number of commits reachable from `commit` (itself included).
    public func historyLength(from commit: ObjectID) throws -> Int {
        var walker: OpaquePointer?
        try LibGit2.check(git.revwalk_new(&walker, pointer), "walking history")
        defer { git.revwalk_free(walker) }
        var start = commit.oid
        try LibGit2.check(git.revwalk_push(walker, &start), "walking history from \(commit.short)")
        var count = 0
        var next = git_oid()
        while git.revwalk_next(&next, walker) == 0 { count += 1 }
        return count
    }

    /// `git describe --tags --always` of `commit`: the nearest tag, the commits since it and the
    /// abbreviated id (`v1.2.0-3-gabc1234`); just the tag on a tagged commit; the abbreviated id
    /// without tags. The id is abbreviated as git's automatic `core.abbrev` does: at least 7 hex
    /// digits, more for repositories of 16,384 objects and up.
    public func describe(_ commit: ObjectID) throws -> String {
        var object: OpaquePointer?
        var oid = commit.oid
        try LibGit2.check(git.object_lookup(&object, pointer, &oid, GIT_OBJECT_COMMIT), "looking up \(commit.short)")
        defer { git.object_free(object) }
        var options = git_describe_options()
        try LibGit2.check(git.describe_options_init(&options, UInt32(GIT_DESCRIBE_OPTIONS_VERSION)), "describing")
        options.describe_strategy = GIT_DESCRIBE_TAGS.rawValue
        options.show_commit_oid_as_fallback = 1
        var result: OpaquePointer?
        try LibGit2.check(git.describe_commit(&result, object, &options), "describing \(commit.short)")
        defer { git.describe_result_free(result) }
        var format = git_describe_format_options()
        try LibGit2.check(git.describe_format_options_init(&format, UInt32(GIT_DESCRIBE_FORMAT_OPTIONS_VERSION)), "describing")
        format.abbreviated_size = UInt32(try automaticAbbreviation())
        var buffer = git_buf()
        defer { git.buf_dispose(&buffer) }
        try LibGit2.check(git.describe_format(&buffer, result, &format), "describing \(commit.short)")
        guard let text = buffer.ptr else { return commit.short }
        return String(cString: text)
    }

    /// git's `core.abbrev=auto`: half the bits of the object count, rounded up, in hex digits; 7 at least.
    func automaticAbbreviation() throws -> Int {
        var database: OpaquePointer?
        try LibGit2.check(git.repository_odb(&database, pointer), "opening the object database")
        defer { git.odb_free(database) }
        var count = 0
        _ = withUnsafeMutablePointer(to: &count) { counter in
            git.odb_foreach(database, { _, payload in
                payload?.assumingMemoryBound(to: Int.self).pointee += 1
                return 0
            }, counter)
        }
        guard count > 0 else { return 7 }
        let bits = Int.bitWidth - count.leadingZeroBitCount  // msb(count) + 1
        return max(7, (bits + 1) / 2)
    }

    // MARK: - Internals

    func openIndex() throws -> OpaquePointer {
        var index: OpaquePointer?
        try LibGit2.check(git.repository_index(&index, pointer), "opening the index of '\(path)'")
        guard let index else { throw GitError.libgit2(operation: "opening the index of '\(path)'", code: -1, message: "") }
        return index
    }

    func lookupCommit(_ id: ObjectID) throws -> OpaquePointer {
        var oid = id.oid
        var commit: OpaquePointer?
        let code = git.commit_lookup(&commit, pointer, &oid)
        if code == GIT_ENOTFOUND.rawValue {
            throw GitError.unknownReference(id.hex, repository: path)
        }
        try LibGit2.check(code, "looking up commit \(id.short)")
        guard let commit else { throw GitError.unknownReference(id.hex, repository: path) }
        return commit
    }

    private static func signature(_ identity: GitSignature, date: Date) throws -> UnsafeMutablePointer<git_signature> {
        var signature: UnsafeMutablePointer<git_signature>?
        let seconds = git_time_t(date.timeIntervalSince1970.rounded(.down))
        let offsetMinutes = Int32(TimeZone.current.secondsFromGMT(for: date) / 60)
        try LibGit2.check(git.signature_new(&signature, identity.name, identity.email, seconds, offsetMinutes),
                          "making the signature '\(identity.name) <\(identity.email)>'")
        guard let signature else {
            throw GitError.invalidArgument("cannot make a git signature for '\(identity.name) <\(identity.email)>'")
        }
        return signature
    }
}
