import Foundation

/// An open folder that mlrepro writes in, reached from a root one component at a time with
/// `O_NOFOLLOW | O_DIRECTORY`: no write, rename or creation through it can follow a symbolic
/// link, whoever planted the link and whenever (a hook, a task, DEST's own content, a process
/// racing the write). The descriptor is closed with `close()`.
struct FolderDescriptor {
    let fd: Int32
    /// The folder, for messages.
    let path: String

    /// Why a write was refused.
    static let notOurs = "something mlrepro did not create is in the way (a symbolic link, or a file where a folder goes); "
        + "mlrepro never writes through a link it did not make"

    /// Opens `path` itself (no link accepted as its last component).
    static func open(_ path: String) throws -> FolderDescriptor {
        let fd = Foundation.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw GenerationError.writeFailed(path: path, reason: reason(errno)) }
        return FolderDescriptor(fd: fd, path: path)
    }

    /// The folder at `relative` (`/`-separated) under this one, every component a real folder;
    /// nil when a component does not exist yet.
    func existingFolder(_ relative: String) throws -> FolderDescriptor? {
        do {
            return try walk(relative)
        } catch FolderError.missing {
            return nil
        }
    }

    /// The folder at `relative` (`/`-separated) under this one, every component a real folder.
    func folder(_ relative: String) throws -> FolderDescriptor {
        do {
            return try walk(relative)
        } catch FolderError.missing(let path) {
            throw GenerationError.writeFailed(path: path, reason: String(cString: strerror(ENOENT)))
        }
    }

    private enum FolderError: Error { case missing(String) }

    private func walk(_ relative: String) throws -> FolderDescriptor {
        var current = FolderDescriptor(fd: dup(fd), path: path)
        guard current.fd >= 0 else { throw GenerationError.writeFailed(path: path, reason: Self.reason(errno)) }
        for component in relative.split(separator: "/") {
            let next = openat(current.fd, String(component), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let failure = errno
            current.close()
            guard next >= 0 else {
                if failure == ENOENT { throw FolderError.missing(current.path + "/" + component) }
                throw GenerationError.writeFailed(path: current.path + "/" + component, reason: Self.reason(failure))
            }
            current = FolderDescriptor(fd: next, path: current.path + "/" + component)
        }
        return current
    }

    /// The folder holding `relative` and the last component's name.
    func parent(of relative: String) throws -> (folder: FolderDescriptor, name: String) {
        let parts = relative.split(separator: "/")
        guard let name = parts.last else { throw GenerationError.writeFailed(path: path, reason: "an empty path") }
        return (try folder(parts.dropLast().joined(separator: "/")), String(name))
    }

    /// Creates the folder `name` here, or accepts a real folder already there (never a link).
    func makeFolder(_ name: String, mode: mode_t) throws {
        if mkdirat(fd, name, mode) == 0 { return }
        let failure = errno
        var info = stat()
        if failure == EEXIST, fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
        throw GenerationError.writeFailed(path: path + "/" + name, reason: Self.reason(failure))
    }

    /// What `name` is here, without following a link; nil when nothing is.
    func kind(of name: String) -> mode_t? {
        var info = stat()
        return fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 ? info.st_mode & S_IFMT : nil
    }

    func close() { _ = Foundation.close(fd) }

    /// `strerror`, with the errors a planted link or file gives explained.
    static func reason(_ code: Int32) -> String {
        switch code {
        case ELOOP, ENOTDIR, EEXIST: return notOurs
        default: return String(cString: strerror(code))
        }
    }
}
