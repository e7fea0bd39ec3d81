import Foundation
import GitSupport
import TemplateEngine

/// A template version as copier compares them for `_migrations`: a version tag, or `git describe`
/// output (`v1.2.0-3-gabc1234`, which ranks after v1.2.0 and before v1.2.1, as PEP 440's
/// `1.2.0.post3` does).
struct MigrationVersion: Comparable {
    var tag: VersionTag
    var post: Int

    init?(_ text: String) {
        let parts = text.split(separator: "-")
        if parts.count >= 3, let count = Int(parts[parts.count - 2]), parts[parts.count - 1].hasPrefix("g"),
           let tag = VersionTag(tag: parts.dropLast(2).joined(separator: "-")) {
            self.tag = tag
            post = count
            return
        }
        guard let tag = VersionTag(tag: text) else { return nil }
        self.tag = tag
        post = 0
    }

    /// PEP 440 spelling (`_version_pep440_from`): `1.2.0`, `1.2.0.post3`.
    var pep440: String { post > 0 ? "\(tag).post\(post)" : tag.description }

    static func < (lhs: MigrationVersion, rhs: MigrationVersion) -> Bool {
        lhs.tag != rhs.tag ? lhs.tag < rhs.tag : lhs.post < rhs.post
    }

    static func == (lhs: MigrationVersion, rhs: MigrationVersion) -> Bool {
        !(lhs < rhs) && !(rhs < lhs)
    }
}

/// The `_migrations` one update runs: those of the new template whose version the update
/// crosses (`from < version <= to`) and those without a version, each in its stage.
struct MigrationPlan {
    struct Step {
        var migration: Migration
        var current: MigrationVersion?
    }

    var steps: [Step]
    var from: (name: String, version: MigrationVersion)
    var to: (name: String, version: MigrationVersion)

    /// nil when there is nothing to run, or when either side has no version (as in copier).
    init?(_ manifest: TemplateManifest, from fromName: String?, to toName: String?) {
        guard !manifest.migrations.isEmpty, let fromName, let toName,
              let fromVersion = MigrationVersion(fromName), let toVersion = MigrationVersion(toName) else { return nil }
        from = (fromName, fromVersion)
        to = (toName, toVersion)
        steps = manifest.migrations.compactMap { migration in
            guard let text = migration.version else { return Step(migration: migration, current: nil) }
            guard let current = MigrationVersion(text), fromVersion < current, current <= toVersion else { return nil }
            return Step(migration: migration, current: current)
        }
        if steps.isEmpty { return nil }
    }

    /// Runs the steps of `stage` ("before" or "after") in `project`, rendered with `context`.
    /// Returns the commands that ran; the first that fails stops the update.
    func run(stage: String, project: String, context: OrderedMapping, environment: TemplateEnvironment,
             runner: any ProcessRunning) throws -> [String] {
        var ran: [String] = []
        for step in steps {
            var variables: [(String, String)] = [
                ("stage", stage), ("version_from", from.name), ("version_to", to.name),
                ("version_pep440_from", from.version.pep440), ("version_pep440_to", to.version.pep440),
                ("copier_operation", "update"),
            ]
            if let current = step.current {
                variables += [("version_current", step.migration.version ?? ""), ("version_pep440_current", current.pep440)]
            }
            var scope = context
            for (name, value) in variables { scope["_" + name] = .string(value) }
            func render(_ text: String, _ field: String) throws -> String {
                do {
                    return try environment.render(text, name: "_migrations.\(field)", context: scope)
                } catch let error as TemplateError {
                    throw UpdateError.migrationFailed(command: text, reason: error.description)
                }
            }
            let runs: Bool
            switch step.migration.when {
            case nil: runs = stage == "after"
            case .bool(let flag)?: runs = flag
            case .string(let text)?: runs = AnswerCast.truthy(.string(try render(text, "when")))
            default: runs = false
            }
            guard runs else { continue }
            let command: TaskCommand
            switch step.migration.command {
            case .shell(let line): command = .shell(try render(line, "command"))
            case .arguments(let parts): command = .arguments(try parts.map { try render($0, "command") })
            }
            var directory = project
            if let relative = try step.migration.workingDirectory.map({ try render($0, "working_directory") }),
               !relative.isEmpty, relative != "." {
                let parts = relative.split(separator: "/")
                guard !relative.hasPrefix("/"), !parts.contains("..") else {
                    throw UpdateError.migrationFailed(command: command.display, reason: "its working_directory must stay inside the project")
                }
                directory += "/" + parts.joined(separator: "/")
            }
            let environmentVariables = Dictionary(variables.map { ($0.0.uppercased(), $0.1) }, uniquingKeysWith: { $1 })
            let status = try runner.run(command, in: directory, environment: environmentVariables)
            guard status == 0 else {
                throw UpdateError.migrationFailed(command: command.display, reason: "exit status \(status) (\(stage) stage)")
            }
            ran.append(command.display)
        }
        return ran
    }
}
