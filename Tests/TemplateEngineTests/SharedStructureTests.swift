import Testing
import TemplateEngine

/// Values that hold another value twice, forty times over, have 2^40 items when walked: every
/// walk (printing, comparing, serialising, sorting, hashing) stops with the located budget
/// error as it goes, instead of hanging or exhausting memory.
@Suite struct SharedStructureTests {
    /// `d0` … `d40`, each a dict holding the previous one twice (and `l0` … `l40`, lists).
    static let bomb: String = {
        var text = "{% set d0 = {'k': 'v'} %}{% set l0 = [1] %}"
        for i in 1...40 {
            text += "{% set d\(i) = {'a': d\(i - 1), 'b': d\(i - 1)} %}{% set l\(i) = [l\(i - 1), l\(i - 1)] %}"
        }
        // A second d40 made separately, so that comparisons cannot take a shortcut.
        text += "{% set e0 = {'k': 'v'} %}"
        for i in 1...40 { text += "{% set e\(i) = {'a': e\(i - 1), 'b': e\(i - 1)} %}" }
        return text + "\n"
    }()

    /// Smaller limits than the defaults, so that each case stops quickly in a debug build.
    static let small = RenderLimits(maxOutputBytes: 1 << 20, maxVisits: 200_000)

    private func failure(_ expression: String, limits: RenderLimits = small) -> TemplateError? {
        let environment = TemplateEnvironment(options: EnvironmentOptions(limits: limits))
        do {
            _ = try environment.render(Self.bomb + expression, name: "bomb.jinja", context: OrderedMapping())
            return nil
        } catch let error as TemplateError {
            return error
        } catch {
            return nil
        }
    }

    @Test(arguments: [
        "{{ d40 }}", "{{ l40 }}", "{{ d40 == e40 }}", "{{ d40 != e40 }}", "{{ d40 | tojson }}",
        "{{ d40 | string }}", "{{ d40 ~ '' }}", "{{ d40 | pprint }}", "{{ d40 | to_yaml }}",
        "{{ d40 | to_nice_yaml }}", "{{ d40 | to_json }}", "{{ d40 | to_nice_json }}", "{{ d40 | hash('sha1') }}",
        "{{ d40 | md5 }}", "{{ [d40, e40] | unique | length }}", "{{ d40 | dictsort }}",
        "{{ (d40 | string) | length }}", "{{ d40 in [e40] }}", "{{ [e40] | select('equalto', d40) | list | length }}",
        "{{ [l40, l40] | sort | length }}", "{{ l40 < l40 }}", "{{ d40 | items | list }}", "{{ d40 | list | join(d40) }}",
        "{{ [d40] | join }}", "{{ '%s' % [d40] }}", "{{ '{}'.format(d40) }}", "{{ l40 | flatten | length }}",
        "{{ [l40, l40] | max | length }}", "{{ [d40] | map('string') | list | length }}", "{{ d40 | urlencode }}",
        "{{ ', '.join([d40 | string]) }}", "{{ [e40].index(d40) }}", "{{ [e40].count(d40) }}", "{{ d40 | combine(e40) | length }}",
        "{{ d40 is eq e40 }}", "{% for x in [d40, e40] %}{{ loop.changed(x) }}{% endfor %}", "{{ d40 | b64encode }}",
        "{{ d40 | upper }}", "{{ d40 | regex_escape }}",
    ])
    func walksStopWithTheBudgetError(_ expression: String) throws {
        let error = try #require(failure(expression))
        #expect(error.kind == .limit, "\(error)")
        #expect(error.file == "bomb.jinja" && error.line == 2, "\(error)")
    }

    @Test(arguments: ["{{ d40 == e40 }}", "{{ d40 }}", "{{ d40 | tojson }}", "{{ [l40, l40] | sort | length }}"])
    func theDefaultLimitsStopThem(_ expression: String) throws {
        let error = try #require(failure(expression, limits: RenderLimits()))
        #expect(error.kind == .limit && error.line == 2, "\(error)")
    }

    @Test func hostFunctionsAreHandedOnlyWhatTheBudgetAllows() throws {
        var environment = TemplateEnvironment(options: EnvironmentOptions(limits: Self.small))
        environment.filters["dump"] = NativeFunction(name: "dump") { args, _ in .string(args[0].pythonString) }
        environment.globals["dump"] = .callable(NativeFunction(name: "dump") { args, _ in .string(args[0].pythonString) })
        for expression in ["{{ d40 | dump }}", "{{ dump(d40) }}", "{{ [d40] | map('dump') | list }}"] {
            let error = try #require(throws: TemplateError.self) {
                try environment.render(Self.bomb + expression, name: "host.jinja", context: OrderedMapping())
            }
            #expect(error.kind == .limit && error.line == 2, "\(error)")
        }
        // Ordinary values still reach the host (an environment whose budget is not spent).
        environment.budget = RenderBudget()
        #expect(try environment.render("{{ {'a': [1, 2]} | dump }}", name: "ok", context: OrderedMapping()) == "{'a': [1, 2]}")
    }

    @Test func theBudgetIsSharedByTheRendersOfAnEnvironment() throws {
        let environment = TemplateEnvironment(options: EnvironmentOptions(limits: RenderLimits(maxBuiltBytes: 20 << 20)))
        // Each render stays under one string's limit; together they exceed the environment's budget.
        var rendered = 0
        let error = try #require(throws: TemplateError.self) {
            for _ in 0..<10 {
                _ = try environment.render("{{ 'x' * 3000000 }}", name: "default.jinja", context: OrderedMapping())
                rendered += 1
            }
        }
        #expect(error.kind == .limit && error.file == "default.jinja", "\(error)")
        #expect(rendered >= 2 && rendered < 4)
        // A fresh environment has its own budget.
        #expect(try TemplateEnvironment().render("{{ ('x' * 3000000) | length }}", name: "ok", context: OrderedMapping()) == "3000000")
    }

    @Test func ordinaryValuesPrintCompareAndSerialiseAsBefore() throws {
        let environment = TemplateEnvironment()
        let source = """
        {% set d = {'a': [1, 2, {'b': 'c'}], 'e': none} %}{{ d }}|{{ d == {'a': [1, 2, {'b': 'c'}], 'e': none} }}|\
        {{ d | tojson }}|{{ [[2, 1], [1, 2]] | sort }}|{{ [1, 1.0, 'a', 'A'] | unique }}|{{ 2 in [1, 2] }}|\
        {{ [[1], [1], [2]] | unique }}|{{ d | to_json }}
        """
        #expect(try environment.render(source, name: "ok", context: OrderedMapping()) == """
        {'a': [1, 2, {'b': 'c'}], 'e': None}|True|{"a": [1, 2, {"b": "c"}], "e": null}|[[1, 2], [2, 1]]|[1, 'a']|True|\
        [[1], [2]]|{"a": [1, 2, {"b": "c"}], "e": null}
        """)
    }
}
