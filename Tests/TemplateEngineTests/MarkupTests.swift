import Testing
@testable import TemplateEngine

// The operations on a markup-safe string (Markup) whose Jinja2 result the engine cannot reproduce
// are refused with an error naming them; everything else is in the conformance cases.

private func failure(_ source: String) -> TemplateError? {
    do {
        _ = try TemplateEnvironment().render(source, name: "m.jinja", context: OrderedMapping())
        return nil
    } catch let e as TemplateError {
        return e
    } catch {
        return nil
    }
}

@Test(arguments: [
    ("{{ 'x'|e|to_yaml }}", "filter 'to_yaml' of a markup-safe string"),
    ("{{ 'x'|safe|to_nice_yaml }}", "filter 'to_nice_yaml' of a markup-safe string"),
    ("{{ 'a.b'|e|splitext }}", "filter 'splitext' of a markup-safe string"),
    ("{{ 'c:\\\\a'|safe|win_splitdrive }}", "filter 'win_splitdrive' of a markup-safe string"),
    ("{{ ('{}'|safe).format('<') }}", "format() of a markup-safe string"),
    ("{{ ('{x}'|e).format_map({'x': 1}) }}", "format_map() of a markup-safe string"),
    ("{{ ('%r'|safe) % '<' }}", "'%r' in a markup-safe string's % formatting"),
    ("{{ ('%(k)a'|safe) % {'k': 1} }}", "'%a' in a markup-safe string's % formatting"),
    ("{{ '%r'|safe|format('<') }}", "'%r' in a markup-safe string's % formatting"),
    ("{{ {'k': 'v'|e}|to_yaml }}", "cannot represent a markup-safe string (Markup) as YAML"),
    ("{{ {('k'|e): 1} }}", "a markup-safe string (Markup) as a dictionary key is not supported"),
])
func markupOperationsThatDifferAreRefused(source: String, message: String) {
    guard let error = failure(source) else {
        Issue.record("\(source) rendered")
        return
    }
    #expect(error.message.contains(message), "\(source): \(error.message)")
    #expect(error.kind == .type, "\(source): \(error.kind)")
    #expect(error.line == 1 && error.column > 1, "\(source): \(error)")
}

@Test func markupKeysAndArgumentsActAsStrings() throws {
    let out = try TemplateEnvironment().render(
        "{{ {'<': 1}['<'|safe] }}|{{ 'a'|safe in {'a': 1} }}|{{ 'abc'.replace('a'|safe, 'x') }}|{{ ('a'|e) is string }}",
        name: "m.jinja", context: OrderedMapping())
    #expect(out == "1|True|xbc|True")
}
