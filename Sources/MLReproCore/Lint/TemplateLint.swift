import Foundation
import TemplateEngine

/// One problem `mlrepro lint` found, located in the template.
package struct LintFinding: Sendable, Equatable, CustomStringConvertible {
    /// `file:line:col`, or just the file when no position is known.
    package var location: String
    package var message: String
    package var description: String { "\(location): error: \(message)" }
}

/// What `lint` looked at and what it found.
package struct LintReport: Sendable {
    package var findings: [LintFinding] = []
    /// Template files compiled (rendered files, included files, templated path names).
    package var templatesCompiled = 0
    /// Question expressions (`default`, `when`, `choices`, `validator`) and manifest strings checked.
    package var expressionsChecked = 0
    package var notes: [String] = []
    /// Filters and tests the template's Python extensions supply, assumed without `--trust`.
    package var assumedFromExtensions: [String] = []
    /// Names nothing but the Python extensions (not loaded) could define: not errors, listed.
    package var uncheckedNames: [LintFinding] = []
}

/// Compiles everything a template would render, for every answer set at once: the manifest's
/// templated strings, every rendered file and path name, every template they include, import or
/// extend; and reports each name that nothing defines (no question, no context variable, no
/// built-in, no binding in the template itself).
package struct TemplateLint {
    package var tree: TemplateTree
    /// Load the template's Python `_jinja_extensions` (as `init --trust` does), so that their
    /// filters, tests and globals are known and every name is checked.
    package var trust: Bool

    package init(tree: TemplateTree, trust: Bool = false) {
        self.tree = tree
        self.trust = trust
    }

    /// Units of analysis: a compiled template's name facts, keyed by template-relative path
    /// (files) or by a label (manifest expressions, path names).
    struct Unit {
        var analysis: TemplateAnalysis
        /// Template-relative paths of the templates it loads (resolved).
        var loads: [String] = []
    }

    package func run() throws -> LintReport {
        var report = LintReport()
        let manifest = try tree.manifest()
        let manifestPath = tree.displayPath(manifest.fileName)
        for setting in manifest.unknownSettings {
            report.findings.append(LintFinding(location: "\(setting.location)", message: "unknown setting '\(setting.name)'"))
        }
        let base = try GenerationPlanner.base(of: manifest, in: tree)
        var environment = RenderingContext.environment(options: manifest.environmentOptions,
                                                      loader: TreeLoader(tree: tree, base: base, manifest: manifest))
        var known = Self.contextNames(manifest)
        // Python extensions: loaded with --trust (their filters, tests and globals become known);
        // without it their filters and tests are assumed where the engine lacks them, and a name
        // nothing else defines is listed, not reported (the extensions might define it).
        var pythonSpecs: [String] = []
        var extensions: PythonExtensions?
        do {
            pythonSpecs = try PythonExtensions.pythonSpecs(manifest.jinjaExtensions, manifest: manifestPath)
        } catch {
            report.findings.append(LintFinding(location: manifestPath, message: "\(error)"))
        }
        if !pythonSpecs.isEmpty && trust {
            let before = Set(environment.globals.keys)
            let loaded = try PythonExtensions(specs: pythonSpecs, modules: tree.entries)
            loaded.install(into: &environment)
            extensions = loaded
            known.formUnion(Set(environment.globals.keys).subtracting(before))
        } else if !pythonSpecs.isEmpty {
            report.notes.append("the template's Python _jinja_extensions (\(pythonSpecs.joined(separator: ", "))) were not loaded: "
                + "filters and tests the engine lacks are assumed to come from them, and names nothing else defines are listed, not reported; "
                + "lint --trust loads them as init --trust does and checks everything")
        }
        defer { _ = extensions }
        let namesAreErrors = pythonSpecs.isEmpty || trust
        var assumed: [String] = []
        /// Compiles; without the extensions loaded, a filter or test the engine does not know is
        /// taken to be theirs (a stand-in is registered and the text compiled again).
        func compileTemplate(_ text: String, name: String) throws -> Template {
            var attempts = 0
            while true {
                do {
                    return try environment.compile(text, name: name)
                } catch let error as TemplateError where !namesAreErrors && attempts < 200 {
                    guard let unknown = error.unknownName else { throw error }
                    attempts += 1
                    let standIn = NativeFunction(name: unknown.name) { _, _ in .none }
                    switch unknown {
                    case .filter(let name): environment.filters[name] = standIn
                    case .test(let name): environment.tests[name] = standIn
                    }
                    assumed.append("\(unknown.kind) '\(unknown.name)'")
                }
            }
        }
        func undefinedRead(_ finding: LintFinding) {
            if namesAreErrors { report.findings.append(finding) } else { report.uncheckedNames.append(finding) }
        }
        var attributeFindings: [LintFinding] = []
        func checkAttributes(_ analysis: TemplateAnalysis, bound: Set<String>) {
            attributeFindings += attributeProblems(analysis, bound: bound, manifest: manifest)
        }

        // MARK: Manifest expressions, each with the questions asked before it.
        var earlier: Set<String> = []
        for question in manifest.questions {
            func check(_ text: String, _ field: String, sees names: Set<String>) {
                report.expressionsChecked += 1
                let label = "\(question.location)"
                do {
                    let template = try compileTemplate(text, name: "\(manifestPath) (\(field) of \(question.name))")
                    let analysis = template.analysis()
                    for read in analysis.undefinedReads(known: known.union(names)) {
                        let later = !names.contains(read.name) && manifest.question(named: read.name) != nil
                        let why = later ? "question '\(read.name)' is asked after '\(question.name)'" : "no question or context variable defines it"
                        let finding = LintFinding(location: label, message: "\(field) of '\(question.name)' uses '\(read.name)': \(why)")
                        if later { report.findings.append(finding) } else { undefinedRead(finding) }
                    }
                    checkAttributes(analysis, bound: [])
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
                let template = try compileTemplate(text, name: "\(manifestPath) (\(setting))")
                let analysis = template.analysis()
                for read in analysis.undefinedReads(known: allNames) {
                    undefinedRead(LintFinding(location: manifestPath,
                        message: "\(setting) uses '\(read.name)': no question or context variable defines it"))
                }
                checkAttributes(analysis, bound: [])
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
                let template = try compileTemplate(text, name: name)
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
            let bound = boundInGroup[root(key)] ?? []
            let visible = allNames.union(bound)
            for read in analysis.undefinedReads(known: visible) {
                undefinedRead(LintFinding(location: read.position.description,
                    message: "'\(read.name)' is not defined: no question, context variable or binding in the template defines it"))
            }
            checkAttributes(analysis, bound: bound)
        }
        report.findings += attributeFindings
        report.assumedFromExtensions = assumed
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
