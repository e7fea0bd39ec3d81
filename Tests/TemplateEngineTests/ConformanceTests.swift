import Foundation
import Testing
import TemplateEngine

/// One case from Conformance/cases.json; `expected` was produced by Python's Jinja2 3.1.6.
///
/// cases.json is `{"contexts": {NAME: context}, "files": {NAME: {file: source}}, "cases": [case]}`; a case's
/// `context` or `files` is inline or the name of a shared one (scripts/conformance_expected.py writes it).
struct ConformanceCase: CustomTestStringConvertible, Sendable {
    var id: String
    var template: String
    var context: OrderedMapping
    var options: EnvironmentOptions
    var files: [String: String]
    var expected: String?
    var jinjaError: String?

    var testDescription: String { id }

    /// A cases.json that does not have the shape above (the suite fails instead of running fewer cases).
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func load() throws -> [ConformanceCase] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Conformance/cases.json")
        return try parse(String(contentsOf: url, encoding: .utf8))
    }

    static func parse(_ text: String) throws -> [ConformanceCase] {
        guard case .dict(let document) = try OrderedJSON.parse(text), case .list(let items)? = document["cases"] else {
            throw Malformed(description: "cases.json: expected an object with a \"cases\" list")
        }
        var sharedContexts: [String: OrderedMapping] = [:]
        if case .dict(let table)? = document["contexts"] {
            for (name, value) in table.pairs {
                guard case .dict(let context) = value else { throw Malformed(description: "shared context \(name) is not an object") }
                sharedContexts[name] = context
            }
        }
        var sharedFiles: [String: OrderedMapping] = [:]
        if case .dict(let table)? = document["files"] {
            for (name, value) in table.pairs {
                guard case .dict(let files) = value else { throw Malformed(description: "shared files \(name) is not an object") }
                sharedFiles[name] = files
            }
        }
        return try items.enumerated().map { index, item in
            guard case .dict(let c) = item, case .string(let id)? = c["id"], case .string(let template)? = c["template"] else {
                throw Malformed(description: "case \(index) has no string id and template")
            }
            var options = EnvironmentOptions()
            if case .dict(let o)? = c["options"] {
                if case .bool(let b)? = o["trim_blocks"] { options.trimBlocks = b }
                if case .bool(let b)? = o["lstrip_blocks"] { options.lstripBlocks = b }
                if case .bool(let b)? = o["keep_trailing_newline"] { options.keepTrailingNewline = b }
                if case .string(let u)? = o["undefined"] {
                    guard let behavior = UndefinedBehavior(rawValue: u) else {
                        throw Malformed(description: "\(id): unknown undefined behaviour \(u)")
                    }
                    options.undefined = behavior
                }
                func delimiter(_ key: String, _ path: WritableKeyPath<Delimiters, String>) {
                    if case .string(let s)? = o[key] { options.delimiters[keyPath: path] = s }
                }
                delimiter("block_start_string", \.blockStart)
                delimiter("block_end_string", \.blockEnd)
                delimiter("variable_start_string", \.variableStart)
                delimiter("variable_end_string", \.variableEnd)
                delimiter("comment_start_string", \.commentStart)
                delimiter("comment_end_string", \.commentEnd)
            }
            var files: [String: String] = [:]
            switch c["files"] {
            case nil: break
            case .dict(let f)?: files = try fileSources(f, id: id)
            case .string(let name)?:
                guard let f = sharedFiles[name] else { throw Malformed(description: "\(id): no shared files named \(name)") }
                files = try fileSources(f, id: id)
            default: throw Malformed(description: "\(id): files is neither an object nor a shared name")
            }
            var context = OrderedMapping()
            switch c["context"] {
            case nil: break
            case .dict(let ctx)?: context = ctx
            case .string(let name)?:
                guard let ctx = sharedContexts[name] else { throw Malformed(description: "\(id): no shared context named \(name)") }
                context = ctx
            default: throw Malformed(description: "\(id): context is neither an object nor a shared name")
            }
            var expected: String? = nil
            if case .string(let e)? = c["expected"] { expected = e }
            var error: String? = nil
            if case .string(let e)? = c["error"] { error = e }
            guard (expected == nil) != (error == nil) else {
                throw Malformed(description: "\(id): needs exactly one of expected and error")
            }
            return ConformanceCase(id: id, template: template, context: context, options: options, files: files,
                                   expected: expected, jinjaError: error)
        }
    }

    private static func fileSources(_ files: OrderedMapping, id: String) throws -> [String: String] {
        var sources: [String: String] = [:]
        for (name, value) in files.pairs {
            guard case .string(let source) = value else { throw Malformed(description: "\(id): file \(name) is not a string") }
            sources[name] = source
        }
        return sources
    }
}

private let loaded: Result<[ConformanceCase], any Error> = Result { try ConformanceCase.load() }
private let allCases: [ConformanceCase] = (try? loaded.get()) ?? []

@Test func conformanceSuiteIsPresent() throws {
    let cases = try loaded.get()
    #expect(cases.count >= 1_000)
    #expect(cases.contains { $0.jinjaError != nil })
}

@Test func sharedContextsAreResolvedByName() throws {
    let text = """
        {"contexts": {"c": {"who": "named"}}, "files": {"f": {"p.txt": "P{{ who }}"}},
         "cases": [{"id": "a", "template": "{% include 'p.txt' %}", "context": "c", "files": "f", "expected": "Pnamed"},
                   {"id": "b", "template": "x", "context": {"who": 1}, "expected": "x"}]}
        """
    let cases = try ConformanceCase.parse(text)
    #expect(cases.map(\.id) == ["a", "b"])
    #expect(cases[0].context["who"] == .string("named"))
    #expect(cases[0].files == ["p.txt": "P{{ who }}"])
    #expect(cases[1].context["who"] == .int(1))
    for broken in [#"{"cases": [{"id": "a", "template": "x", "context": "nope", "expected": "x"}]}"#,
                   #"{"cases": [{"id": "a", "template": "x", "files": "nope", "expected": "x"}]}"#,
                   #"{"cases": [{"id": "a", "template": "x"}]}"#,
                   #"{"cases": [{"template": "x", "expected": "x"}]}"#,
                   #"[{"id": "a", "template": "x", "expected": "x"}]"#] {
        #expect(throws: ConformanceCase.Malformed.self, "\(broken)") { try ConformanceCase.parse(broken) }
    }
}

@Test(arguments: allCases)
func matchesJinja2(_ c: ConformanceCase) {
    // conformance_expected.py fixes Python's clock at the same instant, with UTC as the local zone.
    let env = TemplateEnvironment(options: c.options, loader: DictionaryLoader(c.files),
                                  clock: FixedClock(seconds: 1_767_323_045.123456))
    let result: Result<String, any Error> = Result { try env.render(c.template, name: c.id, context: c.context) }
    switch (result, c.expected) {
    case (.success(let out), let expected?):
        #expect(out == expected, "\(c.id): template \(c.template.debugDescription)")
    case (.failure(let error), let expected?):
        Issue.record("\(c.id): Jinja2 renders \(expected.debugDescription), TemplateEngine fails: \(error)")
    case (.success(let out), nil):
        Issue.record("\(c.id): Jinja2 fails (\(c.jinjaError ?? "")), TemplateEngine renders \(out.debugDescription)")
    case (.failure(let error), nil):
        #expect(error is TemplateError, "\(c.id): failures must be TemplateError values, got \(error)")
    }
}
