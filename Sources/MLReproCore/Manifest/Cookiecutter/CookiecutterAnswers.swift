import TemplateEngine

/// Answers files in cookiecutter's forms, read only for a cookiecutter template (`read(by:)`) and
/// from cruft's `.cruft.json`.
extension AnswersFile {
    /// cookiecutter's forms of answers: a replay file (`{"cookiecutter": {...}}`), a user
    /// config's `default_context`, and cruft's `.cruft.json` (`context.cookiecutter`, with
    /// `template` and `commit` kept as `_src_path` and `_commit`).
    static func unwrapped(_ entries: [Entry]) -> [Entry] {
        func pairs(_ value: Value, at location: SourceLocation) -> [Entry]? {
            guard case .dict(let mapping) = value else { return nil }
            return mapping.pairs.map { Entry(key: $0.key, value: $0.value, location: location) }
        }
        if entries.count == 1, entries[0].key == "cookiecutter", let inner = pairs(entries[0].value, at: entries[0].location) {
            return inner
        }
        if let context = entries.last(where: { $0.key == "context" }), case .dict(let mapping) = context.value,
           let cookiecutter = mapping["cookiecutter"], var inner = pairs(cookiecutter, at: context.location) {
            for entry in entries {
                if entry.key == "template" { inner.append(Entry(key: "_src_path", value: entry.value, location: entry.location)) }
                if entry.key == "commit" { inner.append(Entry(key: "_commit", value: entry.value, location: entry.location)) }
                if entry.key == "checkout" { inner.append(Entry(key: "_checkout", value: entry.value, location: entry.location)) }
            }
            return inner
        }
        if let defaults = entries.last(where: { $0.key == "default_context" }), let inner = pairs(defaults.value, at: defaults.location) {
            return inner
        }
        return entries
    }
}
