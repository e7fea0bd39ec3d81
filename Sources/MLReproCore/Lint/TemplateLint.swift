import Foundation
import TemplateEngine

/// One problem `mlrepro lint` found, located in the template.
public struct LintFinding: Sendable, Equatable, CustomStringConvertible {
    /// `file:line:col`, or just the file when no position is known.
    public var location: String
    public var message: String
    public var description: String { "\(location): error: \(message)" }
}

/// What `lint` looked at and what it found.
public struct LintReport: Sendable {
    public var findings: [LintFinding] = []
    /// Template files compiled (rendered files, included files, templated path names).
    public var templatesCompiled = 0
    /// Question expressions (`default`, `when`, `choices`, `validator`) and manifest strings checked.
    public var expressionsChecked = 0
    public var notes: [String] = []
}

/// Compiles everything a template would render, for every answer set at once: the manifest's
/// templated strings, every rendered file and path name, every template they include, import or
/// extend; and reports each name that nothing defines (no question, no context variable, no
/// built-in, no binding in the template itself).
public struct TemplateLint {
    public var tree: TemplateTree

    public init(tree: TemplateTree) { self.tree = tree }

    /// Units of analysis: a compiled template's name facts, keyed by template-relative path
    /// (files) or by a label (manifest expressions, path names).
    struct Unit {
        var analysis: TemplateAnalysis
        /// Template-relative paths of the templates it loads (resolved).
        var loads: [String] = []
    }

