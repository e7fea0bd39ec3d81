import Testing
import TemplateEngine

/// Operations that would build huge intermediate strings fail with a located limit error
/// before they allocate, instead of exhausting memory.
@Suite struct MemoryBombTests {
    private func failure(_ source: String, limits: RenderLimits = RenderLimits()) -> TemplateError? {
        let environment = TemplateEnvironment(options: EnvironmentOptions(limits: limits))
        do {
            _ = try environment.render(source, name: "bomb.jinja", context: OrderedMapping())
            return nil
        } catch let error as TemplateError {
            return error
        } catch {
            return nil
        }
    }

    @Test(arguments: [
        "{{ ('x' * 1000000).replace('x', 'y' * 100) }}",
        "{{ ('x' * 1000000) | replace('x', 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy') }}",
        "{{ ('x' * 30000000).replace('', 'ab') }}",
        "{{ ['x' * 30000000, 'y' * 30000000, 'z' * 30000000] | join }}",
        "{{ ','.join(['x' * 1000000] * 100) }}",
        "{{ ('ab\\n' * 1000000) | indent(100) }}",
    ])
    func sizeIsCheckedBeforeBuilding(_ source: String) throws {
        let error = try #require(failure(source))
        #expect(error.kind == .limit)
        #expect(error.file == "bomb.jinja" && error.line == 1)
        #expect(error.message.contains("over the limit"))
    }

    @Test func manyLargeStringsExhaustTheBudget() throws {
        let limits = RenderLimits(maxBuiltBytes: 50 << 20)
        let loop = "{% set ns = namespace(l=[]) %}{% for i in range(100) %}{% set ns.l = ns.l + ['x' * 1000000] %}{% endfor %}{{ ns.l | length }}"
        #expect(try #require(failure(loop, limits: limits)).kind == .limit)
        let mapped = "{{ (['x' * 1000000] * 100) | map('upper') | list | length }}"
        #expect(try #require(failure(mapped, limits: limits)).kind == .limit)
    }

    @Test func ordinaryTextBuildingStaysWithinTheBudget() throws {
        // Growing a string in a loop (each step a new, larger string) is not charged below 1 MiB.
        let environment = TemplateEnvironment(options: EnvironmentOptions(limits: RenderLimits(maxBuiltBytes: 8 << 20)))
        let source = "{% set ns = namespace(s='') %}{% for i in range(5000) %}{% set ns.s = ns.s ~ 'line ' ~ i ~ '\\n' %}{% endfor %}{{ ns.s | length }}"
        #expect(try environment.render(source, name: "ok", context: OrderedMapping()) == "\(String((0..<5000).map { "line \($0)\n" }.joined().count))")
        #expect(try environment.render("{{ ('ab' * 1000).replace('a', 'xyz') | length }}", name: "ok", context: OrderedMapping()) == "4000")
    }
}
