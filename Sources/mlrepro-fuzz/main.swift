// Deterministic mutation fuzzer for the two parsers that read untrusted text: answers files
// (YAML parsing, typing and validation against the built-in template, then a full in-memory
// render plan) and templates (the Jinja2-compatible engine: parse, then render with limits).
//
//     mlrepro-fuzz --seconds N [--seed S] [--target answers|engine|paths|records|all] [--work DIR] [--corpus DIR]
//
// The paths target plans templates whose file names and `_exclude` patterns are mutated (one-
// character names, deep `**` patterns, version-control folders, control characters). The
// records target mutates a project's own record (`.mlrepro/answers.yml`, `checksums`,
// `environment.json`, `.copier-answers.yml`, `.cruft.json`), commits it, and runs `check` and
// `update` on the project; a file outside the project or in its `.git` that changes is a finding
// (exit 4), as a crash or a hang is.
//
// Each input is written to WORK/current-<target> before it runs, so a crash (the process dies)
// or a hang (no input finishes within 10 s: exit 3) leaves the input that caused it behind;
// `make fuzz` keeps it as WORK/crash-*. Errors thrown for bad input are the expected outcome
// and are counted, never reported as findings. Exit 0 when the time ran out with no finding.
import Foundation
import GitSupport
import MLReproCore
import TemplateEngine

struct Options {
    var seconds = 60.0
    var seed: UInt64 = 1
    var target = "all"
    var work = "out/fuzz"
    var corpus = "Templates/ml-research"

    init(_ arguments: [String]) throws {
        var index = 0
        func next() throws -> String {
            index += 1
            guard index < arguments.count else { throw FuzzError("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--seconds": seconds = try Double(next()).flatMap { $0 > 0 ? $0 : nil } ?? { throw FuzzError("--seconds must be positive") }()
            case "--seed": seed = try UInt64(next()) ?? { throw FuzzError("--seed must be an unsigned integer") }()
            case "--target":
                target = try next()
                guard ["answers", "engine", "paths", "records", "all", "both"].contains(target) else {
                    throw FuzzError("--target is answers, engine, paths, records or all")
                }
            case "--work": work = try next()
            case "--corpus": corpus = try next()
            default: throw FuzzError("unknown argument \(arguments[index])")
            }
            index += 1
        }
    }
}

struct FuzzError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// SplitMix64: the same seed gives the same inputs on every machine.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Byte-level mutations: dictionary tokens, deletions, duplications, random bytes, splices
/// with another corpus entry and long repetitions (size bombs).
struct Mutator {
    let tokens: [[UInt8]]
    var corpus: [[UInt8]]
    let maxSize = 64 * 1024

    func mutate(_ input: [UInt8], using rng: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let at = Int.random(in: 0...bytes.count, using: &rng)
            switch Int.random(in: 0..<12, using: &rng) {
            case 0, 1:
                bytes.insert(contentsOf: tokens[Int.random(in: 0..<tokens.count, using: &rng)], at: at)
            case 2 where !bytes.isEmpty:
                let end = min(bytes.count, at + Int.random(in: 1...16, using: &rng))
                if at < end { bytes.removeSubrange(at..<end) }
            case 3 where !bytes.isEmpty:
                let start = Int.random(in: 0..<bytes.count, using: &rng)
                let end = min(bytes.count, start + Int.random(in: 1...64, using: &rng))
                bytes.insert(contentsOf: bytes[start..<end], at: at)
            case 4 where at < bytes.count:
                bytes[at] = UInt8.random(in: 0...255, using: &rng)
            case 5:
                let other = corpus[Int.random(in: 0..<corpus.count, using: &rng)]
                if !other.isEmpty {
                    let start = Int.random(in: 0..<other.count, using: &rng)
                    let end = min(other.count, start + Int.random(in: 1...256, using: &rng))
                    bytes.insert(contentsOf: other[start..<end], at: at)
                }
            case 6:
                let token = tokens[Int.random(in: 0..<tokens.count, using: &rng)]
                let count = Int.random(in: 2...2000, using: &rng)
                for _ in 0..<count where bytes.count < maxSize { bytes.insert(contentsOf: token, at: min(at, bytes.count)) }
            default:
                // Swap two lines: keeps the input well-formed more often than byte edits do.
                var lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map(Array.init)
                if lines.count > 1 {
                    lines.swapAt(Int.random(in: 0..<lines.count, using: &rng), Int.random(in: 0..<lines.count, using: &rng))
                    bytes = Array(lines.joined(separator: [10]))
                }
            }
        }
        return bytes.count > maxSize ? Array(bytes.prefix(maxSize)) : bytes
    }
}

