import Foundation
import Testing
import TemplateEngine

/// One case from Conformance/cases.json; `expected` was produced by Python's Jinja2 3.1.6.
struct ConformanceCase: CustomTestStringConvertible, Sendable {
    var id: String
    var template: String
    var context: OrderedMapping
    var options: EnvironmentOptions
    var files: [String: String]
    var expected: String?
    var jinjaError: String?

    var testDescription: String { id }

    static func load() throws -> [ConformanceCase] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Conformance/cases.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        guard case .list(let items) = try OrderedJSON.parse(text) else { return [] }
        return items.compactMap { item in
            guard case .dict(let c) = item, case .string(let id)? = c["id"], case .string(let template)? = c["template"] else {
                return nil
            }
            var options = EnvironmentOptions()
            if case .dict(let o)? = c["options"] {
                if case .bool(let b)? = o["trim_blocks"] { options.trimBlocks = b }
                if case .bool(let b)? = o["lstrip_blocks"] { options.lstripBlocks = b }
                if case .bool(let b)? = o["keep_trailing_newline"] { options.keepTrailingNewline = b }
                if case .string(let u)? = o["undefined"], let behavior = UndefinedBehavior(rawValue: u) {
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
            if case .dict(let f)? = c["files"] {
                for (k, v) in f.pairs { if case .string(let s) = v { files[k] = s } }
            }
            var context = OrderedMapping()
            if case .dict(let ctx)? = c["context"] { context = ctx }
            var expected: String? = nil
            if case .string(let e)? = c["expected"] { expected = e }
            var error: String? = nil
            if case .string(let e)? = c["error"] { error = e }
            return ConformanceCase(id: id, template: template, context: context, options: options, files: files,
                                   expected: expected, jinjaError: error)
        }
    }
}

private let allCases: [ConformanceCase] = (try? ConformanceCase.load()) ?? []

@Test func conformanceSuiteIsPresent() {
    #expect(allCases.count >= 400)
    #expect(allCases.contains { $0.jinjaError != nil })
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
