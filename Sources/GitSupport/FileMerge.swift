import CLibGit2

/// The names shown on conflict markers (`<<<<<<< ours`, `||||||| base`, `>>>>>>> theirs`).
public struct MergeLabels: Sendable, Equatable {
    public var ancestor: String
    public var ours: String
    public var theirs: String

    public init(ancestor: String, ours: String, theirs: String) {
        self.ancestor = ancestor
        self.ours = ours
        self.theirs = theirs
    }
}

/// What a three-way file merge produced.
public struct FileMergeResult: Sendable, Equatable {
    /// The merged bytes; with conflicts, diff3-style marker blocks hold both sides and the base.
    public let content: [UInt8]
    public let hasConflicts: Bool
}

/// Three-way merge of one file's contents with libgit2's `git_merge_file`.
public enum FileMerge {
    /// Merges `ours` and `theirs`, both descended from `base`. Conflicts are written in diff3
    /// style (ours, then `|||||||` base, then theirs), so no side's line is lost.
    public static func merge(base: [UInt8], ours: [UInt8], theirs: [UInt8],
                             labels: MergeLabels) throws -> FileMergeResult {
        try LibGit2.ensureInitialised()
        var options = git_merge_file_options()
        try LibGit2.check(git.merge_file_options_init(&options, UInt32(GIT_MERGE_FILE_OPTIONS_VERSION)),
                          "preparing merge options")
        options.flags = GIT_MERGE_FILE_STYLE_DIFF3.rawValue
        var result = git_merge_file_result()
        defer { git.merge_file_result_free(&result) }

        // A zero byte keeps every buffer's address valid when a side is empty; sizes exclude it.
        let code = (base + [0]).withUnsafeBufferPointer { baseBytes in
            (ours + [0]).withUnsafeBufferPointer { ourBytes in
                (theirs + [0]).withUnsafeBufferPointer { theirBytes in
                    labels.ancestor.withCString { ancestorLabel in
                        labels.ours.withCString { ourLabel in
                            labels.theirs.withCString { theirLabel in
                                options.ancestor_label = ancestorLabel
                                options.our_label = ourLabel
                                options.their_label = theirLabel
                                var baseInput = input(baseBytes)
                                var ourInput = input(ourBytes)
                                var theirInput = input(theirBytes)
                                return git.merge_file(&result, &baseInput, &ourInput, &theirInput, &options)
                            }
                        }
                    }
                }
            }
        }
        try LibGit2.check(code, "merging file contents")
        let content: [UInt8]
        if let pointer = result.ptr, result.len > 0 {
            content = Array(UnsafeRawBufferPointer(start: pointer, count: result.len))
        } else {
            content = []
        }
        return FileMergeResult(content: content, hasConflicts: result.automergeable == 0)
    }

    private static func input(_ bytes: UnsafeBufferPointer<UInt8>) -> git_merge_file_input {
        var input = git_merge_file_input()
        input.version = UInt32(GIT_MERGE_FILE_INPUT_VERSION)
        input.size = bytes.count - 1
        input.ptr = bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
        input.mode = 0o100644
        return input
    }
}
