import Foundation

/// One record's drift in a project made from several templates.
package struct RecordDrift: Sendable {
    /// The record, relative to the project (`.mlrepro/answers.yml`, `.copier-answers.ci.yml`).
    package var record: String
    package var report: DriftReport
}

extension DriftCheck {
    /// `check` of a project with several records (`ProjectRecords.find`): every template is
    /// rendered from its own record and compared, and two templates that both generate a file
    /// neither declares its project's own (`_project_owned`, `_skip_if_exists`) are refused
    /// before anything is compared. Nil when the project has fewer than two records.
    package static func runEvery(project: String, template: RecordedTemplate = RecordedTemplate(),
                                strict: Bool = false) throws -> [RecordDrift]? {
        let records = ProjectRecords.find(in: project)
        guard records.count > 1 else { return nil }
        if let override = template.override {
            throw TemplateUnavailable(template: override, reason: "--template names one template, and this project records "
                + "\(records.count) (\(records.joined(separator: ", "))); name the record it replaces with --answers-file")
        }
        let renders = try render(records, of: project, template: template)
        try refuseOverlaps(renders)
        return try renders.map { entry in
            var report = try compare(entry.render, record: entry.record, strict: strict)
            if entry.tree.revision == nil, !entry.record.commit.isEmpty, entry.tree.contentHash != entry.record.commit {
                report.templateHash = entry.tree.contentHash
            }
            return RecordDrift(record: entry.file, report: report)
        }
    }

    /// `update` of every record: refuses (`OverlappingTemplates`) two of the project's templates
    /// that both generate a file neither declares the project's own, rendered at their recorded
    /// versions, before anything is changed.
    package static func refuseOverlaps(project: String, template: RecordedTemplate = RecordedTemplate()) throws {
        try refuseOverlaps(render(ProjectRecords.find(in: project), of: project, template: template))
    }

    private static func refuseOverlaps(_ renders: [(file: String, record: ProjectRecord, tree: TemplateTree, render: RegeneratedProject)]) throws {
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
    }

    /// Each of `records` rendered from itself, in order.
    private static func render(_ records: [String], of project: String, template: RecordedTemplate) throws
        -> [(file: String, record: ProjectRecord, tree: TemplateTree, render: RegeneratedProject)] {
        try records.map { file in
            let record = try template.record(of: project, answersFile: file)
            let tree = try template.load(record)
            let render = try RegeneratedProject.render(
                tree: tree, project: project, inputs: record.answerInputs(for: try tree.manifest()),
                environmentJSON: record.environmentJSON, skip: record.skip, trust: template.trust, layout: record.layout, streamingCopies: true)
            return (file, record, tree, render)
        }
    }

    /// `init --answers-file` into a project other templates made: refuses (`OverlappingTemplates`)
    /// when the new template would generate a file one of the project's recorded templates also
    /// generates, unless one of the two declares it the project's own (`_project_owned`,
    /// `_skip_if_exists`). Each recorded template is rendered from its record, as `check` does.
    package static func refuseOverlap(_ prepared: PreparedGeneration, recordedAs newRecord: String,
                                     template: RecordedTemplate = RecordedTemplate()) throws {
        let project = prepared.request.destination
        let records = ProjectRecords.find(in: project)
        guard !records.isEmpty else { return }
        let owned = PathPatterns(prepared.manifest.projectOwned)
        let generated = prepared.plan.files.filter { item in
            !item.isSecret && !item.skipIfExists && !owned.matches(item.path, isDirectory: false)
        }.map(\.path)
        let newTemplate = TemplateLocator.recordedName(of: prepared.request.tree, destination: project)
        for entry in try render(records, of: project, template: template) {
            let shared = generated.filter { path in
                entry.render.files[path] != nil && !Self.leaves(path, to: entry.render)
            }.sorted()
            if !shared.isEmpty {
                throw OverlappingTemplates(first: (entry.file, entry.record.template), second: (newRecord, newTemplate), paths: shared,
                                           advice: "one of the templates must declare each of them its project's own "
                                               + "(_project_owned or _skip_if_exists); nothing was written")
            }
        }
    }

    /// True when the template declares `path` the project's (so another template may generate it).
    private static func leaves(_ path: String, to render: RegeneratedProject) -> Bool {
        render.ownsPath(path) || render.skipIfExists.contains(path)
    }
}

extension RecordDrift {
    /// `check --json` of several records: `{"in_sync": ..., "records": [{"record": ..., "report": {...}}]}`.
    package static func json(_ every: [RecordDrift]) -> String {
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
    package static func json(_ every: [(record: String, updates: TemplateUpdates)]) -> String {
        let items = every.map { entry -> String in
            "{\"record\": " + JSONText.quote(entry.record) + ", \"updates\": " + entry.updates.json.trimmingCharacters(in: .newlines) + "}"
        }
        return "{\"records\": [" + items.joined(separator: ", ") + "]}\n"
    }
}
