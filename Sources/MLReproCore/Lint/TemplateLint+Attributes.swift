import TemplateEngine

extension TemplateLint {
    /// Attribute chains that cannot exist whatever the answers, as far as that can be known:
    ///
    /// - `env.GROUP` and `env.GROUP.FIELD`: every group and field of the environment record is
    ///   present in every record, probed or not (`--no-probe` writes them empty), so a name that
    ///   is not in the unprobed record is in none. Deeper parts (a GPU's fields) are not checked.
    /// - `answer.attr` for a `str`, `int`, `float` or `bool` question, and for a multiselect one
    ///   (a list): every answer of that type has the same attributes and methods
    ///   (`name.upper()`), so the engine's own answer for a sample value holds for all.
    ///
    /// Not checked: `yaml`/`json` answers (any mapping may be given), the answers namespace of
    /// cookiecutter templates, and a name the template rebinds.
    func attributeProblems(_ analysis: TemplateAnalysis, bound: Set<String>, manifest: TemplateManifest) -> [LintFinding] {
        var problems: [LintFinding] = []
        for chain in analysis.attributeChains {
            let root = chain.path[0]
            guard !bound.contains(root), !analysis.defined.contains(root), !analysis.guarded.contains(root) else { continue }
            let sample: Value
            let depth: Int
            if root == "env" {
                sample = Baker.unprobedEnvironment
                depth = min(chain.path.count - 1, 2)
            } else if manifest.answersNamespace == nil, let question = manifest.question(named: root),
                      let value = Self.sampleAnswer(question) {
                sample = value
                depth = 1
            } else {
                continue
            }
            for level in 1...max(1, depth) {
                let parts = Array(chain.path[1...level])
                guard let defined = Self.isDefined(sample, parts) else { break }
                if !defined {
                    let owner = ([root] + parts.dropLast()).joined(separator: ".")
                    let what = root == "env"
                        ? (level == 1 ? "the environment record has no group '\(parts[0])'" : "the environment record's '\(parts[0])' has no field '\(parts[1])'")
                        : "'\(root)' is a \(Self.typeName(manifest.question(named: root))) answer, which has no attribute '\(parts.last ?? "")'"
                    problems.append(LintFinding(location: chain.positions[level - 1].description, message: "'\(owner).\(parts.last ?? "")': \(what)"))
                    break
                }
            }
        }
        return problems
    }

    static func sampleAnswer(_ question: Question) -> Value? {
        if question.multiselect { return .list([]) }
        switch question.type {
        case .str: return .string("")
        case .int: return .int(0)
        case .float: return .float(0)
        case .bool: return .bool(false)
        case .yaml, .json: return nil
        }
    }

    static func typeName(_ question: Question?) -> String {
        guard let question else { return "" }
        return question.multiselect ? "multiselect (list)" : question.type.rawValue
    }

    /// Whether `sample[parts[0]][parts[1]]…` is defined, by the engine's own rules (attributes,
    /// methods, items); nil when the engine cannot say (the value before the last part is not a mapping).
    static func isDefined(_ sample: Value, _ parts: [String]) -> Bool? {
        // The engine with its default delimiters, whatever the template's `_envops` say.
        let environment = TemplateEnvironment()
        var context = OrderedMapping()
        context["sample"] = sample
        var expression = "sample"
        for (index, part) in parts.enumerated() {
            context["part\(index)"] = .string(part)
            expression += "[part\(index)]"
        }
        if parts.count > 1 {
            // Only through mappings: a list or a null on the way says nothing about real values.
            var prefix = "sample"
            for index in 0..<(parts.count - 1) { prefix += "[part\(index)]" }
            guard (try? environment.render("{{ \(prefix) is mapping }}", name: "<lint>", context: context)) == "True" else { return nil }
        }
        guard let text = try? environment.render("{{ \(expression) is defined }}", name: "<lint>", context: context) else { return nil }
        return text == "True"
    }
}
