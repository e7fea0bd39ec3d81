import Testing
@testable import TemplateEngine

private func render(_ source: String, _ context: [(String, Value)] = [], options: EnvironmentOptions = .init(),
                    loader: (any TemplateLoader)? = nil) throws -> String {
    try TemplateEnvironment(options: options, loader: loader).render(source, name: "t.jinja", context: OrderedMapping(context))
}

private func failure(_ source: String, _ context: [(String, Value)] = [], loader: (any TemplateLoader)? = nil) -> TemplateError? {
    do {
        _ = try render(source, context, loader: loader)
        return nil
    } catch let e as TemplateError {
        return e
    } catch {
        return nil
    }
}

@Test func variablesAttributesAndFilters() throws {
    let ctx: [(String, Value)] = [("name", "World"), ("d", .dict(OrderedMapping([("k", .list([1, 2.5, "x"]))])))]
    #expect(try render("Hello {{ name|upper }}! {{ d.k }} {{ d['k'][-1] }}", ctx) == "Hello WORLD! [1, 2.5, 'x'] x")
}

@Test func controlFlowAndWhitespace() throws {
    let out = try render("{% for x in items -%}\n  {{ loop.index }}:{{ x }}{% if not loop.last %},{% endif %}\n{%- endfor %}",
                         [("items", ["a", "b"])])
    #expect(out == "1:a,2:b")
    let trimmed = try render("{% if true %}\n  yes\n{% endif %}\n", options: .init(trimBlocks: true, lstripBlocks: true))
    #expect(trimmed == "  yes\n")
}

@Test func pythonNumberSemantics() throws {
    #expect(try render("{{ 0.1 + 0.2 }} {{ 3 / 1 }} {{ 1e20 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }}") ==
            "0.30000000000000004 3.0 1e+20 -4 2 1024")
}

@Test func strictUndefinedReportsPositionAndCaret() throws {
    let e = try #require(failure("line one\n  {{ missing }}"))
    #expect(e.line == 2 && e.column == 6 && e.kind == .undefined)
    #expect(e.description == "t.jinja:2:6: error: 'missing' is undefined\n  {{ missing }}\n     ^")
    #expect(try render("{{ missing is defined }} {{ missing|default('x') }}") == "False x")
}

@Test func unclosedBlockIsASyntaxErrorAtTheOpeningTag() throws {
    let e = try #require(failure("a\n{% if x %}\nb"))
    #expect(e.line == 2 && e.column == 1 && e.kind == .syntax)
}

@Test func includeStaysInsideTheRootAndReportsTheChain() throws {
    let loader = DictionaryLoader(["part.jinja": "[{{ x }}]", "bad.jinja": "{{ nope }}"])
    #expect(try render("{% include 'part.jinja' %}", [("x", 1)], loader: loader) == "[1]")
    let escaping = try #require(failure("{% include '../etc/passwd' %}", loader: loader))
    #expect(escaping.kind == .include)
    let nested = try #require(failure("\n{% include 'bad.jinja' %}", loader: loader))
    #expect(nested.file == "bad.jinja" && nested.includeChain == ["t.jinja:2:1"])
}

@Test func templatesRenderConcurrently() async throws {
    let template = try TemplateEnvironment().compile("{% for i in range(n) %}{{ i }}{% endfor %}", name: "c")
    try await withThrowingTaskGroup(of: String.self) { group in
        for n in 0..<16 { group.addTask { try template.render(OrderedMapping([("n", .int(n % 4))])) } }
        var outputs: [String] = []
        for try await out in group { outputs.append(out) }
        #expect(outputs.count == 16 && outputs.allSatisfy { ["", "0", "01", "012"].contains($0) })
    }
}
