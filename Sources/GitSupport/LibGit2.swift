import CLibGit2
import Foundation

/// The functions of the loaded libgit2; an entry `foo` is libgit2's `git_foo`. Only valid after
/// `LibGit2.ensureInitialised()` has returned: every public entry point of GitSupport calls it.
var git: mlrepro_libgit2 { LibGit2.functions }

/// The process-wide libgit2 runtime: loaded (`dlopen`) and initialised once, on first use, and
/// never shut down (the process exits instead, which is cheaper and avoids use-after-shutdown).
/// Commands that do no git work never load it.
enum LibGit2 {
    /// The function table, written once by the loader before it is published and read-only after.
    private struct Table: @unchecked Sendable {
        let pointer: UnsafePointer<mlrepro_libgit2>
    }

    /// The shared library: `MLREPRO_LIBGIT2` when set (a path or a name for the dynamic loader),
    /// else libgit2's name with the ABI version of the headers GitSupport was built with.
    static let library: String = {
        if let override = getenv("MLREPRO_LIBGIT2"), override.pointee != 0 { return String(cString: override) }
        #if canImport(Darwin)
        return "libgit2.\(LIBGIT2_SOVERSION).dylib"
        #else
        return "libgit2.so.\(LIBGIT2_SOVERSION)"
        #endif
    }()

    private static let loaded: Result<Table, GitError> = {
        var reason = [CChar](repeating: 0, count: 512)
        guard let table = mlrepro_libgit2_load(library, &reason, reason.count) else {
            let text = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(.libraryUnavailable(library: library, reason: text))
        }
        let code = table.pointee.libgit2_init()
        guard code >= 0 else {
            return .failure(.libgit2(operation: "initialising libgit2", code: code, message: ""))
        }
        return .success(Table(pointer: table))
    }()

    /// Loads and initialises libgit2 if that has not happened yet. Cheap after the first call.
    static func ensureInitialised() throws {
        if case .failure(let error) = loaded { throw error }
    }

    /// True when libgit2 can be loaded (loading it if need be).
    static var isAvailable: Bool { (try? ensureInitialised()) != nil }

    fileprivate static var functions: mlrepro_libgit2 {
        guard case .success(let table) = loaded else {
            preconditionFailure("libgit2 used before LibGit2.ensureInitialised() succeeded")
        }
        return table.pointer.pointee
    }

    /// Throws `GitError.libgit2` carrying `git_error_last()`'s message when `code` is negative.
    @discardableResult
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws -> Int32 {
        guard code < 0 else { return code }
        throw GitError.libgit2(operation: operation(), code: code, message: lastErrorMessage())
    }

    /// libgit2's last error text for this thread, trimmed; empty when none.
    static func lastErrorMessage() -> String {
        guard let error = git.error_last(), let text = error.pointee.message else { return "" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Copies a `git_strarray` into Swift strings and frees it.
    static func strings(consuming array: inout git_strarray) -> [String] {
        defer { git.strarray_dispose(&array) }
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
