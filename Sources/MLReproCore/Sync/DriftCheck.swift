import Foundation
import Prompting

/// How a project differs from a fresh render of its template.
package struct DriftReport: Sendable {
    package enum Status: String, Sendable {
        /// The file differs from what the template renders (contents or executable bit).
        case changed
        /// The template renders the file; the project does not have it.
        case missing
        /// The project has a file the template generated once (it is in `.mlrepro/checksums`)
        /// but no longer renders.
        case extra
    }

    package struct Entry: Sendable {
        package var path: String
        package var status: Status
        /// Unified diff from the template's render (`a/`) to the project (`b/`); its path labels
        /// have control characters escaped (`TerminalText`), as every path printed is.
        package var diff: String
    }

    /// A path as printed: control and bidirectional characters escaped, on one line.
    static func shown(_ path: String) -> String { TerminalText.visible(path, keepingNewlines: false) }

    package var project: String
    package var template: String
    package var commit: String
    /// The content hash of the built-in or folder template compared with, when it is not the
    /// recorded `_commit` (the template changed since, or the record was edited); nil when they agree.
    package var templateHash: String?
    package var templateWasDirty: Bool
    package var compared: Int
    package var entries: [Entry]
    /// Project-owned files (`_project_owned`) that differ from the template's render: information,
    /// not drift (empty with `strict`, where they are entries like any other file).
    package var owned: [Entry] = []
    /// Every file was compared, project-owned ones included (`check --strict`).
    package var strict = false
    /// Notes for the user about how the comparison was made (hooks not run without `--trust`).
    package var notes: [String] = []
    /// Files that differ but could not be verified: the template's post_gen_project hook, which
    /// may change them, did not run (no `--trust`).
    package var unverified: [String] = []

    package var inSync: Bool { entries.isEmpty }

    package func count(_ status: Status) -> Int { entries.filter { $0.status == status }.count }

    /// The human report: every diff, then a summary.
    package var text: String {
        var output = entries.map(\.diff).joined()
        var at = TemplateRevision.label(commit)
        if let templateHash {
            at = "\(templateHash) (the record says \(TemplateRevision.label(commit)), which is not this template's content: the template changed since, or the record was edited)"
        }
        if inSync {
            let mode = strict ? " (--strict: project-owned files included)" : ""
            output += "in sync: \(compared - owned.count) files match template \(template) at \(at)\(mode)\n"
        } else {
            output += "drift: \(entries.count) file\(entries.count == 1 ? " differs" : "s differ") from template \(template) at \(at)\n"
            for entry in entries {
                output += "  \(entry.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(Self.shown(entry.path))\n"
            }
            output += "summary: \(count(.changed)) changed, \(count(.missing)) missing, \(count(.extra)) extra\n"
            if !unverified.isEmpty {
                output += "unverified: \(unverified.count) of these may be the template's post_gen_project hook's doing, which did not run "
                    + "(pass --trust to run it on the comparison copy, only for a template you trust)\n"
            }
        }
        if !owned.isEmpty {
            output += "project-owned: \(owned.count) file\(owned.count == 1 ? " is" : "s are") yours to edit and differ from the template (not drift; 'mlrepro check --strict' compares them too):\n"
            for entry in owned {
                output += "  \(entry.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(Self.shown(entry.path))\n"
            }
        }
        return output
    }

    /// The machine-readable report (stable key order).
    package var json: String {
        func quote(_ text: String) -> String { JSONText.quote(text) }
        var output = "{\n"
        output += "  \"project\": \(quote(project)),\n"
        output += "  \"template\": \(quote(template)),\n"
        output += "  \"commit\": \(quote(commit)),\n"
        output += "  \"template_hash\": \(templateHash.map(quote) ?? "null"),\n"
        output += "  \"template_dirty\": \(templateWasDirty),\n"
        output += "  \"in_sync\": \(inSync),\n"
        output += "  \"compared\": \(compared),\n"
        output += "  \"summary\": {\"changed\": \(count(.changed)), \"missing\": \(count(.missing)), \"extra\": \(count(.extra))},\n"
        output += "  \"unverified\": [" + unverified.map(quote).joined(separator: ", ") + "],\n"
        output += "  \"strict\": \(strict),\n"
        output += "  \"project_owned\": [" + owned.map { "{\"path\": \(quote($0.path)), \"status\": \(quote($0.status.rawValue))}" }
            .joined(separator: ", ") + "],\n"
        output += "  \"files\": ["
        output += entries.map { entry in
            "\n    {\"path\": \(quote(entry.path)), \"status\": \(quote(entry.status.rawValue)), \"diff\": \(quote(entry.diff))}"
        }.joined(separator: ",")
        output += entries.isEmpty ? "]\n" : "\n  ]\n"
        output += "}\n"
        return output
    }
}

