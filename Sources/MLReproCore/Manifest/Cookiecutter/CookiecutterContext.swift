import TemplateEngine

/// The names cookiecutter gives its templates: the answers under the namespace (`cookiecutter`)
/// with what cookiecutter adds to them, and `_cookiecutter`.
extension RenderingContext {
    /// Every answer under `namespace`, then cookiecutter's `_template`, `_output_dir`, `_repo_dir`
    /// and `_checkout`.
    func addCookiecutterNamespace(_ namespace: String, answers: ResolvedAnswers, to context: inout OrderedMapping) {
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
}

extension ProjectGenerator {
    /// cookiecutter's `_cookiecutter`: the variables as `cookiecutter.json` has them, with the
    /// answers given on the command line or in a file put in (a choice's answer first in its list).
    static func cookiecutterOptions(_ raw: OrderedMapping, answers: ResolvedAnswers, inputs: AnswerInputs) -> OrderedMapping {
        let given = Set(inputs.data.map(\.key) + (inputs.file?.entries.map(\.key) ?? []))
        var options = OrderedMapping()
        // cookiecutter reads `cookiecutter.json` into OrderedDicts (this outer mapping is a dict).
        for (key, value) in raw.pairs {
            guard given.contains(key), let answer = answers.all[key] else {
                options[key] = value.orderedDicts
                continue
            }
            if case .list(let items) = value {
                options[key] = .list([answer] + items.filter { $0.pythonString != answer.pythonString })
            } else {
                options[key] = answer
            }
        }
        return options
    }
}
