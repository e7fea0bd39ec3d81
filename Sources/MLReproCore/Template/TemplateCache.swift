import Foundation
import GitSupport
import TemplateEngine

/// Bare clones of remote templates, one per source, under `$XDG_CACHE_HOME/mlrepro/git`
/// (or `~/.cache/mlrepro/git`). A clone is reused while its `origin` is the requested URL; it is
/// fetched only when a wanted ref or commit is missing, or when the newest tag is asked for.
package struct TemplateCache: Sendable {
    package let directory: String

    package init(directory: String) {
        self.directory = directory
    }

    /// The cache location the environment names.
    package static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> TemplateCache {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return TemplateCache(directory: xdg + "/mlrepro/git")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return TemplateCache(directory: home + "/.cache/mlrepro/git")
    }

    /// Where the clone of `url` lives: a readable name plus a hash of the whole URL.
    package func path(for url: String) -> String {
        let readable = url.split(whereSeparator: { $0 == "/" || $0 == ":" }).last.map(String.init) ?? "template"
        let safe = String(readable.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
            .replacingOccurrences(of: ".git", with: "")
        let digest = String(SHA256.hex(Array(url.utf8)).prefix(16))
        return directory + "/" + (safe.isEmpty ? "template" : safe) + "-" + digest + ".git"
    }

    /// Removes a cache entry that cannot be used (moved aside first, so a failure half way leaves
    /// no entry under the name).
    private static func discard(_ entry: String, source: String) throws {
        let aside = entry + ".partial-\(getpid())-stale-\(UInt32.random(in: 0...UInt32.max))"
        guard rename(entry, aside) == 0 else {
            throw GitTemplateError.git(source: source, .writeFailed(path: entry, reason: String(cString: strerror(errno))))
        }
        var info = stat()
        if lstat(aside, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            unlink(aside)
        } else {
            try? FileManager.default.removeItem(atPath: aside)
        }
    }

    /// The cached clone of `url`, cloning it first when absent. `fresh` is true when this call
    /// cloned it (so a fetch would bring nothing new).
    package func repository(for url: String) throws -> (repository: GitRepository, fresh: Bool) {
        let target = path(for: url)
        removeAbandonedClones()
        // An entry is used only when it is a real folder holding a clone of this very URL: one
        // swapped for a link, or for another repository's clone, is cloned again.
        var info = stat()
        if lstat(target, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR, let existing = try? GitRepository.open(at: target),
               let origin = try? existing.remoteURL(), origin == url {
                return (existing, false)
            }
            try Self.discard(target, source: url)
        }
        try Self.checkLocalSource(url)
        // The outermost folder this call creates, removed again when the clone fails.
        var created: String?
        var probe = directory
        while !probe.isEmpty && probe != "/" && !FileManager.default.fileExists(atPath: probe) {
            created = probe
            probe = (probe as NSString).deletingLastPathComponent
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw GitTemplateError.git(source: url, .writeFailed(path: directory, reason: error.localizedDescription))
        }
        // Clone beside the final place and rename, so an interrupted clone leaves no half cache
        // (and a process killed while cloning leaves one that the next run removes).
        let temporary = target + ".partial-" + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        do {
            _ = try GitRepository.clone(from: url, to: temporary, bare: true)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            if let created { try? FileManager.default.removeItem(atPath: created) }
            if let error = error as? GitError { throw GitTemplateError.git(source: url, error) }
            throw error
        }
        if rename(temporary, target) != 0, !GitRepository.exists(at: target) {
            throw GitTemplateError.git(source: url, .writeFailed(path: target, reason: String(cString: strerror(errno))))
        }
        do {
            return (try GitRepository.open(at: target), true)
        } catch let error as GitError {
            throw GitTemplateError.git(source: url, error)
        }
    }

    static let partialMarker = ".git.partial-"

    /// Removes clones left half done by a process that no longer runs (killed while cloning).
    func removeAbandonedClones() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names {
            guard let marker = name.range(of: Self.partialMarker) else { continue }
            let pid = name[marker.upperBound...].prefix { $0.isNumber }
            guard let process = pid_t(pid), process > 0, process != getpid() else { continue }
            if kill(process, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: directory + "/" + name)
            }
        }
    }

    /// A repository on this machine (`file://` or a path) is cloned by libgit2's local transport,
    /// which walks trees recursively: a tree nested deeper than its thread's stack crashes it.
    /// Such a source is checked first, iteratively, against `TemplateLimits.depth`.
    static func checkLocalSource(_ url: String) throws {
        let path: String
        if url.lowercased().hasPrefix("file://") {
            guard let parsed = URL(string: url), parsed.isFileURL else { return }
            path = parsed.path
        } else if url.hasPrefix("/") {
            path = url
        } else {
            return
        }
        guard let repository = try? GitRepository.open(at: path) else { return }
        do {
            try repository.refuseTreesDeeperThan(TemplateLimits.depth)
        } catch GitError.treeTooLarge(_, let reason) {
            throw TemplateLimitError(location: url, reason: "the repository is not cloned: \(reason)")
        } catch let error as GitError {
            throw GitTemplateError.git(source: url, error)
        }
    }
}