/// `mlrepro check`: regenerate from the record and compare with the working tree.
package enum DriftCheck {
    /// `strict`: project-owned files (`_project_owned`) count as drift like every other file.
    /// `answersFile`: the record to read, relative to the project (copier's `--answers-file`).
    package static func run(project: String, template: RecordedTemplate = RecordedTemplate(), strict: Bool = false,
                           answersFile: String? = nil) throws -> DriftReport {
        let record = try template.record(of: project, answersFile: answersFile)
        let tree = try template.load(record)
        let manifest = try tree.manifest()
        let render = try RegeneratedProject.render(
            tree: tree, project: project, inputs: record.answerInputs(for: manifest),
            environmentJSON: record.environmentJSON, skip: record.skip, trust: template.trust, layout: record.layout, streamingCopies: true)
        var report = try compare(render, record: record, strict: strict)
        // A built-in or folder template is known by its content hash: say which content was compared
        // when it is not the one the record names.
        if tree.revision == nil, !record.commit.isEmpty, tree.contentHash != record.commit { report.templateHash = tree.contentHash }
        return report
    }

    static func compare(_ render: RegeneratedProject, record: ProjectRecord, strict: Bool = false) throws -> DriftReport {
        let project = record.project
        for path in ExactPath.sortedUnique(render.files.keys + record.checksummedPaths) {
            try ProjectPaths.refuseLinkOutside(path, under: project)
        }
        var entries: [DriftReport.Entry] = []
        var compared = 0
        for path in render.files.sortedKeys where !render.skipIfExists.contains(path) {
            guard let expected = render.files[path] else { continue }
            compared += 1
            if let source = render.streamed[path] {
                if let entry = try compareStreamed(source, mode: expected.mode, project: project, path: path) { entries.append(entry) }
                continue
            }
            let actual = ProjectFiles.read(project + "/" + path)
            guard let actual else {
                entries.append(.init(path: path, status: .missing,
                                     diff: UnifiedDiff.text(old: expected.bytes, new: nil, oldLabel: "a/" + DriftReport.shown(path), newLabel: "b/" + DriftReport.shown(path))))
                continue
            }
            var diff = ""
            if (actual.mode & 0o111 != 0) != (expected.mode & 0o111 != 0) {
                diff += "--- a/\(DriftReport.shown(path))\n+++ b/\(DriftReport.shown(path))\nold mode \(String(expected.mode, radix: 8))\nnew mode \(String(actual.mode, radix: 8))\n"
            }
            if actual.bytes != expected.bytes {
                diff += UnifiedDiff.text(old: expected.bytes, new: actual.bytes, oldLabel: "a/" + DriftReport.shown(path), newLabel: "b/" + DriftReport.shown(path))
            }
            if !diff.isEmpty { entries.append(.init(path: path, status: .changed, diff: diff)) }
        }
        let skipped = PathPatterns(record.skip)
        for path in record.checksummedPaths where !path.hasPrefix(GenerationPlan.recordDirectory + "/") {
            if render.files[path] != nil || render.secrets[path] != nil || render.skipIfExists.contains(path) { continue }
            if skipped.matches(path, isDirectory: false) { continue }
            // A path only the record names is never read through a link (one the template renders
            // may lead through a folder link inside the project, checked above).
            if let link = ProjectPaths.symbolicLink(in: TemplatePath.parent(path), under: project) {
                throw ProjectRecordError.throughLink(path: path, link: link)
            }
            guard let actual = ProjectFiles.read(project + "/" + path) else { continue }
            entries.append(.init(path: path, status: .extra,
                                 diff: UnifiedDiff.text(old: nil, new: actual.bytes, oldLabel: "a/" + DriftReport.shown(path), newLabel: "b/" + DriftReport.shown(path))))
        }
        entries.sort { ExactPath.precedes($0.path, $1.path) }
        var owned: [DriftReport.Entry] = []
        if !strict {
            owned = entries.filter { render.ownsPath($0.path) }
            entries.removeAll { render.ownsPath($0.path) }
        }
        var report = DriftReport(project: project, template: record.template, commit: record.commit,
                                 templateWasDirty: record.templateWasDirty, compared: compared,
                                 entries: entries, owned: owned, strict: strict, notes: render.notes)
        if render.hooksSkipped { report.unverified = report.entries.map(\.path) }
        return report
    }
}

extension DriftCheck {
    /// Compares a large template file with the project's, in chunks; nil when they agree.
    static func compareStreamed(_ source: TemplateEntry, mode: UInt16, project: String, path: String) throws -> DriftReport.Entry? {
        let full = project + "/" + path
        var info = stat()
        guard lstat(full, &info) == 0 else {
            return .init(path: path, status: .missing, diff: "Binary files a/\(DriftReport.shown(path)) and /dev/null differ\n")
        }
        var diff = ""
        let kind = info.st_mode & S_IFMT
        if kind == S_IFREG, (info.st_mode & 0o111 != 0) != (mode & 0o111 != 0) {
            diff += "--- a/\(DriftReport.shown(path))\n+++ b/\(DriftReport.shown(path))\nold mode \(String(mode, radix: 8))\nnew mode \(String(info.st_mode & 0o7777, radix: 8))\n"
        }
        if try kind != S_IFREG || Int(info.st_size) != source.size || !sameContents(source, full) {
            diff += "Binary files a/\(DriftReport.shown(path)) and b/\(DriftReport.shown(path)) differ\n"
        }
        return diff.isEmpty ? nil : .init(path: path, status: .changed, diff: diff)
    }

    /// True when the regular file at `path` holds exactly what `source` does (read in chunks).
    private static func sameContents(_ source: TemplateEntry, _ path: String) throws -> Bool {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: TemplateEntry.chunk, alignment: 16)
        defer { buffer.deallocate() }
        var same = true
        try source.stream { chunk in
            guard same, let base = chunk.baseAddress else { return }
            var filled = 0
            while filled < chunk.count {
                let count = read(fd, buffer + filled, chunk.count - filled)
                guard count > 0 else { same = false; return }
                filled += count
            }
            same = memcmp(base, buffer, chunk.count) == 0
        }
        return same && read(fd, buffer, 1) == 0
    }
}

/// Reading a project's files without following links out of it.
enum ProjectFiles {
    struct Contents {
        var bytes: [UInt8]
        var mode: UInt16
    }

    /// The file's bytes and permission bits; a symbolic link reads as its target path; nil
    /// when absent or a directory.
    static func read(_ path: String) -> Contents? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            return Contents(bytes: [UInt8](data), mode: UInt16(info.st_mode & 0o7777))
        case S_IFLNK:
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return nil }
            return Contents(bytes: Array(target.utf8), mode: 0o120000)
        default:
            return nil
        }
    }
}
