import CLibGit2
import Foundation

/// The process-wide libgit2 runtime: initialised once, on first use, and never shut down
/// (the process exits instead, which is cheaper and avoids use-after-shutdown).
enum LibGit2 {
    private static let initialisation: Int32 = git_libgit2_init()

    /// Makes sure `git_libgit2_init` ran. Cheap after the first call.
    static func ensureInitialised() {
        _ = initialisation
    }

    /// Throws `GitError.libgit2` carrying `git_error_last()`'s message when `code` is negative.
    @discardableResult
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws -> Int32 {
        guard code < 0 else { return code }
        throw GitError.libgit2(operation: operation(), code: code, message: lastErrorMessage())
    }

    /// libgit2's last error text for this thread, trimmed; empty when none.
    static func lastErrorMessage() -> String {
        guard let error = git_error_last(), let text = error.pointee.message else { return "" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Copies a `git_strarray` into Swift strings and frees it.
    static func strings(consuming array: inout git_strarray) -> [String] {
        defer { git_strarray_dispose(&array) }
        guard let items = array.strings else { return [] }
        return (0..<array.count).compactMap { index in items[index].map { String(cString: $0) } }
    }

    /// Calls `body` with a `git_strarray` holding `values` (valid only inside `body`).
    @discardableResult
    static func withStrArray<R>(_ values: [String], _ body: (inout git_strarray) throws -> R) rethrows -> R {
        var cStrings: [UnsafeMutablePointer<CChar>?] = values.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        return try cStrings.withUnsafeMutableBufferPointer { buffer in
            var array = git_strarray(strings: buffer.baseAddress, count: values.count)
            return try body(&array)
        }
    }
}
