import Foundation
import GitSupport
import TemplateEngine

/// Reading a template file's contents: whole (bounded by `TemplateLimits.readWhole`), or in
/// chunks for copying and hashing, so that a large file is never held in memory.
extension TemplateEntry {
    /// The chunk size of streamed reads and copies.
    static let chunk = 1 << 20

    /// The file's size in bytes (a link's size is its target file's).
    package var size: Int {
        switch storage {
        case .inline(let bytes): return bytes.count
        case .embedded(let base64): return base64.decoded.count
        case .file(_, let size), .blob(_, _, let size): return size
        }
    }

    /// True when the contents stay on disk (or in git) until used: copying streams them.
    package var isStreamed: Bool {
        switch storage {
        case .inline, .embedded: return false
        case .file, .blob: return true
        }
    }

    /// The whole contents; a file over `limit` bytes is refused before it is read, with an
    /// error located at `shownAs` (the path diagnostics show).
    package func read(limit: Int = TemplateLimits.readWhole, shownAs: String? = nil) throws -> [UInt8] {
        let size = self.size
        guard size <= limit else {
            throw TemplateLimitError(location: shownAs ?? path, reason: "the file is \(TemplateLimits.describe(Int64(size))); "
                + "a file read whole (a manifest, an include, a hook, a file to render"
                + (limit > TemplateLimits.readWhole ? ", a file check and update compare" : "") + ") may have at most "
                + TemplateLimits.describe(Int64(limit)))
        }
        switch storage {
        case .inline(let bytes): return bytes
        case .embedded(let base64): return base64.decoded
        case .file, .blob:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(size)
            try stream { bytes.append(contentsOf: $0) }
            return bytes
        }
    }

    /// Calls `body` with the contents in chunks of at most `chunk` bytes, in order.
    package func stream(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch storage {
        case .inline(let bytes):
            try bytes.withUnsafeBytes { try Self.chunks(of: $0, body) }
        case .embedded(let base64):
            try base64.decoded.withUnsafeBytes { try Self.chunks(of: $0, body) }
        case .file(let file, _):
            let fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw GenerationError.unreadable(file, String(cString: strerror(errno))) }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                throw GenerationError.unreadable(file, "not a regular file")
            }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunk, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let count = Foundation.read(fd, buffer.baseAddress, buffer.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw GenerationError.unreadable(file, String(cString: strerror(errno)))
                }
                if count == 0 { return }
                try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
        case .blob(let repositoryPath, let id, _):
            do {
                let repository = try GitRepository.open(at: repositoryPath)
                try repository.withBlob(id, limit: TemplateLimits.gitBlob) { try Self.chunks(of: $0, body) }
            } catch GitError.blobTooLarge(_, let size, let limit) {
                throw TemplateLimitError(location: "\(repositoryPath): \(path)", reason: "the file is "
                    + "\(TemplateLimits.describe(Int64(size))); a file of a git template may have at most "
                    + "\(TemplateLimits.describe(Int64(limit))) (libgit2 reads a file whole)")
            }
        }
    }

    /// SHA-256 of the contents, read in chunks.
    package func digest() throws -> String {
        var hasher = SHA256()
        try stream { hasher.update(buffer: $0) }
        return hasher.finalizeHex()
    }

    /// Writes the contents to `fd` in chunks; runs of zero bytes become holes (`lseek`), as
    /// `cp --sparse=auto` makes them. Returns why writing failed, or nil; throws when reading does.
    func copy(into fd: Int32) throws -> String? {
        var failure: String?
        var total: off_t = 0
        var endsInHole = false
        try stream { chunk in
            guard failure == nil, chunk.count > 0, let base = chunk.baseAddress else { return }
            if chunk.count >= 4096 && Self.isZero(chunk) {
                if lseek(fd, off_t(chunk.count), SEEK_CUR) < 0 { failure = String(cString: strerror(errno)) }
                endsInHole = true
            } else {
                var offset = 0
                while offset < chunk.count {
                    let written = Foundation.write(fd, base + offset, chunk.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        failure = String(cString: strerror(errno))
                        return
                    }
                    offset += written
                }
                endsInHole = false
            }
            total += off_t(chunk.count)
        }
        if failure == nil, endsInHole, ftruncate(fd, total) != 0 { failure = String(cString: strerror(errno)) }
        return failure
    }

    nonisolated(unsafe) private static let zeros = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16).initializeMemory(as: UInt8.self, repeating: 0)

    private static func isZero(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard let base = chunk.baseAddress, let zero = zeros.baseAddress else { return false }
        return memcmp(base, zero, min(chunk.count, zeros.count)) == 0
    }

    private static func chunks(of buffer: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var offset = 0
        while offset < buffer.count {
            let end = min(offset + chunk, buffer.count)
            try body(UnsafeRawBufferPointer(rebasing: buffer[offset..<end]))
            offset = end
        }
    }
}
