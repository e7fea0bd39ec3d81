import Foundation
import GitSupport
import Prompting

/// `mlrepro check --updates`: does the template have versions newer than the one recorded (as
/// `cruft check` and `copier check-update` tell)?
package struct TemplateUpdates: Sendable {
    package var project: String
    package var template: String
    /// The recorded version as shown: a version tag, a commit or a content hash.
    package var current: String
    /// Newer versions, newest first: version tags of a git template; for a built-in or directory
    /// template, its current content when that differs from the recorded one.
    package var newer: [String]
    /// How the answer was found, for the user.
    package var note: String?

    package var available: Bool { !newer.isEmpty }

    package var text: String {
        let shownTemplate = TerminalText.visible(template, keepingNewlines: false)
        let shownCurrent = TerminalText.visible(current, keepingNewlines: false)
        var output = ""
        if newer.isEmpty {
            output += "up to date: template \(shownTemplate) has no version newer than \(shownCurrent)\n"
        } else {
            output += "update available: template \(shownTemplate) has \(newer.count) version\(newer.count == 1 ? "" : "s") newer than \(shownCurrent):\n"
            for version in newer { output += "  \(TerminalText.visible(version, keepingNewlines: false))\n" }
            output += "run 'mlrepro update' (or 'mlrepro update --pretend' to see the plan first)\n"
        }
        if let note { output += "note: \(TerminalText.visible(note, keepingNewlines: false))\n" }
        return output
    }

    package var json: String {
        "{\"project\": \(JSONText.quote(project)), \"template\": \(JSONText.quote(template)), \"current\": \(JSONText.quote(current)), "
            + "\"update_available\": \(available), \"newer\": [" + newer.map(JSONText.quote).joined(separator: ", ") + "]}\n"
    }

    /// Looks for newer versions of the template `project` records.
    package static func check(project: String, template: RecordedTemplate = RecordedTemplate(),
                             answersFile: String? = nil) throws -> TemplateUpdates {
        let record = try template.record(of: project, answersFile: answersFile)
        let (source, base) = try template.source(of: record)
        var report = TemplateUpdates(project: project, template: record.template, current: TemplateRevision.label(record.commit), newer: [])
        switch source {
        case .localRepository, .remote:
            let repository = try template.git.repositoryWithTags(source, spec: record.template)
            let tags = try repository.tags().compactMap { name in VersionTag(tag: name).map { (name: name, version: $0) } }
            let recorded = recordedVersion(record, in: repository, tags: tags)
            if let recorded { report.current = recorded.name }
            let includePrereleases = recorded?.version.isPrerelease ?? false
            report.newer = tags.filter { tag in
                (includePrereleases || !tag.version.isPrerelease) && recorded.map { recorded in recorded.version < tag.version } ?? true
            }.sorted { $1.version < $0.version }.map(\.name)
            if recorded == nil && !report.newer.isEmpty {
                report.note = "the recorded commit follows no version tag, so every version tag is listed"
            }
        case .builtin, .directory:
            let tree: TemplateTree
            do {
                tree = try TemplateLocator.locate(record.template, workingDirectory: base)
            } catch let error as GenerationError {
                throw TemplateUnavailable(template: record.template, reason: error.description)
            }
            guard tree.contentHash != record.commit else { return report }
            if case .builtin = source {
                let recordedRelease = record.answers.entry("_mlrepro_version").flatMap { entry -> SemanticVersion? in
                    if case .string(let text) = entry.value { return SemanticVersion(text) }
                    return nil
                }
                if let recordedRelease, let running = SemanticVersion(MLReproVersion.current), running < recordedRelease {
                    report.note = "the project was made by a newer mlrepro than this one (\(MLReproVersion.current)); its built-in template differs"
                    return report
                }
                report.newer = ["\(record.template) as built into mlrepro \(MLReproVersion.current) (\(tree.contentHash))"]
            } else {
                report.newer = ["the template folder's current content (\(tree.contentHash))"]
                report.note = "a template folder has no versions; its content differs from the one recorded"
            }
        }
        return report
    }

    /// The version tag the project was made from: the newest version tag on the recorded commit,
    /// else the nearest one before it (`git describe`), else a tag the record names (copier).
    private static func recordedVersion(_ record: ProjectRecord, in repository: GitRepository,
                                        tags: [(name: String, version: VersionTag)]) -> (name: String, version: VersionTag)? {
        if let named = record.generatedRef, let version = VersionTag(tag: named), tags.contains(where: { $0.name == named }) {
            return (named, version)
        }
        guard let ref = record.generatedRef, let commit = try? repository.resolveCommit(ref) else { return nil }
        let onCommit = tags.filter { (try? repository.resolveCommit($0.name)) == commit }
        if let newest = onCommit.max(by: { $0.version < $1.version }) { return newest }
        guard let described = try? repository.describe(commit) else { return nil }
        // `v1.2.0-3-gabc1234`: the tag is everything before the last two dash-separated parts.
        let parts = described.split(separator: "-")
        guard parts.count >= 3, parts.last?.hasPrefix("g") == true else { return nil }
        let name = parts.dropLast(2).joined(separator: "-")
        return tags.first { $0.name == name }
    }
}
