import Testing
import TemplateEngine

/// Lists and dicts nested past `ValueNesting.limit`: every walk over such a value (printing,
/// comparing, ordering, hashing, serialising, flattening, merging, handing it to the host) stops
/// with one located limit error instead of overflowing the stack, `{% set %}` never keeps one,
/// and deeply nested syntax is refused by the parser.
@Suite struct NestingLimitTests {
    static let limit = ValueNesting.limit

    /// A value `levels` deep: lists in lists (or dicts in dicts) around one string.
    static func nested(_ levels: Int, dicts: Bool) -> Value {
        var value: Value = "leaf"
        for _ in 0..<levels {
            value = dicts ? .dict(OrderedMapping([("k", value)])) : .list([value])
        }
        return value
    }

    /// Every walk the engine makes over a value, applied to `x` (and `y`, an equal value made
    /// separately, so that comparisons cannot take a shortcut).
    static let walks: [String] = {
        let printing = ["{{ x }}", "{{ x | string }}", "{{ x ~ '' }}", "{{ x | pprint }}", "{{ '%s' % [x] }}",
                        "{{ '{}'.format(x) }}", "{{ [x] | join }}", "{{ x | upper }}", "{{ [x] | map('string') | list }}",
                        "{{ x | b64encode }}", "{{ x | regex_escape }}", "{{ {'q': x} | urlencode }}", "{{ x | quote }}"]
        let serialising = ["tojson", "to_json", "to_nice_json", "to_yaml", "to_nice_yaml", "hash('sha1')", "md5", "checksum"]
            .map { "{{ x | \($0) }}" }
        let comparing = ["x == y", "x != y", "x in [y]", "[y].index(x)", "[y].count(x)", "x is eq y",
                         "[x, y] | unique | length", "[y] | select('equalto', x) | list | length"].map { "{{ \($0) }}" }
        let ordering = ["[x, y] | sort | length", "[x, y] | max | length", "{'a': x, 'b': y} | dictsort(by='value')",
                        "[x, 1] | flatten | length"].map { "{{ \($0) }}" }
        let restructuring = ["{{ {'a': x} | combine({'a': y}, recursive=true) | length }}",
                             "{% for v in [x, y] %}{{ loop.changed(v) }}{% endfor %}", "{{ dump(x) }}", "{{ x | dump }}"]
        return printing + serialising + comparing + ordering + restructuring
    }()

    private func environment() -> TemplateEnvironment {
        var environment = TemplateEnvironment()
        let dump = NativeFunction(name: "dump") { args, _ in .string(args.first?.pythonString ?? "") }
        environment.filters["dump"] = dump
        environment.globals["dump"] = .callable(dump)
        return environment
    }

    private func render(_ expression: String, depth: Int, dicts: Bool) throws -> String {
        let context = OrderedMapping([("x", Self.nested(depth, dicts: dicts)), ("y", Self.nested(depth, dicts: dicts))])
        return try environment().render("intro\n" + expression, name: "deep.jinja", context: context)
    }

    /// Walks that order or flatten lists (Python orders no dicts; flatten splices only lists).
    static let listWalks = walks.filter { $0.contains("sort") || $0.contains("max") || $0.contains("flatten") }

    @Test(arguments: walks, [false, true])
    func walksStopAtTheLimitWithOneError(_ expression: String, dicts: Bool) throws {
        guard !dicts || !Self.listWalks.contains(expression) else { return }
        // Well under the limit the walk works (or fails for its own reasons, never the limit's)...
        do { _ = try render(expression, depth: Self.limit - 20, dicts: dicts) } catch let error as TemplateError {
            #expect(error.kind != .limit, "\(expression): \(error)")
        }
        // ...and past it, it stops with the nesting error at the expression.
        let error = try #require(throws: TemplateError.self) { try render(expression, depth: Self.limit + 100, dicts: dicts) }
        #expect(error.kind == .limit && error.file == "deep.jinja" && error.line == 2, "\(expression): \(error)")
        #expect(error.message == "lists and dicts nest deeper than \(Self.limit) levels", "\(expression): \(error)")
    }