/// Notices an input that runs for more than 10 s and ends the process, leaving it behind.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var started: Date?
    private var label = ""

    func begin(_ label: String) { lock.lock(); started = Date(); self.label = label; lock.unlock() }
    func end() { lock.lock(); started = nil; lock.unlock() }

    func start() {
        Thread.detachNewThread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 1)
                lock.lock()
                let running = started.map { Date().timeIntervalSince($0) } ?? 0
                let what = label
                lock.unlock()
                if running > 10 {
                    FileHandle.standardError.write(Data("mlrepro-fuzz: \(what) ran for more than 10 s (hang); input kept\n".utf8))
                    exit(3)
                }
            }
        }
    }
}

struct Counts {
    var executions = 0
    var accepted = 0
    var rejected = 0
    var messages = Set<String>()
}

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
func tokens(_ list: [String]) -> [[UInt8]] { list.map { Array($0.utf8) } }

let yamlTokens = tokens([
    "&a ", "*a", "[", "]", "{", "}", ": ", "- ", "\n", "\n  ", "!!python/object/apply:os.system ['id']", "!!binary ",
    "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "---\n", "...\n", "\0", "\u{202E}", "\u{FEFF}", "../", "/etc/passwd", "'", "\"",
    "~", "<<: *a\n", "? ", "|\n", ">-\n", "99999999999999999999999", "-.inf", ".nan", "0x1F", "0o17", "true", "null",
    "project_slug: ", "package_name: ", "framework: ", "compute: [local, slurm]", "accelerator: ", "_template: ",
    "_commit: ", "epochs: ", "cuda_version: ", "python_version: 3.10", "license: ", "\t", "#", "\\u0000", "\r\n",
    "\"\\e[31m\"", "\"\\x85\"", "\"\\u2028\"", "\"\\u202e\"", "\"a\\\\\"", "\"\\x00\"", "\"\\r\"", "\u{85}", "\u{2028}", "\u{1B}",
])
let engineTokens = tokens([
    "{{", "}}", "{%", "%}", "{#", "#}", "{%-", "-%}", " for x in items ", " endfor ", " if ", " elif ", " else ",
    " endif ", " macro m(a, b=2) ", " endmacro ", " call ", " include 'self.txt' ", " include '../x' ", " raw ",
    " endraw ", " set x = ", " set ns = namespace(n=0) ", "|", "upper", "join(', ')", "default('d')", "tojson", "indent(4)",
    "(", ")", "[", "]", "**", "*", "//", "%", "~", "loop.index", "range(100000000)", "'", "\"", ".", "1e308", "-",
    " not ", " is ", " defined", " in ", "\\", "\n", "x", "items", "d.k", "env.nvidia.gpus", "m(1)", "[::-1]", "9" + String(repeating: "9", count: 30),
    "('x' * 60000000)", "('x' * 1000000)", ".replace('x', 'y' * 100)", "|replace('', 'ab')", "|join", "','.join(",
    "|indent(100)", "|center(16000000)", "'%16000000s'|format(1)", "|map('upper')|list", "[x * 1000000] * 1000",
    " import 'self.txt' as s ", " from 'self.txt' import m ", " extends 'self.txt' ", " block b ", " endblock ",
])

/// Seeds and tokens of the paths target: one input is a newline-separated list whose lines
/// starting with `!x ` are `_exclude` patterns and whose other lines are template file paths.
let pathTokens = tokens([
    "!x **/", "!x **/**/**/**/**/**/**/**/**/**/**/**/**/", "!x *", "!x ?", "!x [a-z]", "!x !", "!x /", "R", "f", "d/", "/",
    ".git/", ".GIT/", ".g\u{200C}it/", ".hg/", "GIT~1/", ".mlrepro/", ".MLRepro/", "..", ".", "a.", "{{ name }}", ".jinja",
    "\u{1B}", "\u{202E}", "\u{85}", "\n", String(repeating: "d/", count: 60), "zz", "\\",
])

