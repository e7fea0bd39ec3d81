import Foundation
import Testing

/// `render --template DIR FILE`: one file of a template, rendered as `init` renders it.
@Suite struct RenderTemplateTests {
    @Test func rendersWithDefaultsDataEnvAndTheTemplatesIncludes() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let root = try LintCommandTests.template([
            "mlrepro.yml": """
            _subdirectory: project
            name:
              type: str
              default: demo
            slug:
              type: str
              default: "{{ name | upper }}"
            use_gpu:
              type: bool
              default: "{{ env.nvidia.gpus | length > 0 }}"

            """,
            "project/README.md.jinja": "{% include 'parts/head.md.jinja' %}{{ slug }} gpu={{ use_gpu }} conf={{ _copier_conf.sep }}\n",
            "project/parts/head.md.jinja": "# {{ name }}\n",
            "project/plain.txt": "{{ not rendered }}\n",
        ], in: work)
        let result = try Harness.run(["render", "--template", root, "README.md.jinja", "--data", "name=study", "--no-probe"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "# study\nSTUDY gpu=False conf=/\n")
        let plain = try Harness.run(["render", "--template", root, "plain.txt", "--no-probe"], in: work)
        #expect(plain.stdout == "{{ not rendered }}\n", "\(plain.stderr)")
        let invalid = try Harness.run(["render", "--template", root, "README.md.jinja", "--data", "use_gpu=maybe", "--no-probe"], in: work)
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("use_gpu"), "\(invalid.stderr)")
        let missing = try Harness.run(["render", "--template", root, "nope.jinja", "--no-probe"], in: work)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("'nope.jinja' is not a file of template"), "\(missing.stderr)")
    }
}
