import Dispatch
import Foundation
import Synchronization

/// A file to write: path relative to DEST, contents, mode.
package struct OutputFile: Sendable {
    package var path: String
    package var bytes: [UInt8]
    package var mode: UInt16
    package var isDirectory: Bool
    /// A template file copied as it is, streamed from the template when written (`bytes` is
    /// then empty): a large file is never held in memory.
    package var source: TemplateEntry?

    package init(path: String, bytes: [UInt8], mode: UInt16, isDirectory: Bool = false) {
        self.path = path
        self.bytes = bytes
        self.mode = mode
        self.isDirectory = isDirectory
    }

    /// A copy of `source`, streamed when written.
    package init(path: String, copying source: TemplateEntry, mode: UInt16) {
        self.init(path: path, bytes: [], mode: mode)
        self.source = source
    }
}

/// What the final move did to DEST.
package struct CommitReport: Sendable {
    package var created: [String] = []
    package var overwritten: [String] = []
    package var identical: [String] = []
}

/// The generated tree in a staging directory next to DEST (same file system), moved into place
/// in one `rename` when DEST is absent or empty, or file by file with `--force`.
package struct StagedTree: Sendable {
    package let destination: String
    package let path: String

    /// Creates the staging directory beside `destination`.
    package static func create(for destination: String) throws -> StagedTree {
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

    /// Writes every file (directories first, then files on all cores). Every folder is reached
    /// from the staging folder without following a link, and every file is created anew: a
    /// link, or a file where a folder goes, that a hook left where the template writes (the hook
    /// before writing runs in this folder) refuses the generation instead of being written through.
    package func write(_ outputs: [OutputFile]) throws {
        let root = try FolderDescriptor.open(path)
        defer { root.close() }
        for output in outputs where output.isDirectory {
            try Self.located(output.path) {
                let (parent, name) = try root.parent(of: output.path)
                defer { parent.close() }
                try parent.makeFolder(name, mode: 0o700)
            }
        }
        let files = outputs.filter { !$0.isDirectory }
        let failures = FailureSlot()
        // One folder's files are written by one thread: creating files in the same folder from
        // two threads makes them queue (and spin) on the folder's lock in the kernel.
        let folders = StagedTree.groupedByFolder(files.map(\.path))
        let mask = umask(0)
        umask(mask)
        DispatchQueue.concurrentPerform(iterations: folders.count) { folder in
            guard let first = folders[folder].first else { return }
            let parent: FolderDescriptor
            do {
                parent = try root.folder(TemplatePath.parent(files[first].path))
            } catch GenerationError.writeFailed(_, let reason) {
                failures.record(first, GenerationError.writeFailed(path: files[first].path, reason: reason))
                return
            } catch {
                failures.record(first, GenerationError.writeFailed(path: files[first].path, reason: "\(error)"))
                return
            }
            defer { parent.close() }
            for index in folders[folder] {
                if InterruptionGuard.shared.isInterrupting { return }
                let file = files[index]
                let name = String(file.path.split(separator: "/").last ?? "")
                do {
                    if let reason = try StagedTree.writeFile(in: parent.fd, name, file, umask: mask) {
                        failures.record(index, GenerationError.writeFailed(path: file.path, reason: reason))
                    }
                } catch let error as GenerationError {
                    failures.record(index, error)
                } catch {
                    failures.record(index, GenerationError.renderFailed("\(error)"))
                }
            }
        }
        // Every writer has returned: on a signal, this thread parks and the handler removes the tree.
        InterruptionGuard.shared.waitIfInterrupting()
        if let error = failures.first { throw error }
        // Directory modes last, deepest first, keeping them writable by us until the move. A
        // folder is made as copier and cookiecutter make one (`mkdir` under the user's umask),
        // whatever mode the template's folder has.
        for output in outputs.reversed() where output.isDirectory {
            if let folder = try? root.folder(output.path) {
                fchmod(folder.fd, (0o777 & ~mask) | 0o700)
                folder.close()
            }
        }
        fchmod(root.fd, 0o777 & ~mask)
    }

    /// Runs `body`, naming `path` (relative to DEST) in the error a write failure gives.
    static func located(_ path: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch GenerationError.writeFailed(_, let reason) {
            throw GenerationError.writeFailed(path: path, reason: reason)
        }
    }

    /// Creates `name` in the folder `folder` with the contents and mode of `file`; nil on
    /// success, else the reason. Never through a link: a regular file already there (a hook's,
    /// as cookiecutter lets the template's file replace it) is unlinked first, so that not even a
    /// hard link is written through; a link or folder there is refused.
    static func writeFile(in folder: Int32, _ name: String, _ file: OutputFile, umask mask: mode_t) throws -> String? {
        func replaceable() -> Bool {
            var info = stat()
            return errno == EEXIST && fstatat(folder, name, &info, AT_SYMLINK_NOFOLLOW) == 0
                && info.st_mode & S_IFMT == S_IFREG && unlinkat(folder, name, 0) == 0
        }
        if file.mode == PlannedItem.linkMode {
            let target = String(decoding: file.bytes, as: UTF8.self)
            guard symlinkat(target, folder, name) == 0 || (replaceable() && symlinkat(target, folder, name) == 0) else {
                return FolderDescriptor.reason(errno)
            }
            return nil
        }
        let wanted = mode_t(file.mode & 0o7777)
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        var fd = openat(folder, name, flags, wanted & 0o777)
        if fd < 0 && replaceable() { fd = openat(folder, name, flags, wanted & 0o777) }
        if fd < 0 { return FolderDescriptor.reason(errno) }
        let failure: String?
        if let source = file.source {
            do {
                failure = try source.copy(into: fd)
            } catch {
                close(fd)
                throw error
            }
        } else {
            failure = writeAll(fd, file.bytes)
        }
        if let failure { close(fd); return failure }
        return finish(fd, mode: wanted, umask: mask)
    }

    /// Gives the open file `fd` its mode where `open` could not (bits the umask removes, setuid,
    /// setgid, sticky) and closes it; nil on success, else the reason.
    static func finish(_ fd: Int32, mode wanted: mode_t, umask mask: mode_t) -> String? {
        if wanted & ~mask != wanted || wanted & 0o7000 != 0,
           fchmod(fd, wanted) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            return reason
        }
        if close(fd) != 0 { return String(cString: strerror(errno)) }
        return nil
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> String? {
        var offset = 0
        return bytes.withUnsafeBytes { buffer -> String? in
            while offset < buffer.count {
                guard let base = buffer.baseAddress else { return nil }
                let written = Foundation.write(fd, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                offset += written
            }
            return nil
        }
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
        let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, wanted & 0o777)
        if fd < 0 { return String(cString: strerror(errno)) }
        if let failure = writeAll(fd, bytes) { close(fd); return failure }
        return finish(fd, mode: wanted, umask: mask)
    }

    /// Removes the staging directory (after an error, or after a file-by-file move).
    package func discard() {
        InterruptionGuard.shared.discard(path)
    }

    /// Moves the staged tree to DEST. `keep` lists paths that stay as DEST has them when they
    /// exist there (secrets, `_skip_if_exists`).
    package func commit(outputs: [OutputFile], force: Bool) throws -> CommitReport {
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
        // Check every conflict before changing anything; then move file by file, reaching
        // every folder of DEST and of the staging folder without following a link (DEST's own
        // content may hold links; a link is replaced, never written through).
        let target = try FolderDescriptor.open(destination)
        defer { target.close() }
        let staging = try FolderDescriptor.open(path)
        defer { staging.close() }
        for output in outputs {
            let full = destination + "/" + output.path
            let kind: mode_t?
            do {
                let name = String(output.path.split(separator: "/").last ?? "")
                guard let parent = try target.existingFolder(TemplatePath.parent(output.path)) else { continue }
                defer { parent.close() }
                kind = parent.kind(of: name)
            } catch {
                throw GenerationError.destinationConflict(path: full, reason: "a folder on the way is a link or a file in DEST")
            }
            guard let kind else { continue }
            if output.isDirectory && kind != S_IFDIR {
                throw GenerationError.destinationConflict(path: full, reason: "the template needs a folder here, DEST has a file or link")
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
                let (parent, name) = try target.parent(of: output.path)
                defer { parent.close() }
                if output.isDirectory {
                    try parent.makeFolder(name, mode: 0o777)  // less the umask, as `mkdir` has it
                    continue
                }
                let (from, _) = try staging.parent(of: output.path)
                defer { from.close() }
                if parent.kind(of: name) != nil {
                    if Self.identical(output, from: from.fd, to: parent.fd, name) {
                        report.identical.append(output.path)
                        continue
                    }
                    report.overwritten.append(output.path)
                } else {
                    report.created.append(output.path)
                }
                if renameat(from.fd, name, parent.fd, name) != 0 {
                    throw GenerationError.writeFailed(path: full, reason: FolderDescriptor.reason(errno))
                }
            }
        }
        discard()
        return report
    }

    /// True when DEST's `name` in `folder` is what the staged `name` in `staged` is: the same
    /// link, or a regular file with the same mode and bytes (compared in chunks).
    static func identical(_ output: OutputFile, from staged: Int32, to folder: Int32, _ name: String) -> Bool {
        if output.mode == PlannedItem.linkMode {
            var buffer = [CChar](repeating: 0, count: 4097)
            let count = readlinkat(folder, name, &buffer, 4096)
            guard count >= 0 else { return false }
            return Array(buffer[0..<count].map { UInt8(bitPattern: $0) }) == output.bytes
        }
        let ours = openat(staged, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard ours >= 0 else { return false }
        defer { close(ours) }
        let theirs = openat(folder, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard theirs >= 0 else { return false }
        defer { close(theirs) }
        var a = stat(), b = stat()
        guard fstat(ours, &a) == 0, fstat(theirs, &b) == 0, b.st_mode & S_IFMT == S_IFREG,
              a.st_size == b.st_size, b.st_mode & 0o7777 == mode_t(output.mode) else { return false }
        let size = 1 << 20
        let left = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        let right = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { left.deallocate(); right.deallocate() }
        while true {
            let count = read(ours, left, size)
            guard count >= 0 else { return false }
            if count == 0 { return read(theirs, right, 1) == 0 }
            var filled = 0
            while filled < count {
                let got = read(theirs, right + filled, count - filled)
                guard got > 0 else { return false }
                filled += got
            }
            if memcmp(left, right, count) != 0 { return false }
        }
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

/// The failure of the lowest index among concurrent workers (deterministic whichever fails first).
final class FailureSlot: Sendable {
    private let failure = Mutex<(index: Int, error: GenerationError)?>(nil)

    func record(_ index: Int, _ error: GenerationError) {
        failure.withLock { failure in
            if let current = failure, current.index <= index { return }
            failure = (index, error)
        }
    }

    var first: GenerationError? { failure.withLock { $0?.error } }
}
