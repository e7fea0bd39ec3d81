import Foundation
import GitSupport
import TemplateEngine

/// One file or directory of a template, path relative to the template root (`/`-separated).
package struct TemplateEntry: Sendable {
    package var path: String
    package var isDirectory: Bool
    package var mode: UInt16
    /// The file's contents. A large file kept on disk (or in a git repository) is read here
    /// whole, and an empty array comes back when it cannot be: code that may meet large files
    /// uses `read(limit:)`, `copy(into:)` or `digest()` instead (see TemplateContents.swift).
    package var bytes: [UInt8] {
        get { (try? read(limit: Int.max)) ?? [] }
        set { storage = .inline(newValue) }
    }
    var storage: Storage
    /// For a symbolic link: its target as written. With `_preserve_symlinks` the link is
    /// generated as a link; otherwise `bytes` and `mode` are the file it leads to.
    package var linkTarget: String?
    /// For a link that cannot be followed (outside the template, dangling, a folder): why. It is
    /// an error only when the link has to be followed (without `_preserve_symlinks`).
    package var linkError: (any Error)?

    package init(path: String, isDirectory: Bool, mode: UInt16, bytes: [UInt8] = []) {
        self.path = path
        self.isDirectory = isDirectory
        self.mode = mode
        self.storage = .inline(bytes)
    }

    /// A built-in template's file, left base64-encoded in the binary until it is read.
    init(path: String, mode: UInt16, embedded: EmbeddedBase64) {
        self.path = path
        self.isDirectory = false
        self.mode = mode
        self.storage = .embedded(embedded)
    }

    enum Storage: Sendable {
        case inline([UInt8])
        case embedded(EmbeddedBase64)
        /// A file of a template directory, read when it is used.
        case file(path: String, size: Int)
        /// A blob of a git template, read when it is used.
        case blob(repository: String, id: ObjectID, size: Int)
    }

    /// A file whose contents stay where they are until used.
    init(path: String, mode: UInt16, storage: Storage) {
        self.path = path
        self.isDirectory = false
        self.mode = mode
        self.storage = storage
    }

    /// A link that is generated as a link or refused with `error` if it has to be followed.
    static func unfollowableLink(path: String, target: String, error: any Error) -> TemplateEntry {
        var entry = TemplateEntry(path: path, isDirectory: false, mode: 0o644)
        entry.linkTarget = target
        entry.linkError = error
        return entry
    }
}

