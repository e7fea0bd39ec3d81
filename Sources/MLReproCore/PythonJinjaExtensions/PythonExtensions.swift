import Foundation
import TemplateEngine

/// A copier template's `_jinja_extensions`: the ones mlrepro provides natively, and the Python
/// ones (`extensions.py:Filters`, `package.module.Extension`) it runs in one `python3` helper
/// process, started once per run and only for a template that names such an extension, only
/// with `--trust`. Their filters, tests and globals are bridged into the template environment;
/// `copier-template-extensions` context hooks update the context the files are rendered with.
package final class PythonExtensions: @unchecked Sendable {
    /// Extensions whose features the engine has natively (nothing of theirs runs).
    package static let native: Set<String> = timeExtensions.union([
        "jinja2_ansible_filters.AnsibleCoreFiltersExtension",
        "copier_templates_extensions.TemplateExtensionLoader", "copier_template_extensions.TemplateExtensionLoader",
        "cookiecutter.extensions.JsonifyExtension", "cookiecutter.extensions.RandomStringExtension",
        "cookiecutter.extensions.SlugifyExtension", "cookiecutter.extensions.UUIDExtension",
    ])
    /// The extensions that add `{% now %}` (native too).
    package static let timeExtensions: Set<String> = [
        "jinja2_time.TimeExtension", "jinja2_time.jinja2_time.TimeExtension", "cookiecutter.extensions.TimeExtension",
    ]
    /// Jinja2's own extensions that add tags the engine does not have.
    static let unsupported: [String: String] = [
        "jinja2.ext.do": "the {% do %} tag", "jinja2.ext.loopcontrols": "{% break %} and {% continue %}",
        "jinja2.ext.i18n": "{% trans %} and gettext", "jinja2.ext.debug": "the {% debug %} tag",
    ]

    /// The Python extensions among `specs` (those mlrepro does not provide natively), after
    /// refusing Jinja2 extensions whose tags the engine lacks.
    package static func pythonSpecs(_ specs: [String], manifest: String) throws -> [String] {
        for spec in specs {
            if let what = unsupported[spec] {
                throw GenerationError.extensionUnavailable(name: spec, reason: "it adds \(what), which mlrepro's template engine does not have", manifest: manifest)
            }
        }
        return specs.filter { !native.contains($0) }
    }

    /// Filters, tests and globals the extensions added, and how many context hooks they have.
    package private(set) var filters: [String] = []
    package private(set) var tests: [String] = []
    package private(set) var hookCount = 0
    private var globalValues = OrderedMapping()
    /// The helper process; the bridged functions hold it, so it lives as long as they do.
    private let channel: Channel

    /// Starts the helper with `python3` from PATH (or `MLREPRO_PYTHON`) and loads `specs`; the
    /// template's `modules` (all its files) are written to a private folder the helper imports
    /// local extensions (`extensions.py:Class`) from, removed when the helper ends: a module
    /// finds the files beside it (`Path(__file__).parent`), as in the template folder, and the
    /// environment's loader reads them (an extension that loads a template file, such as a JSON
    /// schema).
    /// `workingFolder`: the folder of the copy, relative to its root, the extensions run in
    /// (cookiecutter renders with the template's project folder as the working directory, so a
    /// module may open `../cookiecutter.json`); nil or a folder the template lacks: the root.
    package init(specs: [String], modules: [TemplateEntry], workingFolder: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlrepro-extensions-\(UUID().uuidString)").path
        do {
            try TemplateEntry.write(modules, into: folder)
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw GenerationError.extensionUnavailable(name: specs.joined(separator: ", "),
                                                       reason: "the template's modules could not be copied to \(folder)", manifest: nil)
        }
        var directory = folder
        if let workingFolder, !workingFolder.isEmpty, !workingFolder.split(separator: "/").contains(".."),
           modules.contains(where: { $0.isDirectory && $0.path == workingFolder }) {
            directory = folder + "/" + workingFolder
        }
        channel = try Channel(specs: specs, folder: folder, directory: directory, environment: environment)
        let loaded = try channel.request([("op", .string("load")), ("specs", .list(specs.map { .string($0) }))], what: "loading")
        guard case .dict(let table) = loaded else { throw channel.failure("loading", "the helper answered \(loaded.pythonRepr)") }
        func names(_ key: String) -> [String] {
            guard case .list(let items)? = table[key] else { return [] }
            return items.map(\.pythonString)
        }
        filters = names("filters")
        tests = names("tests")
        if case .int(let count)? = table["hooks"] { hookCount = count }
        if case .dict(let globals)? = table["globals"] {
            for (name, description) in globals.pairs {
                guard case .dict(let fields) = description else { continue }
                globalValues[name] = fields["value"] ?? .callable(channel.function("global", name))
            }
        }
    }

    /// Adds the extensions' filters, tests and globals to `environment`.
    package func install(into environment: inout TemplateEnvironment) {
        for name in filters { environment.filters[name] = channel.function("filter", name) }
        for name in tests { environment.tests[name] = channel.function("test", name) }
        for (name, value) in globalValues.pairs { environment.globals[name] = value }
    }

    /// The context after the extensions' context hooks ran on it (unchanged without hooks).
    package func applyHooks(to context: OrderedMapping) throws -> OrderedMapping {
        guard hookCount > 0 else { return context }
        var serializable = OrderedMapping()
        for (key, value) in context.pairs.map({ ($0.key, Self.pathsAsText($0.value)) }) where !Self.holdsFunction(value) {
            serializable[key] = value
        }
        let changed = try channel.request([("op", .string("hook")), ("context", .dict(serializable))], what: "running the context hooks")
        guard case .dict(let updates) = changed else { return context }
        var result = context
        for (key, value) in updates.pairs { result[key] = value }
        return result
    }

    /// Path values (`_copier_conf.src_path`) as their text: the hooks get JSON.
    private static func pathsAsText(_ value: Value) -> Value {
        if let text = value.pathText { return .string(text) }
        switch value {
        case .list(let items): return .list(items.map(pathsAsText))
        case .dict(let mapping):
            var out = OrderedMapping()
            for (key, item) in mapping.pairs { out[key] = pathsAsText(item) }
            return .dict(out)
        default: return value
        }
    }

    private static func holdsFunction(_ value: Value) -> Bool {
        switch value {
        case .callable: return true
        case .list(let items): return items.contains(where: holdsFunction)
        case .dict(let mapping): return mapping.values.contains(where: holdsFunction)
        default: return false
        }
    }
}