func pathsTarget(_ options: Options, deadline: Date, rng: inout SeededGenerator, watchdog: Watchdog) throws -> Counts {
    let deep = (0..<60).map { "d\($0)" }.joined(separator: "/")
    let seeds = [
        "!x **/zz\nR\nf.jinja\nd/x\n\(deep)/zz\n",
        "!x \((0..<30).map { _ in "**" }.joined(separator: "/"))/zz/no\n\(deep)/zz\nok.txt\n",
        "!x *.pyc\n.git/config\nsub/.hg/hgrc\n{{ name }}/a\n",
    ].map { Array($0.utf8) }
    let environment = TemplateEnvironment()
    return fuzzLoop(name: "paths", current: options.work + "/current-paths.txt", seeds: seeds, tokens: pathTokens,
                    deadline: deadline, rng: &rng, watchdog: watchdog) { _, input in
        var patterns: [String] = []
        var entries: [TemplateEntry] = [TemplateEntry(path: "mlrepro.yml", isDirectory: false, mode: 0o644,
                                                       bytes: Array("name: {default: x}\n".utf8))]
        var seen: Set<String> = ["mlrepro.yml"]
        for line in text(input).split(separator: "\n").prefix(200) {
            if line.hasPrefix("!x ") { patterns.append(String(line.dropFirst(3))); continue }
            let path = String(line)
            var prefix = ""
            // At most 600 components: enough to pass the planner's path length limit, without the
            // harness's own prefix building growing quadratically.
            let parts = path.split(separator: "/", omittingEmptySubsequences: false).prefix(600)
            for (index, part) in parts.enumerated() {
                prefix = prefix.isEmpty ? String(part) : prefix + "/" + part
                let isDirectory = index < parts.count - 1
                if seen.insert(prefix).inserted {
                    entries.append(TemplateEntry(path: prefix, isDirectory: isDirectory, mode: isDirectory ? 0o755 : 0o644,
                                                 bytes: isDirectory ? [] : Array("{{ name }}\n".utf8)))
                }
            }
        }
        let tree = TemplateTree(source: "fuzz", origin: "/fuzz", entries: entries)
        var manifest = try tree.manifest()
        // As the manifest reader bounds them (`_exclude` patterns of at most 128 components).
        manifest.exclude = patterns.filter { $0.utf8.count <= 4000 && $0.split(separator: "/").count <= 128 }
        _ = PathPatterns(manifest.exclude ?? []).matches(deep + "/zz", isDirectory: false)
        _ = try GenerationPlanner(tree: tree, manifest: manifest, environment: environment)
            .plan(context: OrderedMapping([("name", .string("x"))]))
    }
}

func answersTarget(_ options: Options, deadline: Date, rng: inout SeededGenerator, watchdog: Watchdog) throws -> Counts {
    let tree = try TemplateLocator.locate(nil)
    var corpus: [[UInt8]] = []
    // Seeds: a valid answers file per framework, and the template's own YAML.
    for framework in ["pytorch", "lightning", "tensorflow", "jax", "sklearn"] {
        corpus.append(Array("""
            project_name: Fuzz Study
            framework: \(framework)
            accelerator: cpu
            tracking: mlflow-server
            compute: [local, chameleon, slurm, kubernetes]
            data_versioning: dvc
            notebooks: true

            """.utf8))
    }
    if let manifest = FileManager.default.contents(atPath: options.corpus + "/mlrepro.yml") { corpus.append([UInt8](manifest)) }
    let git = GitIdentity(name: "Fuzz", email: "fuzz@example.org")
    return fuzzLoop(name: "answers", current: options.work + "/current-answers.yml", seeds: corpus, tokens: yamlTokens,
                    deadline: deadline, rng: &rng, watchdog: watchdog) { path, _ in
        let file = try AnswersFile.load(path: path)
        let request = GenerationRequest(destination: options.work + "/never-written", tree: tree,
                                        inputs: AnswerInputs(file: file, useDefaults: true), environmentJSON: "{}", git: git)
        _ = try ProjectGenerator.prepare(request)
    }
}

func engineTarget(_ options: Options, deadline: Date, rng: inout SeededGenerator, watchdog: Watchdog) throws -> Counts {
    var corpus: [[UInt8]] = []
    if let walker = FileManager.default.enumerator(atPath: options.corpus) {
        while let path = walker.nextObject() as? String, corpus.count < 200 {
            if path.hasSuffix(".jinja"), let data = FileManager.default.contents(atPath: options.corpus + "/" + path) {
                corpus.append([UInt8](data))
            }
        }
    }
    corpus.append(Array("Hello {{ x }}!\n{% for i in items %}{{ loop.index }}:{{ i|upper }}\n{% endfor %}".utf8))
    corpus.append(Array("{% macro m(a, b=2) %}[{{ a * b }}]{% endmacro %}{{ m(3) }}{{ m(1, b=4) }}".utf8))
    let limits = RenderLimits(maxDepth: 40, maxRange: 100_000, maxOutputBytes: 1 << 20, maxSteps: 200_000)
    let environment = TemplateEnvironment(options: EnvironmentOptions(limits: limits),
                                          loader: DictionaryLoader(["self.txt": "{% include 'self.txt' %}"]))
    let context = OrderedMapping([
        ("x", .string("val")), ("items", .list(["a", "b", .int(3)])),
        ("d", .dict(OrderedMapping([("k", .float(1.5))]))),
        ("project_name", .string("Fuzz")), ("package_name", .string("fuzz")), ("framework", .string("jax")),
        ("accelerator", .string("cpu")), ("compute", .list(["local", "slurm"])), ("tracking", .string("mlflow-local")),
        ("env", .dict(OrderedMapping([("nvidia", .dict(OrderedMapping([("gpus", .list([]))])))]))),
    ])
    return fuzzLoop(name: "engine", current: options.work + "/current-engine.jinja", seeds: corpus, tokens: engineTokens,
                    deadline: deadline, rng: &rng, watchdog: watchdog) { _, input in
        _ = try environment.compile(text(input), name: "fuzz.jinja").render(context)
    }
}