    /// The ways a template can deepen a value one `set` at a time: none keeps a value past the limit.
    static let builders: [String] = [
        "{% set ns = namespace(x=[]) %}{% for i in range(LEVELS) %}{% set ns.x = [ns.x] %}{% endfor %}",
        "{% set ns = namespace(x={}) %}{% for i in range(LEVELS) %}{% set ns.x = {'k': ns.x} %}{% endfor %}",
        "{% set ns = namespace(x=[1]) %}{% for i in range(LEVELS) %}{% set ns.x = ns.x | batch(1) | list %}{% endfor %}",
        "{% set ns = namespace(x=[]) %}{% for i in range(LEVELS) %}{% set ns.x = [1, dict(a=ns.x)] %}{% endfor %}",
        "{% set ns = namespace(x=[]) %}{% for i in range(LEVELS) %}{% set ns.x = ns.x + [[ns.x]] %}{% endfor %}",
        "{% set a = [] %}" + String(repeating: "{% set a = [[[[[a]]]]] %}", count: 150),
        "{% set a, b = [], 0 %}" + String(repeating: "{% set a, b = [[[[[a]]]]], 1 %}", count: 150),
        // In-place methods keep the value they change, as `set` does.
        "{% set x = [] %}{% for i in range(LEVELS) %}{% set _ = x.append([x]) %}{% endfor %}",
        "{% set d = {} %}{% for i in range(LEVELS) %}{% set _ = d.update({'k': d}) %}{% endfor %}",
        "{% set ns = namespace(x=[]) %}{% for i in range(LEVELS) %}{% set _ = ns.x.append([ns.x]) %}{% endfor %}",
    ]

    @Test(arguments: builders)
    func setNeverKeepsAValuePastTheLimit(_ builder: String) throws {
        // A few levels are fine; thousands (or 150 sets of five) stop at the set that went past.
        let shallow = builder.replacingOccurrences(of: "LEVELS", with: "10").replacingOccurrences(of: "count", with: "")
        if shallow.contains("range(10)") { #expect(try environment().render(shallow + "ok", name: "t", context: .init()) == "ok") }
        let deep = builder.replacingOccurrences(of: "LEVELS", with: "100000")
        let error = try #require(throws: TemplateError.self) {
            try environment().render("\n" + deep + "ok", name: "build.jinja", context: .init())
        }
        #expect(error.kind == .limit && error.line == 2, "\(error)")
        #expect(error.message == "lists and dicts nest deeper than \(Self.limit) levels", "\(error)")
    }

    @Test func setOfAnOrdinaryValueStillWorksQuickly() throws {
        // Shared structure (2^40 paths) and a large flat list are measured once, not per path or per set.
        var source = "{% set d = {'k': 'v'} %}"
        for _ in 0..<40 { source += "{% set d = {'a': d, 'b': d} %}" }
        source += "{% set ns = namespace(b=[]) %}{% set big = range(100000) | list %}"
        source += "{% for i in range(200) %}{% set ns.b = big %}{% endfor %}{{ ns.b | length }}"
        #expect(try environment().render(source, name: "t", context: .init()) == "100000")
    }

    /// Syntax nested far past the parser's limit is refused with a located syntax error.
    static let deepSyntax: [String] = {
        let n = 100_000
        return [
            "{{ " + String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n) + " }}",
            "{{ " + String(repeating: "[", count: n) + String(repeating: "]", count: n) + " }}",
            "{{ " + String(repeating: "{'a': ", count: n) + "1" + String(repeating: "}", count: n) + " }}",
            "{{ " + String(repeating: "-", count: n) + "1 }}",
            "{{ " + String(repeating: "not ", count: n) + "1 }}",
            "{{ 1" + String(repeating: " + 1", count: n) + " }}",
            "{{ 1" + String(repeating: " | string", count: n) + " }}",
            "{{ x" + String(repeating: ".a", count: n) + " }}",
            "{{ f" + String(repeating: "()", count: n) + " }}",
            "{{ " + String(repeating: "1 if 1 else ", count: n) + "1 }}",
            String(repeating: "{% if 1 %}", count: 10_000) + String(repeating: "{% endif %}", count: 10_000),
            String(repeating: "{% for i in [1] %}", count: 10_000) + String(repeating: "{% endfor %}", count: 10_000),
        ]
    }()

    @Test(arguments: deepSyntax)
    func deeplyNestedSyntaxIsRefused(_ source: String) throws {
        let error = try #require(throws: TemplateError.self) {
            try environment().render("\n" + source, name: "syntax.jinja", context: .init())
        }
        #expect(error.kind == .syntax && error.line == 2, "\(error)")
    }
}