    public func run() throws -> LintReport {
        var report = LintReport()
        let manifest = try tree.manifest()
        let manifestPath = tree.displayPath(manifest.fileName)
        for setting in manifest.unknownSettings {
            report.findings.append(LintFinding(location: "\(setting.location)", message: "unknown setting '\(setting.name)'"))
        }
        let base = try GenerationPlanner.base(of: manifest, in: tree)
        let environment = RenderingContext.environment(options: manifest.environmentOptions,
                                                      loader: TreeLoader(tree: tree, base: base, manifest: manifest))
        let checksNames = manifest.jinjaExtensions.isEmpty
        if !checksNames {
            // Their filters and globals are only known once the template's Python code runs.
            report.notes.append("the template declares _jinja_extensions: names are not checked, and filters they add are reported unknown")
        }
        let known = Self.contextNames(manifest)

        // MARK: Manifest expressions, each with the questions asked before it.
        var earlier: Set<String> = []
        for question in manifest.questions {
            func check(_ text: String, _ field: String, sees names: Set<String>) {
                report.expressionsChecked += 1
                let label = "\(question.location)"
                do {
                    let template = try environment.compile(text, name: "\(manifestPath) (\(field) of \(question.name))")
                    guard checksNames else { return }
                    for read in template.analysis().undefinedReads(known: known.union(names)) {
                        let why = names.contains(read.name) || manifest.question(named: read.name) == nil
                            ? "no question or context variable defines it"
                            : "question '\(read.name)' is asked after '\(question.name)'"
                        report.findings.append(LintFinding(location: label,
                            message: "\(field) of '\(question.name)' uses '\(read.name)': \(why)"))
                    }
                } catch let error as TemplateError {
                    report.findings.append(LintFinding(location: label, message: "\(field) of '\(question.name)': \(error.message)"))
                } catch {
                    report.findings.append(LintFinding(location: label, message: "\(field) of '\(question.name)': \(error)"))
                }
            }
            if !question.rawDefault, let value = question.defaultValue {
                for text in Self.strings(in: value) { check(text, "default", sees: earlier) }
            }
            if case .string(let text)? = question.when { check(text, "when", sees: earlier) }
            if let choices = question.choices {
                for text in Self.strings(in: choices) { check(text, "choices", sees: earlier) }
            }
            if let validator = question.validator {
                check(validator, "validator", sees: earlier.union([question.name]))
            }
            earlier.insert(question.name)
        }
        let allNames = known.union(manifest.questions.map(\.name))
        var settings: [(String, String)] = []
        if let text = manifest.messageBeforeCopy { settings.append(("_message_before_copy", text)) }
        if let text = manifest.messageAfterCopy { settings.append(("_message_after_copy", text)) }
        for (index, task) in manifest.tasks.enumerated() {
            switch task {
            case .shell(let line): settings.append(("_tasks[\(index)]", line))
            case .arguments(let parts): for part in parts { settings.append(("_tasks[\(index)]", part)) }
            }
            if index < manifest.taskConditions.count, case .string(let when)? = manifest.taskConditions[index].when {
                settings.append(("_tasks[\(index)].when", when))
            }
        }
        for (setting, text) in settings {
            report.expressionsChecked += 1
            let delimiters = manifest.environmentOptions.delimiters
            guard text.contains(delimiters.variableStart) || text.contains(delimiters.blockStart) else { continue }
            do {
                let template = try environment.compile(text, name: "\(manifestPath) (\(setting))")
                guard checksNames else { continue }
                for read in template.analysis().undefinedReads(known: allNames) {
                    report.findings.append(LintFinding(location: manifestPath,
                        message: "\(setting) uses '\(read.name)': no question or context variable defines it"))
                }
            } catch let error as TemplateError {
                report.findings.append(LintFinding(location: manifestPath, message: "\(setting): \(error.message)"))
            }
        }

        // MARK: Files and path names.
        var units: [String: Unit] = [:]
        var order: [String] = []
        var failed: Set<String> = []
        func compile(_ text: String, key: String, shownAs name: String) {
            guard units[key] == nil, !failed.contains(key) else { return }
            report.templatesCompiled += 1
            do {
                let template = try environment.compile(text, name: name)
                units[key] = Unit(analysis: template.analysis())
                order.append(key)
            } catch let error as TemplateError {
                failed.insert(key)
                report.findings.append(LintFinding(location: "\(error.file):\(error.line):\(error.column)", message: error.message))
            } catch {
                failed.insert(key)
                report.findings.append(LintFinding(location: name, message: "\(error)"))
            }
        }
        let exclude = PathPatterns(manifest.effectiveExclude)
        let copyOnly = manifest.copyWithoutRender.map { Array($0.unicodeScalars) }
        let delimiters = manifest.environmentOptions.delimiters
        var dropped: [String] = []
        for entry in tree.entries {
            guard let relative = GenerationPlanner.projectPath(of: entry.path, base: base, manifest: manifest) else { continue }
            if dropped.contains(where: { relative.hasPrefix($0 + "/") }) { continue }
            if exclude.matches(relative, isDirectory: entry.isDirectory) {
                if entry.isDirectory { dropped.append(relative) }
                continue
            }
            let name = String(relative.split(separator: "/").last ?? "")
            if name.contains(delimiters.variableStart) || name.contains(delimiters.blockStart) {
                compile(name, key: "name:" + entry.path, shownAs: tree.displayPath(entry.path) + " (file name)")
            }
            guard !entry.isDirectory, entry.linkTarget == nil else { continue }
            let suffix = manifest.templatesSuffix
            if suffix.isEmpty {
                if copyOnly.contains(where: { GenerationPlanner.fnmatch($0, relative) }) { continue }
                if entry.size > TemplateLimits.readWhole { continue }
            } else if !(name.hasSuffix(suffix) && name.count > suffix.count) {
                continue
            }
            let bytes: [UInt8]
            do { bytes = try entry.read(shownAs: tree.displayPath(entry.path)) } catch {
                report.findings.append(LintFinding(location: tree.displayPath(entry.path), message: "\(error)"))
                continue
            }
            guard let text = String(validating: bytes, as: UTF8.self), !bytes.contains(0) else {
                if !suffix.isEmpty {
                    report.findings.append(LintFinding(location: tree.displayPath(entry.path),
                        message: "has the templates suffix '\(suffix)' but is not UTF-8 text"))
                }
                continue
            }
            compile(text, key: entry.path, shownAs: tree.displayPath(entry.path))
        }

        // MARK: Included, imported and extended templates, compiled as they are reached.
        var next = 0
        while next < order.count {
            let key = order[next]
            next += 1
            guard let unit = units[key] else { continue }
            var resolved: [String] = []
            for load in unit.analysis.loads {
                guard let path = resolve(load.name, base: base) else {
                    if !load.optional {
                        report.findings.append(LintFinding(location: load.position.description,
                            message: "template '\(load.name)' not found (looked for \(base.isEmpty ? load.name : base + "/" + load.name)\(base.isEmpty ? "" : " and " + load.name))"))
                    }
                    continue
                }
                resolved.append(path)
                guard units[path] == nil, !failed.contains(path), let entry = tree.entry(at: path) else { continue }
                do {
                    let text = String(decoding: try entry.read(shownAs: tree.displayPath(path)), as: UTF8.self)
                    compile(text, key: path, shownAs: tree.displayPath(path))
                } catch {
                    report.findings.append(LintFinding(location: tree.displayPath(path), message: "\(error)"))
                }
            }
            units[key]?.loads = resolved
        }

        // MARK: Names. A template sees what the templates it loads or is loaded by bind.
        guard checksNames else { return report }
        var group: [String: String] = [:]
        func root(_ key: String) -> String {
            var current = key
            while let parent = group[current], parent != current { current = parent }
            return current
        }
        for key in order { group[key] = group[key] ?? key }
        for key in order {
            for loaded in units[key]?.loads ?? [] where group[loaded] != nil {
                let (a, b) = (root(key), root(loaded))
                if a != b { group[a] = b }
            }
        }
        var boundInGroup: [String: Set<String>] = [:]
        for key in order {
            guard let analysis = units[key]?.analysis else { continue }
            boundInGroup[root(key), default: []].formUnion(analysis.defined.union(analysis.guarded))
        }
        for key in order {
            guard let analysis = units[key]?.analysis else { continue }
            let visible = allNames.union(boundInGroup[root(key)] ?? [])
            for read in analysis.undefinedReads(known: visible) {
                report.findings.append(LintFinding(location: read.position.description,
                    message: "'\(read.name)' is not defined: no question, context variable or binding in the template defines it"))
            }
        }
        return report
    }

    /// The template-relative path `{% include name %}` reads (as `TreeLoader` finds it).
    func resolve(_ name: String, base: String) -> String? {
        let parts = name.split(separator: "/")
        if name.hasPrefix("/") || parts.contains("..") { return nil }
        for path in base.isEmpty ? [name] : [base + "/" + name, name] {
            if let entry = tree.entry(at: path), !entry.isDirectory { return path }
        }
        return nil
    }

    /// Every name the rendering context holds besides the answers (see `RenderingContext`).
    static func contextNames(_ manifest: TemplateManifest) -> Set<String> {
        let context = RenderingContext(environmentRecord: .dict(OrderedMapping()), destination: "/", templateSource: "",
                                       templatePath: "", answersFile: "", git: GitIdentity())
        var names = Set(context.full(answers: ResolvedAnswers()).keys)
        names.formUnion(RenderingContext.globals.keys)
        if let namespace = manifest.answersNamespace { names.insert(namespace) }
        if manifest.externalData.count > 0 { names.insert("_external_data") }
        return names
    }

    /// The strings of a value at any depth (templated defaults and choices).
    static func strings(in value: Value) -> [String] {
        switch value {
        case .string(let text): return [text]
        case .list(let items): return items.flatMap { strings(in: $0) }
        case .dict(let mapping): return mapping.pairs.flatMap { strings(in: $0.1) }
        default: return []
        }
    }
}