/// The helper process and its line protocol; calls from several rendering threads take turns.
private final class Channel: @unchecked Sendable {
    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    private let errors: Pipe
    private var buffer: [UInt8] = []
    private let lock = NSLock()
    private let specs: [String]

    private let folder: String

    init(specs: [String], folder: String, directory: String, environment: [String: String]) throws {
        self.specs = specs
        self.folder = folder
        let python = environment["MLREPRO_PYTHON"] ?? "python3"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Isolated (`-I`): neither the template's folder (the working directory) nor PYTHONPATH is
        // on sys.path while the helper imports its own modules, so a template's `json.py` or
        // `jinja2.py` cannot stand in for them; the template's modules are loaded by path.
        process.arguments = [python, "-I", "-c", PythonExtensionHelper.script, folder]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var childEnvironment = environment
        childEnvironment["PYTHONDONTWRITEBYTECODE"] = "1"
        childEnvironment["PYTHONIOENCODING"] = "utf-8"
        process.environment = childEnvironment
        let stdin = Pipe(), stdout = Pipe()
        errors = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = errors
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
        // What the extensions print goes to mlrepro's stderr as it comes.
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { FileHandle.standardError.write(data) }
        }
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw GenerationError.extensionUnavailable(name: specs.joined(separator: ", "),
                                                       reason: "\(python) could not be started (\(error.localizedDescription))",
                                                       manifest: nil)
        }
    }

    deinit {
        try? input.close()
        if process.isRunning { process.waitUntilExit() }
        errors.fileHandleForReading.readabilityHandler = nil
        try? FileManager.default.removeItem(atPath: folder)
    }

    func function(_ kind: String, _ name: String) -> NativeFunction {
        NativeFunction(name: name) { [self] args, kwargs in
            try request([("op", .string(kind)), ("name", .string(name)), ("args", .list(args)),
                         ("kwargs", .dict(OrderedMapping(kwargs)))], what: "\(kind) '\(name)'")
        }
    }

    func request(_ fields: [(String, Value)], what: String) throws -> Value {
        lock.lock()
        defer { lock.unlock() }
        let line = JSONText.encode(.dict(OrderedMapping(fields))) + "\n"
        do {
            try input.write(contentsOf: Data(line.utf8))
        } catch {
            throw failure(what, "the Python helper is gone (\(error.localizedDescription))")
        }
        guard let answer = readLine() else {
            process.waitUntilExit()
            throw failure(what, "the Python helper exited with status \(process.terminationStatus)")
        }
        let reader = YAMLValueReader(file: "python extension helper")
        guard let node = try? reader.parse(answer), case .dict(let reply)? = try? reader.value(node) else {
            throw failure(what, "the helper's answer is not JSON: \(answer.prefix(200))")
        }
        if let error = reply["error"] { throw failure(what, error.pythonString) }
        return reply["ok"] ?? .none
    }

    private func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let data = output.availableData
            if data.isEmpty { return nil }
            buffer.append(contentsOf: data)
        }
    }

    func failure(_ what: String, _ message: String) -> Error {
        GenerationError.extensionFailed(what: what, extensions: specs.joined(separator: ", "), message: message)
    }
}
