import Foundation
import Testing

/// `bake` as a template author uses it: every branch rendered, none hidden.
@Suite(.serialized) struct BakeCommandTests {
    @Test func bakeFailsABranchThatCannotResolveAndTriesEmptyAndPairedSelections() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let root = try LintCommandTests.template([
            "mlrepro.yml": """
            use_gpu:
              type: bool
              default: false
            cuda:
              type: str
              choices: ["11.8", "12.4"]
              default: "12.4"
              when: "{{ use_gpu and gpu_vendor == 'nvidia' }}"
            gpu_vendor:
              type: str
              choices: [nvidia, amd]
              default: nvidia
            extras:
              type: str
              multiselect: true
              choices: [a, b, c]
              default: [a]

            """,
            "out.txt.jinja": "{{ use_gpu }} {{ extras | join(',') }}\n",
        ], in: work)
        let result = try Harness.run(["bake", "--template", root, "--output", "out"], in: work)
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("question 'cuda', when: 'gpu_vendor' is undefined"), "\(result.stdout)")
        #expect(result.stdout.contains(" 1 failed"), "\(result.stdout)")
        #expect(result.stdout.contains("extras (8)"), "\(result.stdout)")
        let rendered = try FileManager.default.subpathsOfDirectory(atPath: work + "/out").filter { $0.hasSuffix("/out.txt") }
        let outputs = Set(try rendered.map { try String(contentsOfFile: work + "/out/" + $0, encoding: .utf8) })
        #expect(outputs.contains("False \n"), "\(outputs)")
        #expect(outputs.contains("False a,b\n"), "\(outputs)")
        #expect(outputs.contains("False a,b,c\n"), "\(outputs)")
    }

    @Test func bakeRendersDefaultsThatReadTheEnvironmentRecord() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let root = try LintCommandTests.template([
            "mlrepro.yml": "use_gpu:\n  type: bool\n  default: \"{{ env.nvidia.gpus | length > 0 }}\"\n",
            "gpu.txt.jinja": "{{ use_gpu }}\n",
        ], in: work)
        let result = try Harness.run(["bake", "--template", root, "--output", "out"], in: work)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("2 passed, 0 failed"), "\(result.stdout)")
    }
}
