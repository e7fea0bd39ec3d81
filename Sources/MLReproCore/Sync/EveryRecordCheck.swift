import Foundation

/// One record's drift in a project made from several templates.
public struct RecordDrift: Sendable {
    /// The record, relative to the project (`.mlrepro/answers.yml`, `.copier-answers.ci.yml`).
    public var record: String
    public var report: DriftReport
}

extension DriftCheck {
    /// `check` of a project with several records (`ProjectRecords.find`): every template is
    /// rendered from its own record and compared, and two templates that both generate a file
    /// neither declares its project's own (`_project_owned`, `_skip_if_exists`) are refused
    /// before anything is compared. Nil when the project has fewer than two records.
    public static func runEvery(project: String, template: RecordedTemplate = RecordedTemplate(),
                                strict: Bool = false) throws -> [RecordDrift]? {
        let records = ProjectRecords.find(in: project)
        guard records.count > 1 else { return nil }
        if let override = template.override {
            throw TemplateUnavailable(template: override, reason: "--template names one template, and this project records "
                + "\(records.count) (\(records.joined(separator: ", "))); name the record it replaces with --answers-file")
        }
        var renders: [(file: String, record: ProjectRecord, tree: TemplateTree, render: RegeneratedProject)] = []
        for file in records {
            let record = try template.record(of: project, answersFile: file)
            let tree = try template.load(record)
            let render = try RegeneratedProject.render(
                tree: tree, project: project, inputs: record.answerInputs(for: try tree.manifest()),
                environmentJSON: record.environmentJSON, skip: record.skip, trust: template.trust, streamingCopies: true)
            renders.append((file, record, tree, render))
        }
        for (index, first) in renders.enumerated() {
            for second in renders[(index + 1)...] {
                let shared = first.render.files.sortedKeys.filter { path in
                    second.render.files[path] != nil && !Self.leaves(path, to: first.render) && !Self.leaves(path, to: second.render)
                }
                if !shared.isEmpty {
                    throw OverlappingTemplates(first: (first.file, first.record.template), second: (second.file, second.record.template),
                                               paths: shared)
                }
            }
        }
        return try renders.map { entry in
            var report = try compare(entry.render, record: entry.record, strict: strict)
            if entry.tree.revision == nil, !entry.record.commit.isEmpty, entry.tree.contentHash != entry.record.commit {
                report.templateHash = entry.tree.contentHash
            }
            return RecordDrift(record: entry.file, report: report)
        }
    }

    /// True when the template declares `path` the project's (so another template may generate it).
    private static func leaves(_ path: String, to render: RegeneratedProject) -> Bool {
        render.ownsPath(path) || render.skipIfExists.contains(path)
    }
}

extension RecordDrift {
    /// `check --json` of several records: `{"in_sync": ..., "records": [{"record": ..., "report": {...}}]}`.
    public static func json(_ every: [RecordDrift]) -> String {
        let inSync = every.allSatisfy { $0.report.inSync }
        let items = every.map { entry -> String in
            let report = entry.report.json.trimmingCharacters(in: .newlines)
            return "{\"record\": " + JSONText.quote(entry.record) + ", \"report\": " + report + "}"
        }
        return "{\"in_sync\": \(inSync), \"records\": [" + items.joined(separator: ", ") + "]}\n"
    }
}

extension TemplateUpdates {
    /// `check --updates --json` of several records: `{"records": [{"record": ..., "updates": {...}}]}`.
    public static func json(_ every: [(record: String, updates: TemplateUpdates)]) -> String {
        let items = every.map { entry -> String in
            "{\"record\": " + JSONText.quote(entry.record) + ", \"updates\": " + entry.updates.json.trimmingCharacters(in: .newlines) + "}"
        }
        return "{\"records\": [" + items.joined(separator: ", ") + "]}\n"
    }
}
