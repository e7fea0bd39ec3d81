import Foundation
import TemplateEngine

/// A git template's files written out as a folder for the length of one run, so that the commands
/// a template runs (`_tasks`, `_migrations`, cookiecutter's hooks) can use files of the template
/// through `{{ _copier_conf.src_path }}` or `{{ cookiecutter._repo_dir }}`, as they can with copier
/// and cookiecutter, which name their clone there.
///
/// Only the commands see the folder: files and questions keep `SOURCE@COMMIT`, so that a generated
/// project does not depend on where a temporary folder happened to be (copier's differs on every
/// run). The folders are removed when the process exits.
package enum TemplateCheckout {
    /// `context` with `_copier_conf.src_path` a path naming a folder that holds `tree`'s files:
    /// the template folder itself for a local folder template, a temporary copy for a git template.
    package static func commandContext(_ context: OrderedMapping, tree: TemplateTree) throws -> OrderedMapping {
        guard tree.revision != nil, case .dict(var conf)? = context["_copier_conf"] else { return context }
        conf["src_path"] = .path(try folder(of: tree))
        var changed = context
        changed["_copier_conf"] = .dict(conf)
        return changed
    }

    /// `context` with cookiecutter's `_repo_dir` (in `namespace`) naming a folder that holds a git
    /// template's files, as cookiecutter's clone does, so that hooks can read the template's files.
    package static func hookContext(_ context: OrderedMapping, tree: TemplateTree, namespace: String) throws -> OrderedMapping {
        guard tree.revision != nil, case .dict(var mapping)? = context[namespace] else { return context }
        mapping["_repo_dir"] = .string(try folder(of: tree))
        var changed = context
        changed[namespace] = .dict(mapping)
        return changed
    }

    /// Writes `tree` into a new temporary folder (once per tree and run) and returns its path.
    static func folder(of tree: TemplateTree) throws -> String {
        let key = tree.origin
        if let existing = Registry.shared.folder(for: key) { return existing }
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/tmp"
        var pattern = Array((base + "/mlrepro-template-XXXXXX").utf8CString)
        guard let created = pattern.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw GenerationError.writeFailed(path: base, reason: "cannot create a folder for the template's files: "
                                                              + String(cString: strerror(errno)))
        }
        let root = String(cString: created)
        Registry.shared.add(root, for: key)
        for entry in tree.entries {
            let path = root + "/" + entry.path
            if entry.isDirectory {
                guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
                    throw GenerationError.writeFailed(path: path, reason: String(cString: strerror(errno)))
                }
                continue
            }
            // A link that cannot be followed is left out, as the files it would give are.
            if entry.linkError != nil { continue }
            let parent = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw GenerationError.writeFailed(path: parent, reason: error.localizedDescription)
            }
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(entry.mode & 0o777 | 0o600))
            guard fd >= 0 else { throw GenerationError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
            let failure = try { defer { close(fd) }; return try entry.copy(into: fd) }()
            if let failure { throw GenerationError.writeFailed(path: path, reason: failure) }
        }
        return root
    }

    /// The folders this process made, removed at exit.
    final class Registry: @unchecked Sendable {
        static let shared = Registry()
        private let lock = NSLock()
        private var folders: [String: String] = [:]

        func folder(for key: String) -> String? { lock.withLock { folders[key] } }

        func add(_ folder: String, for key: String) {
            lock.withLock {
                if folders.isEmpty { atexit { TemplateCheckout.Registry.shared.removeAll() } }
                folders[key] = folder
            }
        }

        func removeAll() {
            let all = lock.withLock { () -> [String] in
                defer { folders = [:] }
                return Array(folders.values)
            }
            for folder in all { try? FileManager.default.removeItem(atPath: folder) }
        }
    }
}
