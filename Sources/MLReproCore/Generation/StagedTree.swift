import Dispatch
import Foundation

/// A file to write: path relative to DEST, contents, mode.
public struct OutputFile: Sendable {
    public var path: String
    public var bytes: [UInt8]
    public var mode: UInt16
    public var isDirectory: Bool

    public init(path: String, bytes: [UInt8], mode: UInt16, isDirectory: Bool = false) {
        self.path = path
        self.bytes = bytes
        self.mode = mode
        self.isDirectory = isDirectory
    }
}

/// What the final move did to DEST.
public struct CommitReport: Sendable {
    public var created: [String] = []
    public var overwritten: [String] = []
    public var identical: [String] = []
}

/// The generated tree in a staging directory next to DEST (same file system), moved into place
/// in one `rename` when DEST is absent or empty, or file by file with `--force`.
public struct StagedTree: Sendable {
    public let destination: String
    public let path: String

    /// Creates the staging directory beside `destination`.
    public static func create(for destination: String) throws -> StagedTree {
        let parent = (destination as NSString).deletingLastPathComponent
        InterruptionGuard.shared.waitIfInterrupting()
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw GenerationError.writeFailed(path: parent, reason: "cannot create the parent folder")
        }
        let name = (destination as NSString).lastPathComponent
        var template = Array("\(parent)/.\(name).mlrepro-staging-XXXXXX".utf8CString)
        let path = try InterruptionGuard.shared.createStaging {
            let made = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
            guard made != nil else {
                throw GenerationError.writeFailed(path: parent, reason: String(cString: strerror(errno)))
            }
            return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return StagedTree(destination: destination, path: path)
    }

    /// Writes every file (directories first, then files on all cores).
    public func write(_ outputs: [OutputFile]) throws {
        for output in outputs where output.isDirectory {
            let full = path + "/" + output.path
            if mkdir(full, 0o700) != 0 && errno != EEXIST {
                throw GenerationError.writeFailed(path: output.path, reason: String(cString: strerror(errno)))
            }
        }
        let files = outputs.filter { !$0.isDirectory }
        let failures = FailureSlot()
        let root = path
        // One folder's files are written by one thread: creating files in the same folder from
        // two threads makes them queue (and spin) on the folder's lock in the kernel.
        let folders = StagedTree.groupedByFolder(files.map(\.path))
        let mask = umask(0)
        umask(mask)
        DispatchQueue.concurrentPerform(iterations: folders.count) { folder in
            for index in folders[folder] {
                if InterruptionGuard.shared.isInterrupting { return }
                let file = files[index]
                if let reason = StagedTree.writeFile(root + "/" + file.path, file.bytes, mode: file.mode, umask: mask) {
                    failures.record(index, GenerationError.writeFailed(path: file.path, reason: reason))
                }
            }
        }
        // Every writer has returned: on a signal, this thread parks and the handler removes the tree.
        InterruptionGuard.shared.waitIfInterrupting()
        if let error = failures.first { throw error }
        // Directory modes last, deepest first, keeping them writable by us until the move.
        for output in outputs.reversed() where output.isDirectory {
            chmod(path + "/" + output.path, mode_t(output.mode | 0o700))
        }
        chmod(path, 0o777 & ~mask)
    }

    /// Indices of `paths` grouped by parent folder, largest group first (so the longest
    /// work starts first), each group in its original order.
    static func groupedByFolder(_ paths: [String]) -> [[Int]] {
        var groups: [Substring: [Int]] = [:]
        var order: [Substring] = []
        for (index, path) in paths.enumerated() {
            let folder = path.lastIndex(of: "/").map { path[..<$0] } ?? ""
            if groups[folder] == nil { order.append(folder) }
            groups[folder, default: []].append(index)
        }
        return order.compactMap { groups[$0] }.enumerated()
            .sorted { $0.element.count != $1.element.count ? $0.element.count > $1.element.count : $0.offset < $1.offset }
            .map(\.element)
    }

