import Foundation
import Testing

/// `lint` as a template author uses it.
@Suite(.serialized) struct LintCommandTests {
    /// Writes `files` (relative path -> text) under a new template folder in `work`.
    static func template(_ files: [String: String], in work: String, named name: String = "tpl") throws -> String {
        let root = work + "/" + name
        for (path, text) in files {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func lintReportsEveryProblemLocatedAndExitsTwo() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let root = try Self.template([
            "mlrepro.yml": """
            name:
              type: str
              default: "{{ slug }}"
            slug:
              type: str
              default: demo
              validator: "{% if slug != nmae %}bad{% endif %}"
            use_gpu:
              type: bool
              when: "{{ gpus > 0 }}"

            """,
            "misspelled.txt.jinja": "Hello {{ nmae }}\n",
            "unclosed-if.txt.jinja": "{% if use_gpu %}\ngpu\n",
            "unclosed-var.txt.jinja": "x {{ name\n",
            "include.txt.jinja": "{% include 'parts/missing.txt' %}\n",
            "bindings.txt.jinja": """
            {% set ns = namespace(n=0) %}{% for item in [1, 2] %}{% set ns.n = ns.n + item %}{{ loop.index }}{% endfor %}
            {% macro greet(who, punct='!') %}{{ who }}{{ punct }}{{ caller() if caller else '' }}{% endmacro %}
            {% with x = 1 %}{{ x }}{% endwith %}{{ greet(name) }}{{ env.nvidia.gpus | length }}{{ _copier_conf.dst_path }}
            {% if maybe is defined %}{{ maybe }}{% endif %}{{ other | default('o') }}

            """,
            "{{ folder_nme }}/kept.txt": "plain {{ not_rendered }}\n",
            "raw.txt": "{{ copied_as_is }}\n",
        ], in: work)
        let result = try Harness.run(["lint", "--template", root], in: work)
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        func has(_ prefix: String, _ text: String) -> Bool {
            lines.contains { $0.hasPrefix(root + "/" + prefix) && $0.contains(text) }
        }
        #expect(has("mlrepro.yml:1:1: error:", "default of 'name' uses 'slug': question 'slug' is asked after 'name'"), "\(result.stderr)")
        #expect(has("mlrepro.yml:4:1: error:", "validator of 'slug' uses 'nmae'"), "\(result.stderr)")
        #expect(has("mlrepro.yml:8:1: error:", "when of 'use_gpu' uses 'gpus'"), "\(result.stderr)")
        #expect(has("misspelled.txt.jinja:1:10: error:", "'nmae' is not defined"), "\(result.stderr)")
        #expect(has("unclosed-if.txt.jinja:", "'if' block is not closed"), "\(result.stderr)")
        #expect(has("unclosed-var.txt.jinja:1:", "not closed"), "\(result.stderr)")
        #expect(has("include.txt.jinja:1:1: error:", "template 'parts/missing.txt' not found"), "\(result.stderr)")
        #expect(has("{{ folder_nme }}", "'folder_nme' is not defined"), "\(result.stderr)")
        #expect(!result.stderr.contains("bindings.txt.jinja"), "\(result.stderr)")
        #expect(!result.stderr.contains("not_rendered") && !result.stderr.contains("copied_as_is"), "\(result.stderr)")
        #expect(lines.count == 8, "\(result.stderr)")
        #expect(result.stdout.contains("8 problems"))
    }

    @Test func lintFollowsIncludesAndSeesTheIncludersNames() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let root = try Self.template([
            "copier.yml": "_templates_suffix: .jinja\n_exclude: [copier.yml, includes]\nname: demo\n",
            "readme.md.jinja": "{% for part in ['a'] %}{% include 'includes/part.md.jinja' %}{% endfor %}{% from 'includes/macros.jinja' import box %}{{ box(name) }}\n",
            "includes/part.md.jinja": "{{ part }} {{ name }} {{ typo_in_include }}\n",
            "includes/macros.jinja": "{% macro box(x) %}[{{ x }}{{ {% endmacro %}\n",
        ], in: work)
        let result = try Harness.run(["lint", "--template", root], in: work)
        #expect(result.status == 2)
        #expect(result.stderr.contains("includes/part.md.jinja:1:26: error: 'typo_in_include' is not defined"), "\(result.stderr)")
        #expect(result.stderr.contains("includes/macros.jinja:1:"), "\(result.stderr)")
        #expect(!result.stderr.contains("'part' is not defined"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 2, "\(result.stderr)")
    }

    @Test func lintPassesTheBuiltinTemplateAndCleanTemplates() throws {
        let work = try Harness.temporaryDirectory()
        defer { Harness.cleanup(work) }
        let builtin = try Harness.run(["lint"], in: work)
        #expect(builtin.status == 0, "\(builtin.stderr)")
        #expect(builtin.stdout.hasPrefix("lint: ml-research: ok"), "\(builtin.stdout)")
        let cookie = try Self.template([
            "cookiecutter.json": #"{"project_name": "Demo", "slug": "{{ cookiecutter.project_name.lower() }}"}"#,
            "{{cookiecutter.slug}}/README.md": "# {{ cookiecutter.project_name }}\n",
        ], in: work, named: "cookie")
        let clean = try Harness.run(["lint", "--template", cookie], in: work)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stderr.isEmpty)
    }
}
