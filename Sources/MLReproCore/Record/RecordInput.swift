import Foundation
import TemplateEngine

/// A project's own record (`.mlrepro/`, `.copier-answers.yml`, `.cruft.json`) is untrusted input:
/// in CI it comes from whoever opened the pull request. Its files are read only as regular files
/// inside the project, never through a symbolic link, and bounded in size; every path it names is
/// checked here before `check` reads or `update` writes or removes anything.
enum RecordInput {
    /// The most a record file may hold (answers files have their own, smaller bound).
    static let maxFileBytes = 64 * 1024 * 1024

    /// Reads `relative` (`.mlrepro/checksums`) inside `project`; nil when it does not exist. Every
    /// component must be a real folder and the file a regular file: a link, a FIFO or a device is
    /// an error, as is a file over `maxBytes`.
    static func contents(of relative: String, in project: String, maxBytes: Int = maxFileBytes) throws -> Data? {
        let components = relative.split(separator: "/").map(String.init)
        var path = project
        for (index, component) in components.enumerated() {
            path += "/" + component
            var info = stat()
            guard lstat(path, &info) == 0 else {
                if errno == ENOENT || errno == ENOTDIR { return nil }
                throw ProjectRecordError.unreadable(path, String(cString: strerror(errno)))
            }
            let kind = info.st_mode & S_IFMT
            if kind == S_IFLNK {
                throw ProjectRecordError.unreadable(path, "it is a symbolic link; a project's record is read only from regular files inside the project")
            }
            let last = index == components.count - 1
            if !last && kind != S_IFDIR { return nil }
            if last && kind != S_IFREG {
                throw ProjectRecordError.unreadable(path, kind == S_IFDIR ? "it is a folder, not a file" : "it is not a regular file")
            }
        }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw ProjectRecordError.unreadable(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw ProjectRecordError.unreadable(path, "it is not a regular file")
        }
        if Int(info.st_size) > maxBytes {
            throw ProjectRecordError.unreadable(path, "it is larger than \(maxBytes / (1024 * 1024)) MiB")
        }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw ProjectRecordError.unreadable(path, String(cString: strerror(errno)))
            }
            if got == 0 { return data }
            data.append(contentsOf: chunk[..<got])
            if data.count > maxBytes { throw ProjectRecordError.unreadable(path, "it is larger than \(maxBytes / (1024 * 1024)) MiB") }
        }
    }

    /// True when `relative` exists inside `project` (links are not followed).
    static func exists(_ relative: String, in project: String) -> Bool {
        var info = stat()
        return lstat(project + "/" + relative, &info) == 0
    }

    /// Why `path`, read from a record, cannot name a file of the project; nil when it can. The
    /// rule is lexical and the same for every record: relative, normalised (no empty, `.` or `..`
    /// component), no control characters, not inside a version-control folder, within the
    /// length and depth a template may produce.
    static func problem(with path: String) -> String? {
        if path.isEmpty { return "an empty path" }
        if path.hasPrefix("/") { return "an absolute path" }
        if path.utf8.count > GenerationPlanner.maxPathBytes { return "longer than \(GenerationPlanner.maxPathBytes) bytes" }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count > GenerationPlanner.maxDepth { return "more than \(GenerationPlanner.maxDepth) folders deep" }
        for part in parts {
            if part.isEmpty { return "an empty path component" }
            if part == "." || part == ".." { return "'\(part)' is not allowed: the path must stay inside the project" }
            if part.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                return "control characters in a file name"
            }
        }
        if let folder = GenerationPlanner.versionControlComponent(of: path) {
            return "'\(folder)' is a version-control folder, which no generated file may be in"
        }
        return nil
    }

    /// Throws a located error when `path` breaks the rule of `problem(with:)`.
    static func check(_ path: String, at location: SourceLocation) throws {
        if let reason = problem(with: path) { throw ProjectRecordError.unsafePath(location, path, reason) }
    }

    /// Why a `_skip` pattern cannot be one of the project's: empty, climbing out with `..`, or with
    /// control characters (a leading `/` anchors it at the project's root, as in `.gitignore`).
    static func patternProblem(_ pattern: String) -> String? {
        let body = pattern.hasPrefix("!") ? String(pattern.dropFirst()) : pattern
        if body.isEmpty { return "an empty pattern" }
        if body.split(separator: "/").contains(where: { $0 == ".." }) { return "'..' is not allowed: patterns match paths inside the project" }
        if body.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "control characters in a pattern" }
        return nil
    }
}
