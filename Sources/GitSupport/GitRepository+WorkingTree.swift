import CLibGit2
import Foundation

extension GitRepository {
    /// The working tree's files as git sees them: tracked files still on disk plus untracked
    /// files that are not ignored, `/`-separated and sorted. `.git` is never listed.
    public func workingTreePaths() throws -> [String] {
        guard let root = workingDirectory else {
            throw GitError.invalidArgument("\(path) is a bare repository and has no working tree")
        }
        var paths = Set<String>()
        let index = try openIndex()
        defer { git.index_free(index) }
        for position in 0..<git.index_entrycount(index) {
            guard let entry = git.index_get_byindex(index, position), let raw = entry.pointee.path else { continue }
            let relative = String(cString: raw)
            var info = stat()
            if lstat(root + relative, &info) == 0 && (info.st_mode & S_IFMT) != S_IFDIR {
                paths.insert(relative)
            }
        }
        for entry in try status() where entry.change == .untracked {
            paths.insert(entry.path)
        }
        return paths.sorted()
    }
}