    /// One file in one open/write/close, created with its mode; nil on success, else the reason.
    /// `fchmod` follows only when `open` cannot give the mode: bits the umask removes, or the
    /// setuid, setgid and sticky bits.
    static func writeFile(_ full: String, _ bytes: [UInt8], mode: UInt16, umask mask: mode_t) -> String? {
        if mode == PlannedItem.linkMode {
            return symlink(String(decoding: bytes, as: UTF8.self), full) == 0 ? nil : String(cString: strerror(errno))
        }
        let wanted = mode_t(mode & 0o7777)
        let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, wanted & 0o777)
        if fd < 0 { return String(cString: strerror(errno)) }
        var offset = 0
        let failure: String? = bytes.withUnsafeBytes { buffer -> String? in
            while offset < buffer.count {
                let written = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                offset += written
            }
            return nil
        }
        if let failure { close(fd); return failure }
        if wanted & ~mask != wanted || wanted & 0o7000 != 0,
           fchmod(fd, wanted) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            return reason
        }
        if close(fd) != 0 { return String(cString: strerror(errno)) }
        return nil
    }

    /// Removes the staging directory (after an error, or after a file-by-file move).
    public func discard() {
        InterruptionGuard.shared.discard(path)
    }

    /// Moves the staged tree to DEST. `keep` lists paths that stay as DEST has them when they
    /// exist there (secrets, `_skip_if_exists`).
    public func commit(outputs: [OutputFile], force: Bool) throws -> CommitReport {
        let state = DestinationState.inspect(destination)
        switch state {
        case .absent, .emptyDirectory:
            try InterruptionGuard.shared.committing {
                if rename(path, destination) != 0 {
                    throw GenerationError.writeFailed(path: destination, reason: String(cString: strerror(errno)))
                }
                InterruptionGuard.shared.release()
            }
            return CommitReport(created: outputs.filter { !$0.isDirectory }.map(\.path))
        case .file:
            throw GenerationError.destinationIsFile(destination)
        case .nonEmptyDirectory:
            guard force else { throw GenerationError.destinationNotEmpty(destination) }
        }
        // Check every conflict before changing anything.
        for output in outputs {
            var info = stat()
            let full = destination + "/" + output.path
            guard lstat(full, &info) == 0 else { continue }
            let kind = info.st_mode & S_IFMT
            if output.isDirectory && kind != S_IFDIR {
                throw GenerationError.destinationConflict(path: full, reason: "the template needs a folder here, DEST has a file")
            }
            if output.mode == PlannedItem.linkMode {
                if kind == S_IFDIR {
                    throw GenerationError.destinationConflict(path: full, reason: "the template writes a link here, DEST has a folder")
                }
            } else if !output.isDirectory && kind != S_IFREG {
                throw GenerationError.destinationConflict(path: full, reason: "the template writes a file here, DEST has a folder or link")
            }
        }
        var report = CommitReport()
        try InterruptionGuard.shared.committing {
            for output in outputs {
                let full = destination + "/" + output.path
                if output.isDirectory {
                    if mkdir(full, mode_t(output.mode | 0o700)) != 0 && errno != EEXIST {
                        throw GenerationError.writeFailed(path: full, reason: String(cString: strerror(errno)))
                    }
                    continue
                }
                var info = stat()
                let existed = lstat(full, &info) == 0
                if existed {
                    if output.mode == PlannedItem.linkMode
                        ? ProjectFiles.read(full).map({ $0.mode == output.mode && $0.bytes == output.bytes }) == true
                        : FileManager.default.contents(atPath: full).map({ [UInt8]($0) == output.bytes }) == true
                          && UInt16(info.st_mode & 0o7777) == output.mode {
                        report.identical.append(output.path)
                        continue
                    }
                    report.overwritten.append(output.path)
                } else {
                    report.created.append(output.path)
                }
                if rename(path + "/" + output.path, full) != 0 {
                    throw GenerationError.writeFailed(path: full, reason: String(cString: strerror(errno)))
                }
            }
        }
        discard()
        return report
    }
}

/// What is at DEST before the move.
enum DestinationState {
    case absent, emptyDirectory, nonEmptyDirectory, file

    static func inspect(_ path: String) -> DestinationState {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .absent }
        guard info.st_mode & S_IFMT == S_IFDIR else { return .file }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? ["?"]
        return contents.isEmpty ? .emptyDirectory : .nonEmptyDirectory
    }
}

final class FailureSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var failure: (Int, GenerationError)?

    func record(_ index: Int, _ error: GenerationError) {
        lock.lock()
        if let current = failure, current.0 <= index {} else { failure = (index, error) }
        lock.unlock()
    }

    var first: GenerationError? {
        lock.lock()
        defer { lock.unlock() }
        return failure?.1
    }
}
