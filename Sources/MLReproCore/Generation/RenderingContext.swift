import Foundation
import TemplateEngine

/// Who generates the project, from git config (empty strings when unknown).
package struct GitIdentity: Sendable, Equatable {
    package var name: String
    package var email: String

    package init(name: String = "", email: String = "") {
        self.name = name
        self.email = email
    }

    /// Reads `user.name`/`user.email` from `$XDG_CONFIG_HOME/git/config` (or `~/.config/git/config`)
    /// and then `~/.gitconfig` (the later file wins, as git does).
    package static func fromGitConfig(environment: [String: String] = ProcessInfo.processInfo.environment) -> GitIdentity {
        var identity = GitIdentity()
        let home = environment["HOME"] ?? NSHomeDirectory()
        let xdg = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        for path in [xdg + "/git/config", home + "/.gitconfig"] {
            guard let data = FileManager.default.contents(atPath: path), data.count < 1_000_000,
                  let text = String(data: data, encoding: .utf8) else { continue }
            var section = ""
            for rawLine in text.split(whereSeparator: \.isNewline) {
                let line = String(rawLine).trimmingSpaces
                if line.hasPrefix("[") {
                    section = line.dropFirst().prefix { $0 != "]" && $0 != " " && $0 != "\"" }.lowercased()
                    continue
                }
                guard section == "user", let equals = line.firstIndex(of: "=") else { continue }
                let key = String(line[..<equals]).trimmingSpaces.lowercased()
                var value = String(line[line.index(after: equals)...]).trimmingSpaces
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
                if key == "name" { identity.name = value }
                if key == "email" { identity.email = value }
            }
        }
        return identity
    }
}

