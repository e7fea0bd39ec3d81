import Foundation

/// A file of a rendered project: its URL and its path relative to the project root.
package struct ProjectFile: Sendable, Equatable {
    package let url: URL
    package let path: String
}

/// The files of a project, sorted by path and grouped by what validates them.
struct ValidatedFiles {
    let root: URL
    private(set) var all: [ProjectFile] = []

    init(root: URL) {
        self.root = root
        let rootPath = root.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: []
        ) else { return }
        for case let url as URL in walker {
            let name = url.lastPathComponent
            if [".git", ".venv", "node_modules", "__pycache__"].contains(name) {
                walker.skipDescendants()
                continue
            }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let full = url.standardizedFileURL.path
            guard full.hasPrefix(rootPath + "/") else { continue }
            all.append(ProjectFile(url: url, path: String(full.dropFirst(rootPath.count + 1))))
        }
        all.sort { $0.path < $1.path }
    }

    private func matching(_ predicate: (String, String) -> Bool) -> [ProjectFile] {
        all.filter { predicate($0.path, TemplatePath.lastComponent($0.path)) }
    }

    var yaml: [ProjectFile] { matching { p, _ in p.hasSuffix(".yml") || p.hasSuffix(".yaml") || p.hasSuffix(".cff") } }
    var compose: [ProjectFile] {
        matching { _, n in ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"].contains(n) }
    }
    var githubWorkflows: [ProjectFile] {
        matching { p, _ in p.hasPrefix(".github/workflows/") && (p.hasSuffix(".yml") || p.hasSuffix(".yaml")) }
    }
    var gitlabCI: [ProjectFile] { matching { p, _ in p == ".gitlab-ci.yml" } }
    var citation: [ProjectFile] { matching { _, n in n == "CITATION.cff" } }
    var dockerfiles: [ProjectFile] {
        matching { _, n in n == "Dockerfile" || n.hasPrefix("Dockerfile.") || n.hasSuffix(".Dockerfile") }
    }
    var shellScripts: [ProjectFile] {
        matching { p, _ in p.hasSuffix(".sh") || p.hasSuffix(".bash") || p.hasSuffix(".sbatch") }
    }
    var toml: [ProjectFile] { matching { p, _ in p.hasSuffix(".toml") } }
    /// JSON documents (notebooks have their own check).
    var json: [ProjectFile] { matching { p, _ in p.hasSuffix(".json") } }
    var python: [ProjectFile] { matching { p, _ in p.hasSuffix(".py") } }
    var notebooks: [ProjectFile] { matching { p, _ in p.hasSuffix(".ipynb") } }
    var makefiles: [ProjectFile] { matching { _, n in n == "Makefile" || n == "GNUmakefile" } }
}
