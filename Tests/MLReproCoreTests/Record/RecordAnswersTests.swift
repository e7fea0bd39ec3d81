import Foundation
import MLReproTestSupport
import Testing
import TemplateEngine
@testable import MLReproCore

/// Records are read in their own tool's form: only cruft's `.cruft.json` holds its answers inside
/// cookiecutter's wrapping; copier's and mlrepro's records keep every key as written.
@Suite struct RecordAnswersTests {
    @Test func aCopierRecordKeepsKeysNamedLikeCookiecuttersWrappers() throws {
        let project = try TemporaryDirectory.make(prefix: "record-answers")
        defer { TemporaryDirectory.remove(project) }
        // A copier template with questions named `default_context` and `context` (cookiecutter's
        // config and cruft wrappers): its answers are answers, not a wrapper around others.
        try TemporaryDirectory.write("_src_path: gh:lab/template\n_commit: v1\ndefault_context:\n  a: 1\n",
                                     to: project + "/.copier-answers.yml")
        let record = try ProjectRecord.loadCopier(project: project)
        #expect(record.template == "gh:lab/template" && record.commit == "v1")
        #expect(record.answers.entries.map(\.key) == ["_src_path", "_commit", "default_context"])
        try TemporaryDirectory.write("_src_path: gh:lab/template\ncontext:\n  cookiecutter:\n    a: 1\n",
                                     to: project + "/.copier-answers.yml")
        #expect(try ProjectRecord.loadCopier(project: project).answers.entries.map(\.key) == ["_src_path", "context"])
    }

    @Test func aCruftRecordIsUnwrapped() throws {
        let project = try TemporaryDirectory.make(prefix: "record-answers")
        defer { TemporaryDirectory.remove(project) }
        try TemporaryDirectory.write(#"{"template": "gh:lab/cc", "commit": null, "checkout": "main", "context": {"cookiecutter": {"a": 1}}}"#,
                                     to: project + "/.cruft.json")
        let record = try ProjectRecord.loadCruft(project: project)
        #expect(record.madeBy == .cruft && record.template == "gh:lab/cc" && record.commit.isEmpty)
        #expect(record.answers.entries.map(\.key) == ["a", "_src_path", "_commit", "_checkout"])
    }

    @Test func anAnswersFileInACookiecutterFormIsUnwrappedForACookiecutterTemplate() throws {
        // `--answers`: its form is read once the template's format is known.
        let folder = try TemporaryDirectory.make(prefix: "record-answers")
        defer { TemporaryDirectory.remove(folder) }
        let cookiecutter = try TemplateTree(source: "t", origin: "/tmp/t", entries: [
            TemplateEntry(path: "cookiecutter.json", isDirectory: false, mode: 0o644, bytes: Array(#"{"a": 1}"#.utf8)),
            TemplateEntry(path: "{{ cookiecutter.a }}", isDirectory: true, mode: 0o755, bytes: []),
        ]).manifest()
        let copier = try TemplateTree(source: "t", origin: "/tmp/t", entries: [
            TemplateEntry(path: "copier.yml", isDirectory: false, mode: 0o644, bytes: Array("a: 1\n".utf8)),
        ]).manifest()
        for (text, wrapper) in [(#"{"cookiecutter": {"a": 1}}"#, "cookiecutter"), (#"{"default_context": {"a": 1}}"#, "default_context")] {
            try TemporaryDirectory.write(text, to: folder + "/answers.json")
            let file = try AnswersFile.load(path: folder + "/answers.json")
            #expect(file.read(by: cookiecutter).entries.map(\.key) == ["a"])
            #expect(file.read(by: copier).entries.map(\.key) == [wrapper])
        }
    }
}
