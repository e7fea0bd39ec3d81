import Foundation

/// How much of a template mlrepro reads, whatever its source (a directory, a git tree, the
/// working tree of a local repository). The walk counts before it loads: a template past a bound
/// is refused before its files are read.
package enum TemplateLimits {
    /// Files and folders in one template.
    package static let entries = 50_000
    /// Files and folders in a folder read as a template although it has no manifest (copier's
    /// template without questions, named with `--template DIR`); a larger one is refused unread.
    package static let entriesWithoutManifest = 1_000
    /// Folders nested inside the template root (the bound on generated paths is the same).
    package static let depth = 200
    /// The files of one template, added up (copied files are streamed, never held whole).
    package static let totalBytes: Int64 = 4 << 30
    /// A file read whole into memory: a manifest, an include, a hook, a file to render.
    package static let readWhole = 64 << 20
    /// A file of a git template (libgit2 inflates a file whole, so it is held in memory while
    /// it is copied).
    package static let gitBlob = 256 << 20
    /// Files up to this size are read when the template is read; larger ones when they are used.
    static let eagerFile = 1 << 20
    /// ... until the eagerly read files add up to this much.
    static let eagerTotal = 128 << 20

    /// `1.5 GiB`, `64 MiB`, `812 bytes`.
    static func describe(_ bytes: Int64) -> String {
        let units: [(Int64, String)] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (size, unit) in units where bytes >= size {
            let value = Double(bytes) / Double(size)
            return value == value.rounded() ? "\(Int64(value)) \(unit)" : String(format: "%.1f %@", value, unit)
        }
        return "\(bytes) bytes"
    }
}

/// A template past one of `TemplateLimits`.
package struct TemplateLimitError: Error, Sendable, CustomStringConvertible {
    /// The template (or the file of it) at fault, as messages show it.
    package var location: String
    package var reason: String

    package var description: String { "\(location): error: \(reason)" }
}
