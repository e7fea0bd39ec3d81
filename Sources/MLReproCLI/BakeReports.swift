import Foundation
import ArgumentParser
import MLReproCore

extension MLRepro.Bake {
    /// Per check (validator), over every combination: files it looked at, failed on, skipped.
    static func checkSummary(_ results: [BakeResult]) -> [(check: String, files: Int, failed: Int, skipped: Int)] {
        var order: [String] = []
        var counts: [String: (files: Int, failed: Int, skipped: Int)] = [:]
        for finding in results.flatMap(\.findings) {
            if counts[finding.validator] == nil { order.append(finding.validator) }
            var count = counts[finding.validator] ?? (0, 0, 0)
            count.files += finding.files
            switch finding.outcome {
            case .failed: count.failed += finding.files
            case .skipped: count.skipped += finding.files
            case .passed: break
            }
            counts[finding.validator] = count
        }
        return order.map { name in
            let count = counts[name] ?? (0, 0, 0)
            return (name, count.files, count.failed, count.skipped)
        }
    }

    /// `--junit FILE`: one `testsuite` for the template, one `testcase` per combination (its folder
    /// name; `classname` the template); a failed combination has one `failure` whose text is the
    /// problem; the answers are the case's `system-out`.
    func junitReport(_ results: [BakeResult], source: String) -> String {
        let failures = results.filter(\.failed).count
        let seconds = String(format: "%.3f", results.reduce(0) { $0 + $1.seconds })
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"mlrepro bake\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(seconds)\">\n"
        xml += "  <testsuite name=\"\(Self.xmlEscape("bake " + source))\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\" time=\"\(seconds)\">\n"
        for result in results {
            let answers = result.answers.map { "\($0.question)=\($0.label)" }.joined(separator: " ")
            xml += "    <testcase classname=\"\(Self.xmlEscape("bake." + source))\" name=\"\(Self.xmlEscape(result.name))\" time=\"\(String(format: "%.3f", result.seconds))\">\n"
            if result.failed {
                let text = problemText(result)
                let first = text.split(separator: "\n").first.map(String.init) ?? "failed"
                xml += "      <failure message=\"\(Self.xmlEscape(String(first.prefix(200))))\" type=\"\(Self.failureType(result))\">"
                xml += Self.xmlEscape(text) + "</failure>\n"
            }
            xml += "      <system-out>\(Self.xmlEscape(answers + "\n" + "files: \(result.files)"))</system-out>\n"
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    static func failureType(_ result: BakeResult) -> String {
        switch result.outcome {
        case .renderFailed: return "render"
        case .runFailed: return "run"
        case .validationFailed: return "validation"
        case .passed: return "none"
        }
    }

    /// Text as XML 1.0 character data or attribute value: markup characters escaped, characters
    /// XML 1.0 cannot hold (control characters other than tab and newlines) replaced.
    static func xmlEscape(_ text: String) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "\t", "\n": output.unicodeScalars.append(scalar)
            case "\r": output += "&#13;"
            default:
                if scalar.value < 0x20 || (0xD800...0xDFFF).contains(scalar.value) || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    output += "\u{FFFD}"
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output
    }

    // MARK: - Snapshots

    /// `--snapshot` / `--update-snapshots`.
    func runSnapshots(_ baker: Baker, tree: TemplateTree) throws {
        var isDirectory: ObjCBool = false
        let file: String
        if let snapshots {
            file = Paths.absolute(snapshots)
        } else if FileManager.default.fileExists(atPath: tree.source, isDirectory: &isDirectory), isDirectory.boolValue {
            file = (Paths.absolute(tree.source) as NSString).appendingPathComponent(BakeSnapshots.fileName)
        } else {
            throw ValidationError("--snapshot needs --snapshots FILE for a template that is not a local folder")
        }
        guard FileManager.default.fileExists(atPath: file) else { throw BakeSnapshotError.noFile(file) }
        let set = try BakeSnapshots(path: file)
        let folder = ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(BakeSnapshots.folderName)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("mlrepro-snapshots-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        let environmentJSON = Baker.unprobedEnvironmentJSON
        let rendered = try set.render(with: baker, into: work, environmentJSON: environmentJSON, trust: trust,
                                      skipTasks: skipTasks, data: try AnswerInputs.parseData(data))
        var changed: [String] = []
        for snapshot in set.snapshots {
            guard let project = rendered[snapshot.name] else { continue }
            let committed = (folder as NSString).appendingPathComponent(snapshot.name)
            let diff = BakeSnapshots.difference(committed: committed, rendered: project,
                                                label: BakeSnapshots.folderName + "/" + snapshot.name)
            if diff.isEmpty {
                Output.line("snapshot \(snapshot.name): unchanged")
                continue
            }
            changed.append(snapshot.name)
            if updateSnapshots {
                try BakeSnapshots.replace(committed: committed, with: project)
                Output.line("snapshot \(snapshot.name): updated (\(committed))")
            } else {
                Output.line("snapshot \(snapshot.name): differs")
                var lines = diff.split(separator: "\n", omittingEmptySubsequences: false)
                if lines.last == "" { lines.removeLast() }
                for line in lines { Output.line(String(line)) }
            }
        }
        let names = Set(set.snapshots.map(\.name))
        let stale = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !names.contains($0) && !$0.hasPrefix(".") }.sorted()
        for name in stale {
            if updateSnapshots {
                try FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
                Output.line("snapshot \(name): removed (no longer in \(file))")
            } else {
                Output.line("snapshot \(name): its folder is in \(folder) but not in \(file)")
                changed.append(name)
            }
        }
        if !updateSnapshots && !changed.isEmpty {
            Output.line("\(changed.count) snapshot\(changed.count == 1 ? "" : "s") differ; if the change is intended, run mlrepro bake --update-snapshots and commit \(folder)")
            throw ExitRequest(.differences)
        }
    }
}
