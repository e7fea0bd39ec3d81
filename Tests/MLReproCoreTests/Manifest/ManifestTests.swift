import Foundation
import Testing
import TemplateEngine
@testable import MLReproCore

@Suite struct ManifestTests {
    @Test func questionsAndSettings() throws {
        let text = """
        # Demo template for tests
        name:
          type: str
          default: demo
          help: The name
        count: 3
        gpu:
          type: bool
          default: false
          when: "{{ name != 'x' }}"
        _exclude: ["*.tmp"]
        _secret_files: [".env"]
        _envops: {trim_blocks: true}
        _whatever: 1
        """
        let manifest = try TemplateManifest.parse(text, file: "mlrepro.yml", fileName: "mlrepro.yml")
        #expect(manifest.questions.map(\.name) == ["name", "count", "gpu"])
        #expect(manifest.questions[1].type == .int)
        #expect(manifest.description == "Demo template for tests")
        #expect(manifest.exclude == ["*.tmp"])
        #expect(manifest.environmentOptions.trimBlocks)
        #expect(manifest.unknownSettings.map(\.name) == ["_whatever"])
        #expect(manifest.unknownSettings.first?.location.line == 14)
    }

    @Test func badQuestionTypePointsAtTheField() {
        let text = "name:\n  type: string\n"
        #expect {
            _ = try TemplateManifest.parse(text, file: "mlrepro.yml", fileName: "mlrepro.yml")
        } throws: { "\($0)".hasPrefix("mlrepro.yml:2:3: error: question 'name': type must be one of") }
    }
}
