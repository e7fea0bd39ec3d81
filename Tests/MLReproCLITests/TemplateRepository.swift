import Foundation
import MLReproTestSupport

/// A template git repository with tags v1, v2 and v3, built with the git command-line tool:
/// - v1: the template;
/// - v2: changes lines the project's user does not touch (`seed`, the README's last line);
/// - v3: changes the line the user edits (`epochs`) and adds a file.
struct TemplateRepository {
    let root: String
    var path: String { root + "/tpl" }
    private(set) var commits: [String: String] = [:]

    static let userEdit = (from: "epochs = 10", to: "epochs = 20")

    init(in root: String) throws {
        self.root = root
        try git(["init", "--quiet", "-b", "main", "tpl"], in: root)
        try write("mlrepro.yml", """
            project_name:
              type: str
              default: demo
            lr:
              type: float
              default: 0.1
            _secret_files: [".env"]
            _skip_if_exists: ["notes.md"]

            """)
        try write(".gitignore", ".env\n")
        try write(".env.jinja", "TOKEN={{ random_token() }}\n")
        try write("notes.md", "my notes\n")
        try write("src/config.py.jinja", "name = \"{{ project_name }}\"\nlr = {{ lr }}\nepochs = 10\nbatch = 32\nseed = 1\n")
        try write("README.md.jinja", "# {{ project_name }}\n\nline 2\nline 3\nline 4\nline 5\nline 6\nlast line\n")
        try commit("v1")
        try replace("src/config.py.jinja", "seed = 1", "seed = 2")
        try replace("README.md.jinja", "last line", "last line, v2")
        try commit("v2")
        try replace("src/config.py.jinja", "epochs = 10", "epochs = 30")
        try write("CHANGELOG.md", "v3\n")
        try commit("v3")
    }

    func write(_ relative: String, _ text: String) throws {
        try TemporaryDirectory.write(text, to: path + "/" + relative)
    }

    func replace(_ relative: String, _ old: String, _ new: String) throws {
        let text = try String(contentsOfFile: path + "/" + relative, encoding: .utf8)
        try write(relative, text.replacingOccurrences(of: old, with: new))
    }

    /// Commits everything and tags it `tag` (no tag when nil).
    mutating func commit(_ tag: String?) throws {
        try git(["add", "--all"], in: path)
        try git(["commit", "--quiet", "-m", tag ?? "untagged"], in: path)
        let id = try git(["rev-parse", "HEAD"], in: path)
        if let tag {
            try git(["tag", tag], in: path)
            commits[tag] = id
        }
        commits["HEAD"] = id
    }

    /// Runs git with a fixed identity; returns trimmed stdout, throws on failure.
    @discardableResult
    func git(_ arguments: [String], in directory: String) throws -> String {
        try Self.git(arguments, in: directory)
    }

    @discardableResult
    static func git(_ arguments: [String], in directory: String) throws -> String {
        try GitCommand.run(arguments, in: directory, as: GitCommand.Identity(name: "Template Author", email: "author@example.org"))
    }
}

/// The environment every git-template test runs mlrepro with: an author, a private cache.
func gitTestEnvironment(_ root: String) -> [String: String] {
    ["GIT_AUTHOR_NAME": "Test Researcher", "GIT_AUTHOR_EMAIL": "researcher@example.org",
     "XDG_CACHE_HOME": root + "/cache"]
}