/// Tokens of the records target: hostile paths, YAML and JSON shapes, record keys.
let recordTokens = tokens([
    "../victim/victim.txt", "../../", ".git/description", ".git/hooks/pre-commit", ".GIT./config", ".git::$DATA/x", "/etc/hostname",
    "sub/../../", "//", "./", "\\", "\n", "\u{1B}", "\u{202E}", "\u{85}", "*", "**/", "!", "_skip: ", "_skip: ['../*']\n",
    "_template: ", "_commit: ", "_src_path: ", "_template_dirty: true\n", "\"commit\": null", "\"template\": ", "\"context\": ",
    "{\"cookiecutter\": {}}", "\(String(repeating: "0", count: 64))  ", "\(String(repeating: "f", count: 63))", "  ", " *", "=== ",
    "=== answers\n", "=== checksums\n", "=== environment\n", "=== copier\n", "=== cruft\n", "&a ", "*a", "null", "{", "}", "[", "]",
    ": ", "- ", "\0", "'", "\"", "README.md", "keep.txt", "sub/x.txt", "sub", ".mlrepro/answers.yml",
])

/// The records target. An input is a project's record in sections (`=== answers`, `=== checksums`,
/// `=== environment`, `=== copier`, `=== cruft`); each run writes them into a committed project
/// made from a small local template, runs `check` and `update`, and then verifies that no file
/// outside the project and nothing in its `.git` changed.
func recordsTarget(_ options: Options, deadline: Date, rng: inout SeededGenerator, watchdog: Watchdog) throws -> Counts {
    let work = URL(fileURLWithPath: options.work).standardizedFileURL.path
    let manager = FileManager.default
    let root = work + "/records"
    try? manager.removeItem(atPath: root)
    let template = root + "/template", project = root + "/project", victim = root + "/victim/victim.txt"
    let files = ["README.md": "# demo\n", "keep.txt": "keep\n", "sub/x.txt": "x\n"]
    for (path, content) in ["mlrepro.yml": "name: {type: str, default: demo}\n", "README.md.jinja": "# {{ name }}\n",
                            "keep.txt": "keep\n", "sub/x.txt": "x\n", "../victim/victim.txt": "precious\n"] {
        try manager.createDirectory(atPath: ((template + "/" + path) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(content.utf8).write(to: URL(fileURLWithPath: template + "/" + path))
    }
    let repository = try GitRepository.initialize(at: project)
    let author = GitSignature(name: "Fuzz", email: "fuzz@example.org")
    let canaries = [victim, project + "/.git/description", template + "/keep.txt"]
    let expected = canaries.map { manager.contents(atPath: $0) }
    let digest = { (text: String) in SHA256.hex(Array(text.utf8)) }
    let seedChecksums = files.keys.sorted().map { "\(digest(files[$0]!))  \($0)" }.joined(separator: "\n")
    let seeds = [
        "=== answers\n_template: \(template)\n_commit: sha256:0\nname: demo\n=== checksums\n\(seedChecksums)\n=== environment\n{}\n",
        "=== copier\n_src_path: \(template)\n_commit: null\nname: demo\n",
        "=== cruft\n{\"template\": \"\(template)\", \"commit\": null, \"context\": {\"cookiecutter\": {\"name\": \"demo\"}}}\n",
    ].map { Array($0.utf8) }
    let records = ["answers": ".mlrepro/answers.yml", "checksums": ".mlrepro/checksums", "environment": ".mlrepro/environment.json",
                   "copier": ".copier-answers.yml", "cruft": ".cruft.json"]
    return fuzzLoop(name: "records", current: options.work + "/current-records.txt", seeds: seeds, tokens: recordTokens,
                    deadline: deadline, rng: &rng, watchdog: watchdog) { _, input in
        // The project as generated, then the record this input describes, committed.
        for name in (try? manager.contentsOfDirectory(atPath: project)) ?? [] where name != ".git" {
            try manager.removeItem(atPath: project + "/" + name)
        }
        for (path, content) in files {
            try manager.createDirectory(atPath: ((project + "/" + path) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(content.utf8).write(to: URL(fileURLWithPath: project + "/" + path))
        }
        try manager.createDirectory(atPath: project + "/.mlrepro", withIntermediateDirectories: true)
        var section: String?
        var contents: [String: String] = [:]
        for line in text(input).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("=== ") { section = records[String(line.dropFirst(4))] != nil ? String(line.dropFirst(4)) : nil; continue }
            if let section { contents[section, default: ""] += line + "\n" }
        }
        for (section, text) in contents {
            if let path = records[section] { try Data(text.utf8).write(to: URL(fileURLWithPath: project + "/" + path)) }
        }
        try repository.addAll()
        _ = try repository.commit(message: "fuzz", author: author)
        defer {
            for (index, canary) in canaries.enumerated() where manager.contents(atPath: canary) != expected[index] {
                FileHandle.standardError.write(Data("mlrepro-fuzz: records: \(canary) changed; the input is kept\n".utf8))
                exit(4)
            }
        }
        var failure: Error?
        do { _ = try DriftCheck.run(project: project) } catch { failure = error }
        do { _ = try ProjectUpdate(RecordedRegeneration(project: project, ref: nil, answers: nil, data: [])).run() } catch { failure = error }
        if let failure { throw failure }
    }
}

/// Mutates seeds until `deadline`, writing each input to `current` before `execute` runs it;
/// inputs that pass become seeds (up to 500). Thrown errors are counted, not findings.
func fuzzLoop(name: String, current: String, seeds: [[UInt8]], tokens: [[UInt8]], deadline: Date,
              rng: inout SeededGenerator, watchdog: Watchdog,
              execute: (_ path: String, _ input: [UInt8]) throws -> Void) -> Counts {
    var mutator = Mutator(tokens: tokens, corpus: seeds)
    let verbose = ProcessInfo.processInfo.environment["MLREPRO_FUZZ_VERBOSE"] != nil
    var counts = Counts()
    while Date() < deadline {
        let input = mutator.mutate(mutator.corpus[Int.random(in: 0..<mutator.corpus.count, using: &rng)], using: &rng)
        _ = FileManager.default.createFile(atPath: current, contents: Data(input))
        watchdog.begin("\(name) input \(counts.executions)")
        do {
            try execute(current, input)
            counts.accepted += 1
            if mutator.corpus.count < 500 { mutator.corpus.append(input) }
        } catch {
            counts.rejected += 1
            if counts.messages.count < 100_000 { counts.messages.insert(String(describing: error).prefix(80).description) }
            if verbose { print(name, error) }
        }
        watchdog.end()
        counts.executions += 1
    }
    return counts
}

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    try FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)
    let watchdog = Watchdog()
    watchdog.start()
    var rng = SeededGenerator(state: options.seed)
    let targets = options.target == "all" || options.target == "both" ? ["answers", "engine", "paths", "records"] : [options.target]
    let share = options.seconds / Double(targets.count)
    for target in targets {
        let deadline = Date().addingTimeInterval(share)
        let started = Date()
        let counts: Counts
        switch target {
        case "answers": counts = try answersTarget(options, deadline: deadline, rng: &rng, watchdog: watchdog)
        case "engine": counts = try engineTarget(options, deadline: deadline, rng: &rng, watchdog: watchdog)
        case "records": counts = try recordsTarget(options, deadline: deadline, rng: &rng, watchdog: watchdog)
        default: counts = try pathsTarget(options, deadline: deadline, rng: &rng, watchdog: watchdog)
        }
        let rate = Double(counts.executions) / max(Date().timeIntervalSince(started), 0.001)
        print("fuzz \(target): \(counts.executions) executions (\(Int(rate))/s), \(counts.accepted) accepted, "
            + "\(counts.rejected) rejected with \(counts.messages.count) distinct messages, 0 crashes, 0 hangs")
        let current = ["answers": "/current-answers.yml", "engine": "/current-engine.jinja",
                       "records": "/current-records.txt"][target] ?? "/current-paths.txt"
        try? FileManager.default.removeItem(atPath: options.work + current)
    }
} catch {
    FileHandle.standardError.write(Data("mlrepro-fuzz: \(error)\n".utf8))
    exit(2)
}
