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
    try await withThrowingTaskGroup(of: (Int, String).self) { group in
        for task in 0..<16 {
            group.addTask { (task, try template.render(OrderedMapping([("n", .int(task % 4))]))) }
        }
        var outputs: [Int: String] = [:]
        for try await (task, out) in group { outputs[task] = out }
        // Each render's output is its own input's: 0..<n, for n = task % 4.
        let expected = Dictionary(uniqueKeysWithValues: (0..<16).map { task in (task, (0..<(task % 4)).map(String.init).joined()) })
        #expect(outputs == expected)
    }
}

@Test func errorDescriptionShowsLineCaretAndIncludeChain() throws {
    let loader = DictionaryLoader(["part.jinja": "{{ nmae }}"])
    let env = TemplateEnvironment(loader: loader)
    let source = "FROM x\n\n{% include 'part.jinja' %}\n"
    do {
        _ = try env.render(source, name: "Dockerfile.jinja", context: OrderedMapping([("name", "a")]))
        Issue.record("expected an undefined-name error")
    } catch let e as TemplateError {
        #expect(e.description == "part.jinja:1:4: error: 'nmae' is undefined\n{{ nmae }}\n   ^\n  included from Dockerfile.jinja:3:1")
    }
}

@Test(arguments: [
    ("{% for x in items %}", TemplateError.Kind.syntax, 1, 1),
    ("a\n{% if x %}{% endfor %}", .syntax, 2, 11),
    ("{% nope %}", .syntax, 1, 1),
    ("{{ x|nope }}", .syntax, 1, 6),
    ("{{ x is nope }}", .syntax, 1, 9),
    ("\n  {{ 1 + }}", .syntax, 2, 10),
    ("{{ 10 // zero }}", .zeroDivision, 1, 7),
    ("{% for c in 5 %}{% endfor %}", .type, 1, 1),
    ("{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", .type, 1, 35),
    ("{{ items.missing }}", .undefined, 1, 10),
    ("{% include 'nowhere.txt' %}", .include, 1, 1),
])
func errorKindsAndPositions(_ source: String, _ kind: TemplateError.Kind, _ line: Int, _ column: Int) throws {
    let e = try #require(failure(source, [("x", 1), ("zero", 0), ("items", ["a"])], loader: DictionaryLoader([:])))
    #expect(e.kind == kind, "\(e)")
    #expect(e.line == line && e.column == column, "\(e)")
}

@Test func hostGlobalsAreCallableWithKeywordArguments() throws {
    let token = NativeFunction(name: "random_token") { args, kwargs in
        let n = kwargs.first { $0.0 == "nbytes" }?.1 ?? args.first ?? .int(24)
        guard case .int(let count) = n else { throw TemplateError(file: "", line: 0, column: 0, message: "nbytes must be an int") }
        return .string(String(repeating: "ab", count: count))
    }
    let env = TemplateEnvironment(globals: OrderedMapping([("random_token", .callable(token)), ("site", "x")]))
    #expect(try env.render("{{ random_token(nbytes=2) }}-{{ random_token(1) }}-{{ site }}", name: "g", context: OrderedMapping()) == "abab-ab-x")
    // Context variables shadow globals.
    #expect(try env.render("{{ site }}", name: "g", context: OrderedMapping([("site", "y")])) == "y")
}

@Test func hostFunctionErrorsArePositionedAtTheCall() throws {
    struct Refused: Error, CustomStringConvertible { var description: String { "no entropy" } }
    let failing = NativeFunction(name: "random_token") { _, _ in throw Refused() }
    let env = TemplateEnvironment(globals: OrderedMapping([("random_token", .callable(failing))]))
    do {
        _ = try env.render("x\n  {{ random_token() }}", name: "s.jinja", context: OrderedMapping())
        Issue.record("expected the host error")
    } catch let e as TemplateError {
        #expect(e.file == "s.jinja" && e.line == 2 && e.message == "random_token(): no entropy")
    }
}

