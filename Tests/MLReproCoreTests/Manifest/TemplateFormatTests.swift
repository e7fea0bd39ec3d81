import Foundation
import Testing
import TemplateEngine
@testable import MLReproCore

@Suite struct TemplateFormatTests {
    private func tree(_ files: [String: String]) -> TemplateTree {
        TemplateTree(source: "t", origin: "/tmp/t", entries: files.map {
            TemplateEntry(path: $0.key, isDirectory: false, mode: 0o644, bytes: Array($0.value.utf8))
        })
    }

    @Test func manifestFileDecidesTheFormatInPreferenceOrder() throws {
        let both = tree(["copier.yml": "a: 1\n", "mlrepro.yml": "b: 2\n", "x.txt": ""])
        let detected = try #require(TemplateFormats.detect(both))
        #expect(detected.format.name == "mlrepro")
        #expect(detected.fileName == "mlrepro.yml")
        let manifest = try both.manifest()
        #expect(manifest.questions.map(\.name) == ["b"])
        #expect(manifest.formatFiles.contains("copier.yml"))
        #expect(try tree(["copier.yml": "a: 1\n"]).manifest().formatFiles.isEmpty)
        let copier = try tree(["copier.yaml": "c: x\n"]).manifest()
        #expect(copier.fileName == "copier.yaml")
        #expect(copier.answersFile == ".copier-answers.yml" && copier.keepsUnknownAnswers)
        #expect(manifest.answersFile == nil && !manifest.keepsUnknownAnswers)
        let chosen = try tree(["copier.yml": "_answers_file: .answers/mine.yml\n"]).manifest()
        #expect(chosen.answersFile == ".answers/mine.yml")
    }

    @Test func noFormatRecognisesTheTemplate() {
        let plain = tree(["README.md": "hi\n", "sub/copier.yml": "a: 1\n"])
        #expect(TemplateFormats.detect(plain) == nil)
        #expect(throws: GenerationError.self) { try plain.manifest() }
        let message = GenerationError.noManifest("/tmp/t").description
        #expect(message == "/tmp/t has no template manifest (mlrepro.yml, copier.yml, copier.yaml, ccds.json or cookiecutter.json)")
    }

    @Test func formatFilesAreNotCopiedIntoTheProject() throws {
        let template = tree(["copier.yml": "name: {default: x}\n", "mlrepro.yml": "name: {default: x}\n", "kept.txt": "k"])
        let manifest = try template.manifest()
        let environment = TemplateEnvironment(options: manifest.environmentOptions)
        let plan = try GenerationPlanner(tree: template, manifest: manifest, environment: environment)
            .plan(context: OrderedMapping())
        #expect(plan.files.map(\.path) == ["kept.txt"])
    }

    @Test(arguments: ["mlrepro.yml", "copier.yml", "copier.yaml", "cookiecutter.json", "ccds.json"])
    func invalidUTF8ManifestIsLocated(fileName: String) throws {
        let bad = TemplateTree(source: "t", origin: "/tmp/t", entries: [
            TemplateEntry(path: fileName, isDirectory: false, mode: 0o644, bytes: [0xFF, 0xFE]),
        ])
        let error = try #require(throws: ManifestError.self) { try bad.manifest() }
        // Located at the manifest's first character, in the template's folder.
        #expect(error.location.file == "/tmp/t/\(fileName)")
        #expect(error.location.line == 1 && error.location.column == 1)
        #expect(error.message.hasSuffix("is not valid UTF-8"), "\(error.message)")
    }

    @Test func cookiecutterJSONBecomesQuestionsInFileOrder() throws {
        let template = tree([
            "cookiecutter.json": #"{"name": "Study", "slug": "{{ cookiecutter.name|lower }}", "kind": ["a", "b"], "n": 3, "_raw": "{{ x }}", "__hidden": "{{ cookiecutter.slug }}!", "__prompts__": {"name": "Title"}}"#,
            "{{ cookiecutter.slug }}/f.txt": "{{ cookiecutter.kind }}\n",
        ])
        let detected = try #require(TemplateFormats.detect(template))
        #expect(detected.format.name == "cookiecutter")
        let manifest = try template.manifest()
        #expect(manifest.questions.map(\.name) == ["name", "slug", "kind", "n", "_raw", "__hidden"])
        #expect(manifest.subdirectory == "{{ cookiecutter.slug }}" && manifest.templatesSuffix.isEmpty)
        #expect(manifest.question(named: "name")?.help == "Title")
        #expect(manifest.question(named: "kind")?.defaultValue == .string("a"))
        #expect(manifest.question(named: "n")?.defaultValue == .string("3"))
        #expect(manifest.question(named: "_raw")?.rawDefault == true)
        #expect(manifest.question(named: "__hidden")?.rawDefault == false)
        let noFolder = tree(["cookiecutter.json": #"{"a": 1}"#, "plain/f.txt": "x"])
        #expect(throws: ManifestError.self) { try noFolder.manifest() }
    }
}
