import Foundation
import TemplateEngine

/// One output of the plan: a directory, a rendered file or a file copied byte for byte.
package struct PlannedItem: Sendable {
    package enum Kind: Sendable, Equatable {
        case directory
        case render
        case copy
        /// A symbolic link to `target` (`_preserve_symlinks`); its mode is `PlannedItem.linkMode`.
        case link(target: String)
    }

    /// The mode of a planned link (S_IFLNK), as `ProjectFiles.read` reports links.
    package static let linkMode: UInt16 = 0o120000

    /// Path relative to DEST, `/`-separated, checked to stay inside DEST.
    package var path: String
    package var kind: Kind
    /// Path of the source inside the template tree.
    package var source: String
    package var mode: UInt16
    /// Matches `_secret_files`: written 0600 only when absent, never recorded or printed.
    package var isSecret: Bool
    /// Matches `_skip_if_exists`: kept when DEST already has it.
    package var skipIfExists: Bool
}

/// What `init` will write, in path order (parents before children).
package struct GenerationPlan: Sendable {
    package var items: [PlannedItem]
    /// Paths mlrepro itself owns inside DEST.
    package static let recordDirectory = ".mlrepro"

    package var files: [PlannedItem] { items.filter { $0.kind != .directory } }
}

/// Builds the plan: renders every path component, applies `_subdirectory`, `_exclude`,
/// the templates suffix, and checks every output path.
package struct GenerationPlanner: Sendable {
    package var tree: TemplateTree
    package var manifest: TemplateManifest
    package var environment: TemplateEnvironment

    package init(tree: TemplateTree, manifest: TemplateManifest, environment: TemplateEnvironment) {
        self.tree = tree
        self.manifest = manifest
        self.environment = environment
    }

    /// The template-relative folder files come from (`_subdirectory`), normalised.
    /// A templated `_subdirectory` is known only once the answers are: before, this is the root.
    package static func base(of manifest: TemplateManifest, in tree: TemplateTree) throws -> String {
        if let problem = manifest.layoutProblem { throw problem }
        guard let subdirectory = manifest.subdirectory else { return "" }
        let delimiters = manifest.environmentOptions.delimiters
        if manifest.rendersSubdirectory,
           subdirectory.contains(delimiters.variableStart) || subdirectory.contains(delimiters.blockStart) { return "" }
        let parts = subdirectory.split(separator: "/").filter { $0 != "." }
        if subdirectory.hasPrefix("/") || parts.contains("..") {
            throw GenerationError.unsafeOutputPath(template: tree.displayPath(manifest.fileName), rendered: subdirectory,
                                                   reason: "_subdirectory must stay inside the template")
        }
        let base = parts.joined(separator: "/")
        if !base.isEmpty && tree.entry(at: base)?.isDirectory != true {
            throw GenerationError.unreadable(tree.displayPath(base), "_subdirectory names no folder of the template")
        }
        return base
    }

    package func plan(context: OrderedMapping) throws -> GenerationPlan {
        // copier renders `_subdirectory` with the answers; the default `_exclude` still follows
        // what the manifest wrote.
        let exclude = PathPatterns(manifest.effectiveExclude)
        var manifest = self.manifest
        if manifest.rendersSubdirectory, let subdirectory = manifest.subdirectory {
            do {
                manifest.subdirectory = try environment.render(subdirectory, name: tree.displayPath(manifest.fileName) + ":_subdirectory",
                                                               context: context)
            } catch let error as TemplateError {
                throw GenerationError.pathTemplate(path: tree.displayPath(manifest.fileName) + ":_subdirectory", message: error.message)
            }
        }
        let base = try Self.base(of: manifest, in: tree)
        let secrets = PathPatterns(manifest.secretFiles)
        let skips = PathPatterns(manifest.skipIfExists)
        let suffix = manifest.templatesSuffix
        // `_copy_without_render` matches a file or any folder above it (fnmatch: `*` spans `/`).
        let copyOnly = manifest.copyWithoutRender.map { Array($0.unicodeScalars) }
        let delimiters = manifest.environmentOptions.delimiters
        // Output path of each template directory; nil when it was dropped or excluded.
        var directories: [ExactPath: String?] = [ExactPath(base): ""]
        var owners: [ExactPath: String] = [:]
        // Folders planned so far: two template folders that render to one path are one folder
        // (copier merges them); two files are still refused.
        var plannedFolders = Set<ExactPath>()
        var items: [PlannedItem] = []
        for entry in tree.entries {
            if entry.path.utf8.count > Self.maxPathBytes || entry.path.utf8.filter({ $0 == 0x2F }).count >= Self.maxDepth {
                throw GenerationError.unsafeOutputPath(template: tree.displayPath(String(entry.path.prefix(200)) + "..."),
                                                       rendered: String(entry.path.prefix(200)) + "...",
                                                       reason: "path longer than \(Self.maxPathBytes) bytes or deeper than \(Self.maxDepth) folders")
            }
            guard let relative = GenerationPlanner.projectPath(of: entry.path, base: base, manifest: manifest) else { continue }
            // copier skips a file (or folder) whose templated twin (`name` + suffix) is beside it.
            if !suffix.isEmpty && tree.entry(at: entry.path + suffix) != nil {
                directories[ExactPath(entry.path)] = .some(nil)
                continue
            }
            let parentSource = TemplatePath.parent(entry.path)
            guard let parentOutput = directories[ExactPath(parentSource)] ?? nil else {
                directories[ExactPath(entry.path)] = .some(nil)
                continue
            }
            var name = String(relative.split(separator: "/").last ?? "")
            var kind: PlannedItem.Kind = entry.isDirectory ? .directory : .copy
            if !entry.isDirectory && (suffix.isEmpty || (name.hasSuffix(suffix) && name.count > suffix.count)) {
                kind = .render
                name = String(name.dropLast(suffix.count))
                if suffix.isEmpty && manifest.copiesBinaryFiles {
                    // A file too large to render is copied without being read.
                    if entry.size > TemplateLimits.readWhole {
                        kind = .copy
                    } else {
                        let bytes = try entry.read(shownAs: tree.displayPath(entry.path))
                        if bytes.contains(0) || String(validating: bytes, as: UTF8.self) == nil { kind = .copy }
                    }
                }
                if suffix.isEmpty && copyOnly.contains(where: { Self.fnmatch($0, relative) }) { kind = .copy }
            }
            if name.contains(delimiters.variableStart) || name.contains(delimiters.blockStart) {
                do {
                    name = try environment.render(name, name: tree.displayPath(entry.path), context: context)
                } catch let error as TemplateError {
                    throw GenerationError.pathTemplate(path: tree.displayPath(entry.path), message: error.message)
                }
            }
            if name.isEmpty {
                directories[ExactPath(entry.path)] = .some(nil)
                continue
            }
            var output = parentOutput.isEmpty ? name : parentOutput + "/" + name
            // copier's `_render_parts`: a name that renders to the answers file's path is that path
            // (`.copier-answers/{{ _copier_conf.answers_file }}.jinja` with `_answers_file:
            // .copier-answers/project.yml` writes `.copier-answers/project.yml`).
            if manifest.answersFileNamedAnywhere, !entry.isDirectory, let answers = manifest.answersFile, name == answers {
                output = answers
            }
            // ... and a plain one whose rendered path plus the suffix names a template entry
            // (copier's `_render_parts` looks that up from the template's root).
            if kind != .render && !suffix.isEmpty && tree.entry(at: output + suffix) != nil {
                directories[ExactPath(entry.path)] = .some(nil)
                continue
            }
            try checkSafe(output, source: entry.path)
            var mode = entry.mode
            // A link to a folder of the template is a folder here (its files are entries under
            // it), as copier follows it; with `_preserve_symlinks` it is kept as a link instead.
            if let linkTarget = entry.linkTarget, !entry.isDirectory || manifest.preserveSymlinks {
                if manifest.preserveSymlinks {
                    // copier renders the target of a link whose name has the templates suffix.
                    var target = linkTarget
                    if kind == .render && (target.contains(delimiters.variableStart) || target.contains(delimiters.blockStart)) {
                        do {
                            target = try environment.render(target, name: tree.displayPath(entry.path), context: context)
                        } catch let error as TemplateError {
                            throw GenerationError.pathTemplate(path: tree.displayPath(entry.path), message: error.message)
                        }
                    }
                    try checkLink(target, at: output, source: entry.path)
                    kind = .link(target: target)
                    mode = PlannedItem.linkMode
                } else if let error = entry.linkError {
                    throw error
                }
            }
            if exclude.matches(output, isDirectory: entry.isDirectory) {
                directories[ExactPath(entry.path)] = .some(nil)
                continue
            }
            if let control = Self.versionControlComponent(of: output) {
                throw GenerationError.unsafeOutputPath(
                    template: tree.displayPath(entry.path), rendered: output,
                    reason: "'\(control)' is a version-control folder: a template may not write into one (its config and hooks would run commands), whatever _exclude says")
            }
            if let first = owners[ExactPath(output)] {
                if kind == .directory && plannedFolders.contains(ExactPath(output)) {
                    directories[ExactPath(entry.path)] = .some(output)
                    continue
                }
                throw GenerationError.duplicateOutput(path: output, first: first, second: entry.path)
            }
            owners[ExactPath(output)] = entry.path
            if kind == .directory {
                directories[ExactPath(entry.path)] = .some(output)
                plannedFolders.insert(ExactPath(output))
            } else if entry.isDirectory {
                // A folder link kept as a link: the files under it are not generated again.
                directories[ExactPath(entry.path)] = .some(nil)
            }
            items.append(PlannedItem(
                path: output, kind: kind, source: entry.path, mode: mode,
                isSecret: !entry.isDirectory && secrets.matches(output, isDirectory: false),
                skipIfExists: skips.matches(output, isDirectory: entry.isDirectory)
            ))
        }
        // A rendered name may contain `/`: make sure every parent directory is planned once.
        var planned = Set(items.filter { $0.kind == .directory }.map { ExactPath($0.path) })
        var extra: [PlannedItem] = []
        for item in items {
            var parent = TemplatePath.parent(item.path)
            while !parent.isEmpty && !planned.contains(ExactPath(parent)) {
                planned.insert(ExactPath(parent))
                extra.append(PlannedItem(path: parent, kind: .directory, source: item.source, mode: 0o755,
                                         isSecret: false, skipIfExists: false))
                parent = TemplatePath.parent(parent)
            }
        }
        for item in items + extra where item.kind != .directory && planned.contains(ExactPath(item.path)) {
            throw GenerationError.duplicateOutput(path: item.path, first: item.source, second: "a folder of the same name")
        }
        return GenerationPlan(items: (items + extra).sorted { ExactPath.precedes($0.path, $1.path) })
    }

    /// A template entry's path inside the project folder (`base`, the template's subdirectory),
    /// or nil when it lies outside it or is a manifest file the format consumes.
    static func projectPath(of path: String, base: String, manifest: TemplateManifest) -> String? {
        if base.isEmpty {
            return !path.contains("/") && manifest.formatFiles.contains(path) ? nil : path
        }
        guard path.hasPrefix(base + "/") else { return nil }
        return String(path.dropFirst(base.count + 1))
    }

    /// A preserved link must lead somewhere inside DEST.
    func checkLink(_ target: String, at output: String, source: String) throws {
        if let reason = Self.linkProblem(target, at: output) {
            throw GenerationError.unsafeOutputPath(template: tree.displayPath(source), rendered: "\(output) -> \(target)",
                                                   reason: reason)
        }
    }

    /// Why a symbolic link at `path` (inside DEST) to `target` is refused, or nil: an absolute or
    /// empty target, `..` above DEST, or a target in a version-control folder or in `.mlrepro/`,
    /// wherever `..` leads first. Used for every link mlrepro writes (init, update).
    static func linkProblem(_ target: String, at path: String) -> String? {
        if target.isEmpty || target.hasPrefix("/") { return "a symbolic link must point inside DEST" }
        var resolved = path.split(separator: "/").dropLast().map(String.init)
        for part in target.split(separator: "/") where part != "." {
            if part == ".." {
                if resolved.isEmpty { return "a symbolic link must point inside DEST" }
                resolved.removeLast()
            } else {
                resolved.append(String(part))
            }
        }
        if let folder = versionControlComponent(of: resolved.joined(separator: "/")) {
            return "a symbolic link may not point into the version-control folder '\(folder)'"
        }
        if let first = resolved.first, fold(Substring(first)) == GenerationPlan.recordDirectory {
            return "a symbolic link may not point into \(GenerationPlan.recordDirectory)/"
        }
        return nil
    }

    /// fnmatch of `path` or one of its parent folders (Python's `fnmatch`, as cookiecutter uses it).
    static func fnmatch(_ pattern: [Unicode.Scalar], _ path: String) -> Bool {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix = prefix.isEmpty ? String(part) : prefix + "/" + part
            if PathPatterns.wildcard(pattern[...], Array(prefix.unicodeScalars)[...]) { return true }
        }
        return false
    }

    /// Folder names of version-control systems whose contents run commands (git's `config`
    /// `core.fsmonitor`, hooks), as a case-insensitive file system would compare them.
    /// The longest path a template may hold or a plan may produce (Linux allows 4096 in all).
    static let maxPathBytes = 4000
    /// The deepest folder nesting a template may hold.
    static let maxDepth = 200

    static let versionControlFolders: Set<String> = [".git", ".hg", ".svn", ".bzr", "git~1"]

    /// The first component of `path` that names a version-control folder, if any.
    static func versionControlComponent(of path: String) -> Substring? {
        path.split(separator: "/").first { versionControlFolders.contains(fold($0)) }
    }

    /// A name as case-insensitive file systems compare it: case folded, the code points macOS
    /// ignores removed, an NTFS stream suffix (`.git::$INDEX_ALLOCATION`, `.git:x`) cut off,
    /// trailing dots and spaces dropped (Windows).
    static func fold(_ name: Substring) -> String {
        let ignorable: (Unicode.Scalar) -> Bool = {
            (0x200C...0x200F).contains($0.value) || (0x202A...0x202E).contains($0.value)
                || (0x206A...0x206F).contains($0.value) || $0.value == 0xFEFF
        }
        let stem = name.firstIndex(of: ":").map { name[..<$0] } ?? name
        var scalars = String.UnicodeScalarView(stem.unicodeScalars.filter { !ignorable($0) })
        while let last = scalars.last, last == "." || last == " " { scalars.removeLast() }
        return String(scalars).lowercased()
    }

    /// Refuses output paths that could leave DEST or break the file system.
    private func checkSafe(_ output: String, source: String) throws {
        func refuse(_ reason: String) -> GenerationError {
            .unsafeOutputPath(template: tree.displayPath(source), rendered: output, reason: reason)
        }
        if output.hasPrefix("/") { throw refuse("absolute paths are not allowed") }
        for part in output.split(separator: "/", omittingEmptySubsequences: false) {
            if part.isEmpty { throw refuse("empty path component") }
            if part == "." || part == ".." { throw refuse("'\(part)' would leave its folder") }
            if part.utf8.count > 255 { throw refuse("a name longer than 255 bytes") }
            if part.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || (0x202a...0x202e).contains($0.value) || (0x2066...0x2069).contains($0.value) }) {
                throw refuse("control or bidirectional-override characters in a file name")
            }
        }
        if let first = output.split(separator: "/").first, Self.fold(first) == GenerationPlan.recordDirectory {
            throw refuse("\(GenerationPlan.recordDirectory)/ is written by mlrepro itself")
        }
        if output.utf8.count > Self.maxPathBytes { throw refuse("path longer than \(Self.maxPathBytes) bytes") }
    }
}
