import Testing
import TemplateEngine

/// Deterministic pseudo-random numbers (SplitMix64), so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let fragments = [
    "{{", "}}", "{%", "%}", "{#", "#}", "{%-", "-%}", "{{-", "-}}", "{% raw %}", "{% endraw %}", "{% if x %}",
    "{% endif %}", "{% for i in range(50) %}", "{% endfor %}", "{% else %}", "{% macro m(a, b=1) %}", "{% endmacro %}",
    "{{ m(1) }}", "{% set v = 'ab' * 1000 %}", "{% include 'self.txt' %}", "{{ range(100000000) }}", "'", "\"", "(", ")",
    "[", "]", "{", "}", "|", "|upper", "|join(',')", "|tojson", "|to_yaml", "|indent(4)", "|round(2)", "|int", "~", "**",
    "//", "%", "-", "+", "*", "/", " is defined", " is divisibleby 0", " if ", " else ", " not ", " and ", " or ", ".", ",",
    ":", "=", "loop.index", "loop.cycle(1, 2)", "x", "items", "d.k", "0", "-1", "1e308", "9223372036854775807", "\n",
    "\r\n", " ", "\t", "é", "🚀", "\u{301}", "%s", "{0}", "'%999s'|format(1)", "'{:>9}'.format(1)", "2 ** 63", "namespace()",
]

private let bases = [
    "Hello {{ x }}!\n{% for i in items %}{{ loop.index }}:{{ i|upper }}\n{% endfor %}",
    "{% if d.k is defined and x %}{{ d.k ~ x }}{% else %}{{ items|join(', ') }}{% endif %}",
    "{% macro m(a, b=2) %}[{{ a * b }}]{% endmacro %}{{ m(3) }}{{ m(1, b=4) }}",
    "{% set ns = namespace(n=0) %}{% for i in range(5) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}",
    "{% raw %}{{ keep }}{% endraw %} {{ '{{' }} {# comment #} {{ d|tojson }} {{ items|to_yaml }}",
    "{{ (x ~ 'y')[::-1] }} {{ 7 // 2 }} {{ 1.5 * 2 }} {{ '%s-%d' % ('a', 3) }} {{ '{} {}'.format(1, 2) }}",
]

@Test func mutatedTemplatesNeverCrashOrRunAway() throws {
    var rng = SeededGenerator(state: 20_241_123)
    let limits = RenderLimits(maxDepth: 40, maxRange: 100_000, maxOutputBytes: 1 << 20, maxSteps: 50_000)
    let loader = DictionaryLoader(["self.txt": "{% include 'self.txt' %}"])
    let context = OrderedMapping([
        ("x", .string("val")), ("items", .list(["a", "b", .int(3)])),
        ("d", .dict(OrderedMapping([("k", .float(1.5))]))),
    ])
    var rendered = 0, failed = 0
    for round in 0..<3000 {
        var text = Array(bases[round % bases.count].unicodeScalars)
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = Int.random(in: 0...text.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                let fragment = fragments[Int.random(in: 0..<fragments.count, using: &rng)]
                text.insert(contentsOf: fragment.unicodeScalars, at: at)
            case 1 where !text.isEmpty:
                let end = min(text.count, at + Int.random(in: 1...6, using: &rng))
                if at < end { text.removeSubrange(at..<end) }
            case 2 where !text.isEmpty:
                let start = Int.random(in: 0..<text.count, using: &rng)
                let end = min(text.count, start + Int.random(in: 1...20, using: &rng))
                text.insert(contentsOf: text[start..<end], at: at)
            default:
                if at < text.count { text[at] = fragments[Int.random(in: 0..<fragments.count, using: &rng)].unicodeScalars.first ?? " " }
            }
        }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text)
        let source = String(scalars)
        let options = EnvironmentOptions(trimBlocks: round % 2 == 0, lstripBlocks: round % 3 == 0, limits: limits)
        let env = TemplateEnvironment(options: options, loader: loader)
        do {
            let out = try env.render(source, name: "mutant-\(round)", context: context)
            #expect(out.utf8.count <= limits.maxOutputBytes + 1 << 16)
            rendered += 1
        } catch let error as TemplateError {
            // Every failure is a positioned diagnostic inside the source.
            #expect(error.line >= 1 && error.column >= 1, "\(error)")
            #expect(error.description.contains(": error: "))
            failed += 1
        } catch {
            Issue.record("mutant \(round) threw a non-template error \(error) for \(source.debugDescription)")
        }
    }
    // Both outcomes must occur, or the mutations are not exercising the engine.
    #expect(rendered > 100 && failed > 100)
}

@Test func hostileTemplatesHitLimitsNotTheMachine() throws {
    let env = TemplateEnvironment(options: EnvironmentOptions(limits: RenderLimits(maxSteps: 10_000)),
                                  loader: DictionaryLoader(["loop.txt": "{% include 'loop.txt' %}"]))
    let hostile = [
        "{{ range(10000000000) }}", "{{ 'x' * 100000000000 }}", "{{ [1] * 100000000000 }}",
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "{% include 'loop.txt' %}",
        "{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}",
        "{{ '%999999999999d' % 1 }}", "{{ 'a'|center(99999999999) }}", "{{ " + String(repeating: "(", count: 5000) + " }}",
        "{{ " + String(repeating: "1 + ", count: 5000) + "1 }}", String(repeating: "{% if x %}", count: 5000),
        "{{ 2 ** 64 }}", "{{ 9223372036854775807 + 1 }}",
    ]
    for source in hostile {
        do {
            _ = try env.render(source, name: "hostile", context: OrderedMapping([("x", .bool(true))]))
            Issue.record("expected a limit error for \(source.prefix(60))")
        } catch let error as TemplateError {
            #expect([.limit, .syntax, .value].contains(error.kind), "\(error)")
        }
    }
}

/// Integers beyond 64 bits, ranges and batches too large to hold, and code points outside Unicode or in
/// the surrogate block are TemplateErrors, never traps.
@Test(arguments: [
    "{{ range(-9223372036854775807, 9223372036854775807) }}", "{{ '%d' % 1e300 }}", "{{ '%c' % -1 }}",
    "{{ '%c' % 1114112 }}", "{{ '%c' % 55296 }}", "{{ range(10)|batch(999999999999) }}",
    "{{ range(10)|slice(999999999999) }}", "{{ (-9223372036854775807 - 1) // -1 }}", "{{ -(-9223372036854775807 - 1) }}",
    "{{ (-9223372036854775807 - 1)|abs }}",
])
func extremeNumbersAreErrorsNotTraps(_ source: String) {
    #expect(throws: TemplateError.self) { try TemplateEnvironment().render(source, name: "n", context: OrderedMapping()) }
}

@Test func theMostNegativeStepIsAnEmptyRange() throws {
    let out = try TemplateEnvironment().render("{{ range(0, 10, -9223372036854775807 - 1)|list }}", name: "n", context: OrderedMapping())
    #expect(out == "[]")
}

