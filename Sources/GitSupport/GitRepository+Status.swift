import CLibGit2

/// One path that differs between HEAD, the index and the working tree.
public struct GitStatusEntry: Sendable, Equatable, CustomStringConvertible {
    public enum Change: String, Sendable, Equatable {
        case untracked, added, modified, deleted, renamed, typeChanged = "type changed", conflicted
    }

    public let path: String
    public let change: Change
    /// True when the change is staged (HEAD to index), false when only in the working tree.
    public let staged: Bool

    public init(path: String, change: Change, staged: Bool) {
        self.path = path
        self.change = change
        self.staged = staged
    }

    public var description: String { "\(change.rawValue): \(path)" }
}

extension GitRepository {
    /// Every changed, staged or untracked path (ignored files left out), like `git status`.
    public func status() throws -> [GitStatusEntry] {
        var options = git_status_options()
        try LibGit2.check(git.status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "preparing status options")
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue
            | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_STATUS_OPT_SORT_CASE_SENSITIVELY.rawValue
        var list: OpaquePointer?
        try LibGit2.check(git.status_list_new(&list, pointer, &options), "reading the status of '\(path)'")
        defer { git.status_list_free(list) }

        var entries: [GitStatusEntry] = []
        for position in 0..<git.status_list_entrycount(list) {
            guard let entry = git.status_byindex(list, position)?.pointee else { continue }
            let flags = entry.status.rawValue
            if flags & GIT_STATUS_IGNORED.rawValue != 0 { continue }
            let staged = entry.head_to_index.map { Self.path(of: $0.pointee) }
            let unstaged = entry.index_to_workdir.map { Self.path(of: $0.pointee) }
            guard let path = unstaged ?? staged else { continue }
            entries.append(GitStatusEntry(path: path, change: Self.change(for: flags),
                                          staged: entry.index_to_workdir == nil))
        }
        return entries
    }

    /// True when anything is staged, modified, deleted or untracked.
    public func isDirty() throws -> Bool {
        try !status().isEmpty
    }

    private static func path(of delta: git_diff_delta) -> String {
        if let newPath = delta.new_file.path { return String(cString: newPath) }
        if let oldPath = delta.old_file.path { return String(cString: oldPath) }
        return ""
    }

    private static func change(for flags: UInt32) -> GitStatusEntry.Change {
        func has(_ flag: git_status_t) -> Bool { flags & flag.rawValue != 0 }
        if has(GIT_STATUS_CONFLICTED) { return .conflicted }
        if has(GIT_STATUS_WT_NEW) { return .untracked }
        if has(GIT_STATUS_INDEX_NEW) { return .added }
        if has(GIT_STATUS_WT_DELETED) || has(GIT_STATUS_INDEX_DELETED) { return .deleted }
        if has(GIT_STATUS_WT_RENAMED) || has(GIT_STATUS_INDEX_RENAMED) { return .renamed }
        if has(GIT_STATUS_WT_TYPECHANGE) || has(GIT_STATUS_INDEX_TYPECHANGE) { return .typeChanged }
        return .modified
    }
}