/// The names every template sees besides the answers (see the README's template section).
package struct RenderingContext: Sendable {
    package var environmentRecord: Value
    package var destination: String
    package var templateSource: String
    package var templatePath: String
    package var answersFile: String
    package var vcsRef: String?
    /// A nested cookiecutter template's folder inside the template as given.
    package var nestedPath: String?
    package var git: GitIdentity
    /// The git commit a git template was read at (`_commit`, `_copier_conf.vcs_ref_hash`).
    package var revision: TemplateRevision?
    /// `--template` as the user gave it (`_src_path`); the template source when not given.
    package var requestedSource: String?
    /// The run's options as copier's `_copier_conf` shows them (`defaults`, `overwrite`, `unsafe`,
    /// `skip_tasks`); what mlrepro has no option for shows copier's default.
    package var options = RunOptions()

    package struct RunOptions: Sendable {
        package var defaults = false
        package var overwrite = false
        package var unsafe = false
        package var skipTasks = false
        package init() {}
    }

    package init(environmentRecord: Value, destination: String, templateSource: String, templatePath: String,
                answersFile: String, vcsRef: String? = nil, git: GitIdentity, revision: TemplateRevision? = nil) {
        self.revision = revision
        self.environmentRecord = environmentRecord
        self.destination = destination
        self.templateSource = templateSource
        self.templatePath = templatePath
        self.answersFile = answersFile
        self.vcsRef = vcsRef
        self.git = git
    }

    /// `env`, `_mlrepro` and `_copier_conf`; answers are added on top.
    package var base: OrderedMapping {
        var context = OrderedMapping()
        context["env"] = environmentRecord
        context["_mlrepro"] = .dict(OrderedMapping([
            ("version", .string(MLReproVersion.current)),
            ("homepage", .string(MLReproHome.url)),
            ("dst_path", .string(destination)),
            ("dst_name", .string((destination as NSString).lastPathComponent)),
            ("dst_relative", .string(RenderingContext.relative(destination, to: FileManager.default.currentDirectoryPath))),
            ("template", .string(templateSource)),
            ("git_user_name", .string(git.name)),
            ("git_user_email", .string(git.email)),
        ]))
        context["_copier_conf"] = .dict(OrderedMapping([
            ("dst_path", .string(destination)),
            // A local folder is a path object as in copier; `SOURCE@COMMIT` of a git template stays text.
            ("src_path", templatePath.hasPrefix("/") ? .path(templatePath) : .string(templatePath)),
            ("answers_file", .string(answersFile)),
            ("vcs_ref", vcsRef.map { .string($0) } ?? .none),
            ("vcs_ref_hash", revision.map { .string($0.commit) } ?? .none),
            ("exclude", .list([])),
            ("use_prereleases", .bool(false)),
            ("skip_if_exists", .list([])),
            ("cleanup_on_error", .bool(true)),
            ("defaults", .bool(options.defaults)),
            ("user_defaults", .dict(OrderedMapping())),
            ("overwrite", .bool(options.overwrite)),
            ("pretend", .bool(false)),
            ("quiet", .bool(false)),
            ("conflict", .string("inline")),
            ("context_lines", .int(3)),
            ("unsafe", .bool(options.unsafe)),
            ("skip_answered", .bool(false)),
            ("skip_tasks", .bool(options.skipTasks)),
            ("sep", .string("/")),
            ("os", .string("linux")),
        ]))
        // copier's phase: questions are rendered in `prompt`, files in `render`, tasks in `tasks`.
        context["_copier_phase"] = .string("prompt")
        context["_copier_python"] = .string("python3")
        context["_folder_name"] = .string(TemplatePath.lastComponent(destination))
        return context
    }

    /// `path` as the user would `cd` to it from `directory`: relative when it lies inside
    /// `directory` (`.` when it is `directory`), else unchanged.
    static func relative(_ path: String, to directory: String) -> String {
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        if path == base { return "." }
        if !base.isEmpty, path.hasPrefix(base + "/") { return String(path.dropFirst(base.count + 1)) }
        return path
    }

    /// Context for rendering: base names, then every answer (also under `namespace`, with
    /// cookiecutter's `_template`, `_output_dir`, `_repo_dir`, `_checkout`), then `_copier_answers` (what
    /// copier records: `_commit` for a git template, `_src_path`, the asked non-secret answers)
    /// and `_copier_conf.data` (the answers as given).
    package func full(answers: ResolvedAnswers, namespace: String? = nil) -> OrderedMapping {
        var context = base
        context["_copier_phase"] = .string("render")
        for (key, value) in answers.all.pairs { context[key] = value }
        if let namespace {
            // cookiecutter adds where it was run from and what it rendered after the variables.
            var mapping = answers.all
            if let nestedPath {
                // cookiecutter names a nested template by its resolved path.
                mapping["_template"] = .string(templateSource + "/" + nestedPath)
                mapping["_output_dir"] = .string(TemplatePath.parent(destination))
                mapping["_repo_dir"] = .string(templateSource + "/" + nestedPath)
            } else {
                mapping["_template"] = .string(requestedSource ?? templateSource)
                mapping["_output_dir"] = .string(TemplatePath.parent(destination))
                // A git template's source as named (`check` and `update` read it from the record
                // and render the same), never the `source@commit` that messages show.
                mapping["_repo_dir"] = .string(requestedSource ?? (revision != nil ? templateSource : templatePath))
            }
            // What was asked for (`--vcs-ref`), `None` when cookiecutter chose the default branch.
            mapping["_checkout"] = revision?.requested.map { Value.string($0) } ?? Value.none
            // cookiecutter's context is an OrderedDict: `{{ cookiecutter }}` prints as one.
            mapping.printsAsOrderedDict = true
            context[namespace] = .dict(mapping)
        }
        var recorded = OrderedMapping()
        if let revision { recorded["_commit"] = .string(Self.describe(revision)) }
        recorded["_src_path"] = .string(requestedSource ?? templateSource)
        for (key, value) in answers.recorded.pairs { recorded[key] = value }
        context["_copier_answers"] = .dict(recorded)
        if case .dict(var conf)? = context["_copier_conf"] {
            conf["data"] = .dict(answers.given)
            context["_copier_conf"] = .dict(conf)
        }
        return context
    }

    /// `_commit`: the tag on the commit, else `git describe --tags --always` (`v1.2.0-3-gabc1234`,
    /// as copier records it; `check` and `update` resolve it back), else the short id.
    static func describe(_ revision: TemplateRevision) -> String {
        revision.tag ?? revision.described ?? String(revision.commit.prefix(7))
    }

    /// The environment templates render in: the engine plus mlrepro's globals and its filters
    /// that need YAML (`from_yaml`, `from_yaml_all`, `from_json`, as jinja2-ansible-filters has them).
    package static func environment(options: EnvironmentOptions = EnvironmentOptions(),
                                   loader: (any TemplateLoader)?) -> TemplateEnvironment {
        var environment = TemplateEnvironment(options: options, loader: loader, globals: globals,
                                              clock: TemplateRandomness.clock())
        environment.filters = filters
        return environment
    }

    private static func text(_ args: [Value], _ name: String) throws -> String {
        guard let first = args.first else { throw ParseFailure(message: "\(name) needs a value") }
        return first.pythonString
    }

    static var filters: [String: NativeFunction] {
        [
            "from_yaml": NativeFunction(name: "from_yaml") { args, _ in
                let reader = YAMLValueReader(file: "from_yaml")
                return try reader.parse(try text(args, "from_yaml")).map { try reader.value($0) } ?? .none
            },
            "from_json": NativeFunction(name: "from_json") { args, _ in
                let reader = YAMLValueReader(file: "from_json")
                return try reader.parse(try text(args, "from_json")).map { try reader.value($0) } ?? .none
            },
            "from_yaml_all": NativeFunction(name: "from_yaml_all") { args, _ in
                let reader = YAMLValueReader(file: "from_yaml_all")
                return .list(try reader.parseAll(try text(args, "from_yaml_all")).map { try reader.value($0) })
            },
        ]
    }

    struct ParseFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Global functions templates may call: `random_token(nbytes=24)`; cookiecutter's
    /// `random_ascii_string(length, punctuation=False)` and `uuid4()` (see `TemplateRandomness`);
    /// copier's `pathjoin` and `make_secret()`.
    package static var globals: OrderedMapping {
        OrderedMapping([randomToken, randomASCIIString, uuid4, CopierGlobals.pathjoin, CopierGlobals.makeSecret])
    }

    static let uuid4: (String, Value) = ("uuid4", .callable(NativeFunction(name: "uuid4") { _, _ in
        .string(TemplateRandomness.uuid4())
    }))

    static let randomASCIIString: (String, Value) = ("random_ascii_string", .callable(NativeFunction(name: "random_ascii_string") { args, kwargs in
        var length = 0
        var punctuation = false
        if let first = args.first, case .int(let number) = first { length = number }
        if args.count > 1 { punctuation = args[1].isTruthy }
        for (name, value) in kwargs {
            if name == "length", case .int(let number) = value { length = number }
            if name == "punctuation" { punctuation = value.isTruthy }
        }
        guard (0...4096).contains(length) else { throw RandomTokenError(requested: length, name: "random_ascii_string: length", range: "0 and 4096") }
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8) + (punctuation ? Array("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".utf8) : [])
        return .string(TemplateRandomness.string(length: length, from: letters))
    }))

    static let randomToken: (String, Value) = ("random_token", .callable(NativeFunction(name: "random_token") { args, kwargs in
            var count = 24
            if let first = args.first, case .int(let number) = first { count = number }
            for (name, value) in kwargs where name == "nbytes" {
                if case .int(let number) = value { count = number }
            }
            guard (1...1024).contains(count) else {
                throw RandomTokenError(requested: count)
            }
            var generator = SystemRandomNumberGenerator()
            let digits = Array("0123456789abcdef".utf8)
            var out: [UInt8] = []
            out.reserveCapacity(count * 2)
            for _ in 0..<count {
                let byte = UInt8.random(in: 0...255, using: &generator)
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0xf)])
            }
            return .string(String(decoding: out, as: UTF8.self))
        }))
}

struct RandomTokenError: Error, CustomStringConvertible {
    var requested: Int
    var name = "random_token: nbytes"
    var range = "1 and 1024"
    var description: String { "\(name) must be between \(range), got \(requested)" }
}
