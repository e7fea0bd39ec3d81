import Foundation
import GitSupport

/// Which git commit a template was read at, and how it was chosen.
package struct TemplateRevision: Sendable, Equatable {
    /// The full commit id (`_commit` in answers.yml).
    package var commit: String
    /// The tag, branch or commit asked for (or chosen: the newest version tag, else `HEAD`).
    package var ref: String
    /// True when a local template repository had uncommitted changes and its working tree
    /// was rendered instead of `commit`.
    package var dirty: Bool
    /// A tag that points at `commit` (the newest version tag when several do), if any.
    package var tag: String?
    /// `git describe --tags --always` of `commit` (what copier records as `_commit`).
    package var described: String?
    /// The ref the user asked for (`--vcs-ref`, or the recorded one `check` renders at); nil when
    /// the loader chose (cookiecutter's `_checkout` is this, `null` when nothing was asked).
    package var requested: String?

    /// A recorded `_commit` as messages show it: a full commit id shortened to 12 digits; a tag,
    /// a `git describe` name or a content hash (`sha256:...`) as it is.
    package static func label(_ commit: String) -> String {
        let isFullID = commit.utf8.count == 40 && commit.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        return isFullID ? String(commit.prefix(12)) : commit
    }

    package init(commit: String, ref: String, dirty: Bool) {
        self.commit = commit
        self.ref = ref
        self.dirty = dirty
    }
}

/// Where `--template` (or a recorded `_template`) points.
package enum TemplateSource: Sendable, Equatable {
    case builtin(String)
    /// A template directory that is not the root of a git repository.
    case directory(String)
    /// The root of a local git repository (absolute path).
    case localRepository(String)
    /// Something to clone: `https://`, `file://`, `ssh://`, `git@host:path` (with `gh:`/`gl:`
    /// already expanded).
    case remote(String)

    /// Classifies `spec`: git URLs and `gh:owner/repo`/`gl:owner/repo` are remote; an existing
    /// directory is a local repository when it is a repository's root, else a plain directory;
    /// a bare name is a built-in template.
    package static func classify(_ spec: String, relativeTo workingDirectory: String) throws -> TemplateSource {
        if spec.hasPrefix("-") {
            throw GitTemplateError.optionLike(spec)
        }
        let lower = spec.lowercased()
        // Sources cookiecutter also reads, named rather than looked for as folders.
        if lower.hasPrefix("hg+") || lower.hasPrefix("hg:") {
            throw GitTemplateError.unsupportedSource(spec, "Mercurial repositories are not read; clone it and pass the folder")
        }
        if lower.hasPrefix("bb:") {
            throw GitTemplateError.unsupportedSource(spec, "the bb: (Bitbucket) shorthand is not read; pass the repository's https:// URL")
        }
        if lower.hasSuffix(".zip") {
            throw GitTemplateError.unsupportedSource(spec, "zip archives are not read as templates; unzip it and pass the folder")
        }
        for (prefix, host) in [("gh:", "https://github.com/"), ("gl:", "https://gitlab.com/")] where lower.hasPrefix(prefix) {
            let path = String(spec.dropFirst(prefix.count))
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && $0 != "." && $0 != ".." }) else {
                throw GitTemplateError.badShorthand(spec)
            }
            return .remote(host + path + (path.hasSuffix(".git") ? "" : ".git"))
        }
        if lower.hasPrefix("git+") { return .remote(String(spec.dropFirst(4))) }
        if lower.hasPrefix("file://") || TemplateLocator.isGitURL(spec) { return .remote(spec) }
        let looksLikePath = spec.contains("/") || spec.hasPrefix(".") || spec.hasPrefix("~")
        if !looksLikePath, BuiltinTemplates.tree(named: spec) != nil { return .builtin(spec) }
        let expanded = Self.expandingTilde(spec)
        let absolute = URL(fileURLWithPath: expanded.hasPrefix("/") ? expanded : workingDirectory + "/" + expanded)
            .standardizedFileURL.path
        if GitRepository.exists(at: absolute), let repository = try? GitRepository.open(at: absolute),
           repository.workingDirectory != nil {
            return .localRepository(absolute)
        }
        return .directory(absolute)
    }

    /// `~/x` and `~` with the home folder as the shell expands them (`$HOME`, else the account's);
    /// `~user/x` as Foundation expands it.
    package static func expandingTilde(_ path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if path == "~" || path.hasPrefix("~/"), let home = environment["HOME"], !home.isEmpty {
            return home + path.dropFirst()
        }
        return (path as NSString).expandingTildeInPath
    }

    /// True for sources read through git.
    package var isGit: Bool {
        switch self {
        case .localRepository, .remote: return true
        case .builtin, .directory: return false
        }
    }
}

/// Problems with git templates, with what to do about them.
package enum GitTemplateError: Error, Sendable, CustomStringConvertible {
    case optionLike(String)
    case badShorthand(String)
    case refNeedsGit(String)
    case git(source: String, GitError)
    case noCommits(String)
    case unknownRef(source: String, ref: String)
    case commitUnavailable(source: String, commit: String)
    case linkUnsupported(source: String, path: String, reason: String)
    /// A kind of source cookiecutter reads that mlrepro does not (zip archives, Mercurial).
    case unsupportedSource(String, String)

    package var description: String {
        switch self {
        case let .optionLike(text):
            return "'\(text)' looks like a command-line option; a template source cannot start with '-'"
        case let .badShorthand(text):
            return "'\(text)' is not a repository shorthand; write gh:OWNER/REPO (or gl:OWNER/REPO)"
        case let .refNeedsGit(source):
            return "--vcs-ref only applies to git templates, and '\(source)' is not a git repository; "
                + "drop --vcs-ref or point --template at a repository"
        case let .git(source, error):
            return "template '\(source)': \(error)"
        case let .noCommits(source):
            return "template repository '\(source)' has no commits yet; commit the template first"
        case let .unknownRef(source, ref):
            return "template '\(source)' has no tag, branch or commit '\(ref)'; "
                + "list its tags with 'git ls-remote --tags \(source)' and pass one with --vcs-ref"
        case let .commitUnavailable(source, commit):
            return "template '\(source)' no longer has commit \(commit) (recorded as _commit); "
                + "the repository may have been rewritten or moved"
        case let .unsupportedSource(source, reason):
            return "template '\(source)': \(reason)"
        case let .linkUnsupported(source, path, reason):
            return "template '\(source)': symbolic link '\(path)' \(reason)"
        }
    }
}
