import Foundation
import Prompting

/// The records of a project made from several templates, one per template applied, as copier
/// keeps one answers file per template (`.copier-answers.yml`, `.copier-answers.ci.yml`, ...).
public enum ProjectRecords {
    /// The project's records, relative to it: `.mlrepro/answers.yml` when there is one, then copier's
    /// answers files at the top (`.copier-answers.yml` and `.copier-answers.NAME.yml`, by name).
    /// A copier file naming the same template as `.mlrepro/answers.yml` (a copier project
    /// mlrepro has updated keeps both) is the same record and is left out. Entries that are not
    /// regular files (links included) are not records.
    public static func find(in project: String) -> [String] {
        var found: [String] = []
        if isRegularFile(project + "/" + Provenance.answersPath) { found.append(Provenance.answersPath) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: project)) ?? []
        let copier = names.filter { name in
            name == ProjectRecord.copierAnswersPath
                || (name.hasPrefix(".copier-answers.") && name.hasSuffix(".yml") && name.count > ".copier-answers..yml".count)
        }.filter { isRegularFile(project + "/" + $0) }.sorted()
        let main = found.isEmpty ? nil : (try? ProjectRecord.load(project: project))?.template
        for name in copier {
            if let main, let record = try? ProjectRecord.load(project: project, answersFile: name), record.template == main { continue }
            found.append(name)
        }
        return found
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }
}

/// Two templates of one project that both generate a file, neither declaring it the other's.
public struct OverlappingTemplates: Error, Sendable, CustomStringConvertible {
    public var first: (record: String, template: String)
    public var second: (record: String, template: String)
    public var paths: [String]

    public var description: String {
        let shown = paths.prefix(10).map { "  \(TerminalText.visible($0, keepingNewlines: false))" }.joined(separator: "\n")
        let more = paths.count > 10 ? "\n  ... and \(paths.count - 10) more" : ""
        return "templates '\(first.template)' (\(first.record)) and '\(second.template)' (\(second.record)) both generate "
            + "\(paths.count == 1 ? "this file" : "these \(paths.count) files"), so each would undo the other's version:\n\(shown)\(more)\n"
            + "one of the templates must declare each of them its project's own (_project_owned or _skip_if_exists); "
            + "or check one template at a time with --answers-file"
    }
}