/// A whole template read into memory: from a directory on disk or from the built-in set.
package struct TemplateTree: Sendable {
    /// The template as the user named it (`ml-research`, a directory path).
    package var source: String
    /// Where it was read from, for messages (a directory or `built-in:NAME`).
    package var origin: String
    /// Entries sorted by path.
    package var entries: [TemplateEntry]
    /// The git commit a git template was read at (nil for built-in and directory templates).
    package var revision: TemplateRevision?
    /// `--template` exactly as given (copier records it as `_src_path`); nil when not given.
    package var requestedSource: String?
    /// The format `--format` chose (`copier`, `cookiecutter`, ...) for a template that ships
    /// manifests of several formats; nil reads the first one `TemplateFormats.all` recognises.
    package var formatPreference: String?
    /// For a nested cookiecutter template, its folder inside the template as given.
    package var nestedPath: String?
    private var index: [ExactPath: Int]
    /// `contentHash` computed when the tree was built (built-in templates: by the embedder, so
    /// that their files need not be decoded to name them).
    var precomputedHash: String?

    package init(source: String, origin: String, entries: [TemplateEntry]) {
        self.source = source
        self.origin = origin
        self.entries = entries.sorted { ExactPath.precedes($0.path, $1.path) }
        var index: [ExactPath: Int] = [:]
        for (position, entry) in self.entries.enumerated() { index[ExactPath(entry.path)] = position }
        self.index = index
    }

    package func entry(at path: String) -> TemplateEntry? { index[ExactPath(path)].map { entries[$0] } }

    /// The manifest file at the root that decides the template's format; nil when there is none.
    package var manifestName: String? { TemplateFormats.detect(self)?.fileName }

    /// Reads the manifest through the template's format (see `TemplateFormat`).
    package func manifest() throws -> TemplateManifest {
        guard let (format, name) = TemplateFormats.detect(self) else {
            if let wanted = formatPreference, let format = TemplateFormats.all.first(where: { $0.name == wanted }) {
                throw GenerationError.noManifestOfFormat(origin, format: wanted, files: format.manifestFileNames)
            }
            throw GenerationError.noManifest(origin)
        }
        return try format.manifest(named: name, in: self)
    }

    /// The template in `folder` (cookiecutter's nested templates): same source and revision, its
    /// entries re-rooted at the folder; `nestedPath` says where it lies.
    package func subtree(at folder: String) -> TemplateTree {
        let prefix = folder + "/"
        let inner = entries.compactMap { entry -> TemplateEntry? in
            guard entry.path.hasPrefix(prefix) else { return nil }
            var moved = entry
            moved.path = String(entry.path.dropFirst(prefix.count))
            return moved
        }
        var tree = TemplateTree(source: source, origin: origin + "/" + folder, entries: inner)
        tree.revision = revision
        tree.requestedSource = requestedSource
        tree.formatPreference = formatPreference
        tree.nestedPath = (nestedPath.map { $0 + "/" } ?? "") + folder
        return tree
    }

    /// A path inside the template as diagnostics show it.
    package func displayPath(_ path: String) -> String {
        origin.hasPrefix("built-in:") ? "\(source)/\(path)" : "\(origin)/\(path)"
    }

    /// A content hash of the whole template (paths, modes, bytes): the recorded `_commit`.
    package var contentHash: String {
        if let precomputedHash { return precomputedHash }
        var hasher = SHA256()
        for entry in entries {
            hasher.update(Array("\(entry.isDirectory ? "d" : "f") \(String(entry.mode, radix: 8)) \(entry.path)\n".utf8))
            if !entry.isDirectory {
                hasher.update(Array("\(entry.size)\n".utf8))
                // A file that cannot be read hashes as its size alone; reading it later fails.
                try? entry.stream { hasher.update(buffer: $0) }
            }
            if let linkTarget = entry.linkTarget { hasher.update(Array("-> \(linkTarget)\n".utf8)) }
        }
        return "sha256:" + hasher.finalizeHex()
    }
}

/// Include loader over a template tree: a name is looked up in the folder files come from
/// (`_subdirectory`), then at the template root, where copier's loader looks.
struct TreeLoader: TemplateLoader {
    let tree: TemplateTree
    /// The folders searched in order (`""` is the template's root).
    let folders: [String]

    /// `base` (the subdirectory files are rendered from), then the root; or, where the manifest
    /// says, its `includeFolders` (`.` standing for `base`).
    init(tree: TemplateTree, base: String, manifest: TemplateManifest? = nil) {
        self.tree = tree
        if let listed = manifest?.includeFolders {
            folders = listed.map { $0 == "." ? base : $0 }
        } else {
            folders = base.isEmpty ? [""] : [base, ""]
        }
    }

    func source(named name: String) throws -> String? {
        let parts = name.split(separator: "/")
        if name.hasPrefix("/") || parts.contains("..") { return nil }
        let name = parts.filter { $0 != "." }.joined(separator: "/")
        for path in folders.map({ $0.isEmpty ? name : $0 + "/" + name }) {
            if let entry = tree.entry(at: path), !entry.isDirectory {
                return String(decoding: try entry.read(shownAs: tree.displayPath(path)), as: UTF8.self)
            }
        }
        return nil
    }
}

// MARK: - Reading a template directory

extension TemplateEntry {
    /// Writes `entries` under `folder` (created private): folders, files with their modes, and
    /// links that could not be followed as the links they are. For the copies hooks and Python
    /// extensions run on.
    static func write(_ entries: [TemplateEntry], into folder: String) throws {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            for entry in entries {
                let path = folder + "/" + entry.path
                if entry.isDirectory {
                    try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
                    continue
                }
                try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                if entry.linkError != nil, let target = entry.linkTarget {
                    try manager.createSymbolicLink(atPath: path, withDestinationPath: target)
                } else {
                    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(entry.mode & 0o777))
                    guard fd >= 0 else { throw GenerationError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
                    defer { close(fd) }
                    if let reason = try entry.copy(into: fd) { throw GenerationError.writeFailed(path: path, reason: reason) }
                    fchmod(fd, mode_t(entry.mode & 0o777))
                }
            }
        } catch let error as GenerationError {
            throw error
        } catch {
            throw GenerationError.writeFailed(path: folder, reason: error.localizedDescription)
        }
    }
}
