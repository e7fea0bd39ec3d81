import Foundation
import MLReproTestSupport
import Testing
import TemplateEngine
@testable import MLReproCore

/// What a format decides after its manifest is read: the names its templates see, and how an
/// `--answers` file is read.
@Suite struct FormatSeamTests {
    /// A template of `files`, with their folders.
    private func tree(_ files: [String: String]) -> TemplateTree {
        let folders = Set(files.keys.compactMap { path in path.lastIndex(of: "/").map { String(path[..<$0]) } })
        return TemplateTree(source: "t", origin: "/tmp/t", entries: folders.sorted().map {
            TemplateEntry(path: $0, isDirectory: true, mode: 0o755, bytes: [])
        } + files.map {
            TemplateEntry(path: $0.key, isDirectory: false, mode: 0o644, bytes: Array($0.value.utf8))
        })
    }

    private func prepare(_ template: TemplateTree, answers: AnswersFile? = nil) throws -> PreparedGeneration {
        try ProjectGenerator.prepare(GenerationRequest(destination: "/tmp/format-seam/project", tree: template,
                                                       inputs: AnswerInputs(file: answers, useDefaults: true),
                                                       environmentJSON: "{}"))
    }

    private func render(_ text: String, _ prepared: PreparedGeneration) throws -> String {
        try prepared.environment.render(text, name: "probe", context: prepared.context)
    }

    static let copierNames = ["_copier_conf", "_copier_answers", "_copier_phase", "_copier_python", "_folder_name"]
    static let probe = "{% if _copier_conf is defined %}defined{% else %}undefined{% endif %}"

    @Test(arguments: ["mlrepro.yml", "copier.yml"])
    func copierAndMLReproTemplatesSeeCopiersNames(manifest: String) throws {
        let prepared = try prepare(tree([manifest: "name: {default: x}\n", "f.txt.jinja": "x"]))
        for name in Self.copierNames { #expect(prepared.context[name] != nil, "\(name)") }
        #expect(try render(Self.probe, prepared) == "defined")
        #expect(try render("{{ _copier_conf.dst_path }} {{ _copier_phase }} {{ _folder_name }}", prepared)
            == "/tmp/format-seam/project render project")
    }

    @Test func cookiecutterTemplatesDoNotSeeCopiersNames() throws {
        let prepared = try prepare(tree(["cookiecutter.json": #"{"name": "x"}"#, "{{ cookiecutter.name }}/f.txt": "x"]))
        for name in Self.copierNames { #expect(prepared.context[name] == nil, "\(name)") }
        #expect(prepared.context["cookiecutter"] != nil)
        #expect(try render(Self.probe, prepared) == "undefined")
        // cookiecutter's StrictUndefined: reading it is an error, as with cookiecutter.
        #expect(throws: TemplateError.self) { try render("{{ _copier_conf.dst_path }}", prepared) }
        #expect(!TemplateLint.contextNames(try tree(["cookiecutter.json": #"{"name": "x"}"#,
                                                     "{{ cookiecutter.name }}/f.txt": "x"]).manifest())
            .contains("_copier_conf"))
    }

    @Test func lintKnowsCopiersNamesOnlyWhereTheFormatHasThem() throws {
        let copier = try tree(["copier.yml": "a: 1\n"]).manifest()
        let cookiecutter = try tree(["cookiecutter.json": #"{"a": 1}"#, "{{ cookiecutter.a }}/f": ""]).manifest()
        for name in Self.copierNames {
            #expect(TemplateLint.contextNames(copier).contains(name))
            #expect(!TemplateLint.contextNames(cookiecutter).contains(name))
        }
    }

    private func answersFile(_ text: String) throws -> AnswersFile {
        let folder = try TemporaryDirectory.make(prefix: "format-seam")
        defer { TemporaryDirectory.remove(folder) }
        try TemporaryDirectory.write(text, to: folder + "/answers.yml")
        return try AnswersFile.load(path: folder + "/answers.yml")
    }

    @Test func aCopierQuestionNamedLikeCookiecuttersWrapperKeepsItsAnswer() throws {
        let template = tree(["copier.yml": "default_context: {type: yaml, default: {}}\ncookiecutter: {type: yaml, default: {}}\n",
                             "f.txt.jinja": "x"])
        let prepared = try prepare(template, answers: try answersFile("default_context:\n  a: 1\n"))
        #expect(prepared.answers.all["default_context"] == .dict(OrderedMapping([("a", .int(1))])))
        let replay = try prepare(template, answers: try answersFile("cookiecutter:\n  b: 2\n"))
        #expect(replay.answers.all["cookiecutter"] == .dict(OrderedMapping([("b", .int(2))])))
    }

    @Test func aCookiecutterTemplateReadsAnswersInsideCookiecuttersForms() throws {
        let template = tree(["cookiecutter.json": #"{"name": "x", "n": "1"}"#, "{{ cookiecutter.name }}/f.txt": "x"])
        let cruft = #"{"template": "gh:lab/cc", "commit": null, "context": {"cookiecutter": {"name": "cruft", "n": "2"}}}"#
        for (text, name) in [(cruft, "cruft"), ("default_context:\n  name: config\n", "config"),
                             ("cookiecutter:\n  name: replay\n", "replay")] {
            let prepared = try prepare(template, answers: try answersFile(text))
            #expect(prepared.answers.all["name"] == .string(name), "\(text)")
        }
    }

    @Test func anAnswersFilesFormIsSettledOnceByTheFormat() throws {
        let file = try answersFile("default_context:\n  a: 1\n")
        #expect(!file.formSettled && file.entries.map(\.key) == ["default_context"])
        let cookiecutter = try tree(["cookiecutter.json": #"{"a": 1}"#, "{{ cookiecutter.a }}/f": ""]).manifest()
        let copier = try tree(["copier.yml": "a: 1\n"]).manifest()
        let read = file.read(by: cookiecutter)
        #expect(read.formSettled && read.entries.map(\.key) == ["a"])
        #expect(file.read(by: copier).entries.map(\.key) == ["default_context"])
        // Read once: a settled file is not unwrapped again (a nested template reads it too).
        let nested = try answersFile("cookiecutter:\n  cookiecutter:\n    a: 1\n").read(by: cookiecutter)
        #expect(nested.read(by: cookiecutter).entries.map(\.key) == ["cookiecutter"])
    }
}