@Test func hostFiltersAndTestsAreUsedAndOverrideBuiltins() throws {
    var env = TemplateEnvironment()
    env.filters["shout"] = NativeFunction(name: "shout") { args, kwargs in
        let mark = kwargs.first { $0.0 == "mark" }?.1.pythonString ?? "!"
        return .string(args[0].pythonString.uppercased() + (args.count > 1 ? args[1].pythonString : "") + mark)
    }
    env.filters["slugify"] = NativeFunction(name: "slugify") { args, _ in .string("custom-" + args[0].pythonString) }
    env.tests["short"] = NativeFunction(name: "short") { args, _ in .bool(args[0].pythonString.count < (args.count > 1 ? args[1].intValue : 3)) }
    let out = try env.render("{{ 'hi'|shout }} {{ 'a'|shout('b', mark='?') }} {{ 'X Y'|slugify }} {{ 'ab' is short }} "
                             + "{{ 'abcd' is short(5) }} {{ ['x', 'yyyy']|select('short')|list }} {{ ['a']|map('shout')|list }}",
                             name: "h", context: OrderedMapping())
    #expect(out == "HI! Ab? custom-X Y True True ['x'] ['A!']")
    // Without the host, the names are unknown at parse time, as in Jinja2.
    #expect(throws: TemplateError.self) { try TemplateEnvironment().compile("{{ 'a'|shout }}", name: "h") }
}

@Test func unknownFiltersAndTestsAreNamedInTheError() throws {
    let cases: [(String, TemplateError.UnknownName)] = [
        ("{{ x|nope }}", .filter("nope")), ("{% filter nope %}a{% endfilter %}", .filter("nope")),
        ("{{ x is nope }}", .test("nope")), ("{{ [1]|map('nope')|list }}", .filter("nope")),
        ("{{ [1]|select('nope')|list }}", .test("nope")), ("{{ [1]|rejectattr('a', 'nope')|list }}", .test("nope")),
    ]
    for (source, expected) in cases {
        do {
            _ = try render(source, [("x", .int(1))])
            Issue.record("\(source) rendered")
        } catch let error as TemplateError {
            #expect(error.unknownName == expected, "\(source): \(error)")
            #expect(error.message == "No \(expected.kind) named '\(expected.name)'.")
        }
    }
    do {
        _ = try render("{{ x|upper }}{{ y }}", [("x", .string("a"))])
    } catch let error as TemplateError {
        #expect(error.unknownName == nil)
    }
}

@Test func filterRegistryHasEachNameOnceAndEveryFilterApplies() throws {
    let listed = FilterRegistry.tables.joined().map(\.name)
    #expect(listed.count == Set(listed).count, "a filter name is registered by two files")
    #expect(FilterRegistry.names == Set(listed))
    // Each registered function handles the names registered with it (none falls through to "unknown").
    for name in FilterRegistry.names.sorted() {
        do {
            _ = try render("{{ x|\(name) }}", [("x", "a")])
        } catch let e as TemplateError {
            #expect(!e.message.contains("No filter named"), "\(name): \(e.message)")
        }
    }
    // The arity comes from the registry: too many positional arguments are refused before the filter runs.
    let e = try #require(failure("{{ 'a'|upper(1) }}"))
    #expect(e.message.contains("filter 'upper' takes at most 0 argument(s), got 1") && e.column == 8)
    #expect(failure("{{ 'a'|nosuchfilter }}")?.message.contains("No filter named 'nosuchfilter'") == true)
}

@Test func everyKnownTestNameIsImplemented() throws {
    // The parser accepts the names of TestNames.all; each must reach its case in applyTest.
    for name in TestNames.all.sorted() {
        let source = name.allSatisfy(\.isLetter) ? "{{ 1 is \(name)(1) }}" : "{{ 1 is \(name) 1 }}"
        do {
            _ = try render(source)
        } catch let e as TemplateError {
            #expect(e.unknownName == nil, "\(name): \(e.message)")
        }
    }
}
