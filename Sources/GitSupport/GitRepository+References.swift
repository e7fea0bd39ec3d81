import CLibGit2

extension GitRepository {
    /// Resolves a tag, branch (local or `origin/`), full or abbreviated commit id, or any
    /// revision expression `git rev-parse` accepts, to the commit it names.
    ///
    /// Tags win over branches of the same name, as with `git checkout`.
    public func resolveCommit(_ reference: String) throws -> ObjectID {
        try GitArguments.refuseOptionLike(reference, role: "reference (tag, branch or commit)")
        // `HEAD` is the checked-out branch (a bare clone's: the default branch it was cloned with),
        // never `origin/HEAD`, which names the branch a clone's origin had checked out.
        let candidates = reference == "HEAD" ? [reference]
            : ["refs/tags/\(reference)", "refs/heads/\(reference)", "refs/remotes/origin/\(reference)", reference]
        for candidate in candidates {
            var object: OpaquePointer?
            let code = git.revparse_single(&object, pointer, candidate)
            if code == GIT_ENOTFOUND.rawValue || code == GIT_EINVALIDSPEC.rawValue { continue }
            try LibGit2.check(code, "resolving '\(reference)' in '\(path)'")
            defer { git.object_free(object) }
            var peeled: OpaquePointer?
            let peelCode = git.object_peel(&peeled, object, GIT_OBJECT_COMMIT)
            if peelCode < 0 {
                throw GitError.invalidArgument("'\(reference)' in \(path) does not name a commit: \(LibGit2.lastErrorMessage())")
            }
            defer { git.object_free(peeled) }
            guard let id = git.object_id(peeled) else { continue }
            return ObjectID(id.pointee)
        }
        throw GitError.unknownReference(reference, repository: path)
    }

    /// True when `reference` resolves to a commit here.
    public func containsCommit(for reference: String) -> Bool {
        (try? resolveCommit(reference)) != nil
    }

    /// Every tag name, sorted.
    public func tags() throws -> [String] {
        var array = git_strarray()
        try LibGit2.check(git.tag_list(&array, pointer), "listing the tags of '\(path)'")
        return LibGit2.strings(consuming: &array).sorted()
    }

    /// The tag with the highest semantic version (`v1`, `1.2`, `v2.0.1`, ...), or nil when
    /// no tag is a version. Pre-releases (`v2.0.0-rc.1`) count only with `includePrereleases`.
    public func newestVersionTag(includePrereleases: Bool = false) throws -> String? {
        try Self.newestVersionTag(in: tags(), includePrereleases: includePrereleases)
    }

    /// The newest version among `names`. Of equal versions (`v1`, `v1.0`, `1.0` under PEP 440)
    /// the name first in byte order wins, as copier picks it: its stable sort keeps `git ls-remote`'s
    /// order, which is by name. The answer never depends on listing order.
    public static func newestVersionTag(in names: [String], includePrereleases: Bool = false) -> String? {
        var best: (version: VersionTag, name: String)?
        for name in names {
            guard let version = VersionTag(tag: name) else { continue }
            if version.isPrerelease && !includePrereleases { continue }
            if let current = best, version < current.version
                || (version == current.version && !name.utf8.lexicographicallyPrecedes(current.name.utf8)) {
                continue
            }
            best = (version, name)
        }
        return best?.name
    }
}
