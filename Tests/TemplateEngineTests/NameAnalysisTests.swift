import Testing
import TemplateEngine

// What `Template.analysis()` reports: the names a template reads that nothing defines, where,
// and the templates it loads.

private func undefined(_ source: String, known: Set<String> = []) throws -> [String] {
    let template = try TemplateEnvironment().compile(source, name: "t.jinja")
    return template.analysis().undefinedReads(known: known).map { "\($0.name)@\($0.position.line):\($0.position.column)" }
}

@Suite struct NameAnalysisTests {
    @Test func reportsReadsNothingDefinesWithTheirPositions() throws {
        let found = try undefined("a {{ nmae }}\n{% if x %}{{ y.z }}{% endif %}")
        #expect(found == ["nmae@1:6", "x@2:7", "y@2:14"], "\(found)")
        #expect(try undefined("{{ name | upper }}{{ f(arg) }}", known: ["name", "f"]) == ["arg@1:24"])
    }

    @Test func bindingsOfTheTemplateAndEngineNamesAreDefined() throws {
        let source = """
        {% set ns = namespace(total=0) %}{% for a, b in pairs %}{% set ns.total = ns.total + a %}{{ loop.index }}{% endfor %}
        {% macro m(p, q=dflt) %}{{ p }}{{ q }}{{ varargs }}{{ kwargs }}{{ caller() }}{% endmacro %}
        {% with w = 1 %}{{ w }}{% endwith %}{% set block_text %}x{% endset %}{{ block_text }}
        {% call(item) m(1) %}{{ item }}{% endcall %}{{ range(3) | list }}{{ dict(a=1) }}
        {% import 'lib.jinja' as lib %}{% from 'lib.jinja' import f as g %}{{ lib.x }}{{ g() }}
        """
        let found = try undefined(source)
        #expect(found == ["pairs@1:49", "dflt@2:17"], "\(found)")
    }

    @Test func guardedNamesAreNotReported() throws {
        #expect(try undefined("{% if opt is defined %}{{ opt }}{% endif %}{{ other | default('x') }}{{ other }}") == [])
    }

    @Test func loadsAreListedWithLiteralNames() throws {
        let template = try TemplateEnvironment().compile(
            "{% include ['a.jinja', 'b.jinja'] ignore missing %}\n{% extends 'base.jinja' %}{% import name as x %}", name: "t.jinja")
        let loads = template.analysis().loads.map { "\($0.name)@\($0.position.line):\($0.optional)" }
        #expect(loads == ["a.jinja@1:true", "b.jinja@1:true", "base.jinja@2:false"])
        #expect(template.analysis().undefinedReads(known: []).map(\.name) == ["name"])
    }
}
