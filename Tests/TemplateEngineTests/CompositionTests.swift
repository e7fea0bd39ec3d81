import Foundation
import Testing
@testable import TemplateEngine

// Located errors and limits of the constructs that combine templates, and the injectable clock.
// Output equality with Jinja2 itself is checked by ConformanceTests over Conformance/cases.json.

private let files = DictionaryLoader([
    "macros.jinja": "{% macro hello(who) %}Hello {{ who }}{% endmacro %}",
    "broken.jinja": "ok\n{% macro m() %}{{ nope( }}{% endmacro %}",
    "fails.jinja": "{% macro m() %}\n  {{ missing }}{% endmacro %}",
    "base.jinja": "[{% block body %}{% endblock %}]",
    "loop-a.jinja": "{% import 'loop-b.jinja' as b %}",
    "loop-b.jinja": "{% import 'loop-a.jinja' as a %}",
    "appends.jinja": "{% set _ = items.append(2) %}",
    "appender.jinja": "{% macro add() %}{% set _ = items.append(2) %}{% endmacro %}",
])

private func failure(_ source: String, name: String = "page.jinja", limits: RenderLimits = .init()) -> TemplateError? {
    let env = TemplateEnvironment(options: EnvironmentOptions(limits: limits), loader: files)
    do {
        _ = try env.render(source, name: name, context: OrderedMapping([("name", "x")]))
        return nil
    } catch let e as TemplateError {
        return e
    } catch {
        Issue.record("not a TemplateError: \(error)")
        return nil
    }
}

@Test func importOfAMissingTemplateIsLocatedAtTheTag() throws {
    let e = try #require(failure("line one\n  {% import 'nope.jinja' as m %}"))
    #expect(e.kind == .include)
    #expect(e.description.hasPrefix("page.jinja:2:3: error: template 'nope.jinja' not found"))
}

@Test func fromImportOfAnUndefinedMacroNamesTheTemplateWhenUsed() throws {
    let e = try #require(failure("{% from 'macros.jinja' import hello, nosuch %}\n{{ nosuch() }}"))
    #expect(e.kind == .undefined && e.line == 2 && e.column == 4)
    #expect(e.message.contains("'macros.jinja' (imported on line 1) does not export the requested name 'nosuch'"))
}

@Test func errorsInsideAnImportedTemplateShowWhereItWasImported() throws {
    let syntax = try #require(failure("\n{% import 'broken.jinja' as b %}"))
    #expect(syntax.file == "broken.jinja" && syntax.line == 2 && syntax.kind == .syntax)
    #expect(syntax.includeChain == ["page.jinja:2:1"])
    let runtime = try #require(failure("{% from 'fails.jinja' import m %}{{ m() }}"))
    #expect(runtime.file == "fails.jinja" && runtime.line == 2 && runtime.column == 6 && runtime.kind == .undefined)
}

@Test func extendsOfAMissingTemplateIsLocated() throws {
    let e = try #require(failure("{# layout #}\n\n   {% extends 'missing.jinja' %}"))
    #expect(e.description.hasPrefix("page.jinja:3:4: error: template 'missing.jinja' not found"))
}

@Test func cyclicImportsAndExtendsStopAtTheDepthLimit() throws {
    let imports = try #require(failure("{% import 'loop-a.jinja' as a %}"))
    #expect(imports.kind == .limit)
    let loader = DictionaryLoader(["a": "{% extends 'b' %}", "b": "{% extends 'a' %}"])
    let env = TemplateEnvironment(loader: loader)
    #expect(throws: TemplateError.self) { try env.render("{% extends 'a' %}", name: "p", context: .init()) }
}

@Test func importWorksInTemplatesRenderedFromStrings() throws {
    // What the manifest's `default`/`validator` strings do: environment.render(text, name:, context:).
    let env = TemplateEnvironment(loader: files)
    let out = try env.render("{% from 'macros.jinja' import hello %}{{ hello(name) }}", name: "validator",
                             context: OrderedMapping([("name", "you")]))
    #expect(out == "Hello you")
    let noLoader = TemplateEnvironment()
    #expect(throws: TemplateError.self) { try noLoader.render("{% import 'x' as m %}", name: "v", context: .init()) }
}

@Test func recursiveLoopsStopAtTheDepthLimit() throws {
    // A self-containing structure would recurse forever; maxDepth bounds it.
    let e = try #require(failure("{% set t = [[[[[[[[[[1]]]]]]]]]] %}{% for x in t recursive %}{% if x is iterable %}{{ loop(x) }}{% endif %}{% endfor %}",
                                 limits: RenderLimits(maxDepth: 5)))
    #expect(e.kind == .limit)
}

@Test func stringBuildingFiltersCheckTheOutputLimitFirst() throws {
    let small = RenderLimits(maxOutputBytes: 1 << 16)
    for source in ["{{ 'x'|comment(prefix_count=1000000000000) }}", "{{ 'x'|comment(postfix_count=100000) }}",
                   "{{ ('%Y' * 1000)|strftime(0) }}", "{% now 'utc', '%c' * 1000 %}",
                   "{{ ('.' * 40000)|regex_escape }}"] {
        let e = try #require(failure(source, limits: small), "\(source)")
        #expect(e.kind == .limit, "\(source): \(e)")
    }
}

@Test func nowReadsTheInjectedClock() throws {
    let paris = try #require(TimeZone(identifier: "Europe/Paris"))
    let env = TemplateEnvironment(clock: FixedClock(seconds: 1_719_835_200, localTimeZone: paris))  // 2024-07-01T12:00:00Z
    let out = try env.render("{% now 'utc', '%Y-%m-%d %H:%M %Z' %}|{% now 'local', '%H:%M %Z %z' %}|{{ '%H'|strftime }}",
                             name: "t", context: .init())
    #expect(out == "2024-07-01 12:00 UTC|14:00 CEST +0200|14")
}

@Test func seededRandomMatchesPythonsMersenneTwister() {
    // random.Random(1).getrandbits(32) and random.Random('a').getrandbits(32) in CPython 3.11.
    var one = PythonRandom(seed: 1)
    #expect(one.nextUInt32() == 577_090_037)
    var text = PythonRandom(seed: "a")
    #expect(text.nextUInt32() == 1_168_357_962)
}

/// An in-place method changes a context variable where the change lasts: at the template's top
/// level or in its own macros. In an include or an imported macro, whose changes to the top level
/// are discarded when they end, it is refused by name instead of changing nothing silently.
@Test func inPlaceMethodsChangeTheContextOnlyWhereTheChangeLasts() throws {
    let env = TemplateEnvironment(options: EnvironmentOptions(), loader: files)
    let context = OrderedMapping([("items", .list([.int(1)]))])
    #expect(try env.render("{% set _ = items.append(2) %}{{ items }}", name: "t", context: context) == "[1, 2]")
    #expect(try env.render("{% macro add() %}{% set _ = items.append(2) %}{% endmacro %}{{ add() }}{{ items }}",
                           name: "t", context: context) == "[1, 2]")
    for source in ["{% include 'appends.jinja' %}{{ items }}",
                   "{% from 'appender.jinja' import add with context %}{{ add() }}{{ items }}"] {
        let error = try #require(throws: TemplateError.self) { try env.render(source, name: "t", context: context) }
        #expect(error.message.contains("list.append() is not supported"), "\(source): \(error)")
    }
}
