import Foundation

/// Reads the commit and branch of a working directory from the `.git` files themselves
/// (HEAD, loose refs, packed-refs; linked worktrees through `commondir`), without running git.
struct GitReader {
    struct Repository: Equatable {
        var workTree: String
        var gitDirectory: String
        var commonDirectory: String
    }

    /// The repository containing `directory`, searching upwards; nil outside a repository.
    static func locate(from directory: String) -> Repository? {
        var current = URL(fileURLWithPath: directory).standardizedFileURL.path
        let fm = FileManager.default
        while true {
            let dotGit = current == "/" ? "/.git" : current + "/.git"
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: dotGit, isDirectory: &isDirectory) {
                if isDirectory.boolValue {
                    return Repository(workTree: current, gitDirectory: dotGit, commonDirectory: common(of: dotGit))
                }
                if let text = try? String(contentsOfFile: dotGit, encoding: .utf8),
                   let line = text.split(whereSeparator: \.isNewline).first, line.hasPrefix("gitdir:") {
                    let target = line.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
                    let gitDirectory = resolve(target, relativeTo: current)
                    return Repository(workTree: current, gitDirectory: gitDirectory, commonDirectory: common(of: gitDirectory))
                }
            }
            if current == "/" || current.isEmpty { return nil }
            current = (current as NSString).deletingLastPathComponent
        }
    }

    static func common(of gitDirectory: String) -> String {
        guard let text = try? String(contentsOfFile: gitDirectory + "/commondir", encoding: .utf8) else { return gitDirectory }
        let target = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return target.isEmpty ? gitDirectory : resolve(target, relativeTo: gitDirectory)
    }

    static func resolve(_ path: String, relativeTo base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    struct Head: Equatable {
        var commit: String?
        var branch: String?
    }

    enum ReadError: Error, CustomStringConvertible {
        case unreadableHead(String)
        case badHead(String)
        var description: String {
            switch self {
            case .unreadableHead(let path): return "cannot read \(path)"
            case .badHead(let text): return "unrecognised HEAD: \(text)"
            }
        }
    }

    /// Commit and branch of HEAD. An unborn branch has a branch and no commit; a detached HEAD no branch.
    static func head(of repository: Repository) throws -> Head {
        let headPath = repository.gitDirectory + "/HEAD"
        guard let text = try? String(contentsOfFile: headPath, encoding: .utf8) else {
            throw ReadError.unreadableHead(headPath)
        }
        var content = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var branch: String?
        for _ in 0..<5 {
            if isObjectID(content) { return Head(commit: content, branch: branch) }
            guard content.hasPrefix("ref:") else { throw ReadError.badHead(content) }
            let ref = content.dropFirst(4).trimmingCharacters(in: .whitespaces)
            if branch == nil {
                branch = ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : ref
            }
            guard let next = lookup(ref, in: repository) else { return Head(commit: nil, branch: branch) }
            content = next
        }
        throw ReadError.badHead(content)
    }

    static func lookup(_ ref: String, in repository: Repository) -> String? {
        for directory in [repository.gitDirectory, repository.commonDirectory] {
            if let text = try? String(contentsOfFile: directory + "/" + ref, encoding: .utf8) {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        guard let packed = try? String(contentsOfFile: repository.commonDirectory + "/packed-refs", encoding: .utf8) else {
            return nil
        }
        for line in packed.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") && !line.hasPrefix("^") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[1] == ref { return String(parts[0]) }
        }
        return nil
    }

    static func isObjectID(_ s: String) -> Bool {
        (s.count == 40 || s.count == 64) && s.allSatisfy { $0.isHexDigit }
    }
}
