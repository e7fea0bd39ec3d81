import TemplateEngine

/// What a manifest's `_tasks` entry runs: a shell command line or an argument vector.
package enum TaskCommand: Sendable, Equatable {
    case shell(String)
    case arguments([String])
}

/// One of copier's `_migrations`: a command `update` runs (with `--trust`) before or after it
/// merges a newer template version in.
package struct Migration: Sendable, Equatable {
    package var command: TaskCommand
    /// Run only when the update crosses this version (`from < version <= to`); nil: every update.
    package var version: String?
    /// A bool or a template (default: `{{ _stage == "after" }}`); the legacy form sets it per stage.
    package var when: Value?
    package var workingDirectory: String?
}

/// When and where a `_tasks` entry runs (copier's mapping form).
package struct TaskCondition: Sendable, Equatable {
    /// A bool, or a template string rendered with the answers; nil runs always.
    package var when: Value?
    /// Relative to DEST; templated.
    package var workingDirectory: String?

    package init(when: Value? = nil, workingDirectory: String? = nil) {
        self.when = when
        self.workingDirectory = workingDirectory
    }
}
