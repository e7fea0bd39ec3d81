// Public entry points: options, loader, environment, compiled template.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tag delimiters (copier `_envops` can change them).
public struct Delimiters: Sendable, Equatable {
    public var blockStart: String
    public var blockEnd: String
    public var variableStart: String
    public var variableEnd: String
    public var commentStart: String
    public var commentEnd: String

    public init(blockStart: String = "{%", blockEnd: String = "%}",
                variableStart: String = "{{", variableEnd: String = "}}",
                commentStart: String = "{#", commentEnd: String = "#}") {
        self.blockStart = blockStart
        self.blockEnd = blockEnd
        self.variableStart = variableStart
        self.variableEnd = variableEnd
        self.commentStart = commentStart
        self.commentEnd = commentEnd
    }
}

/// What a name, attribute or key that nothing defines evaluates to.
public enum UndefinedBehavior: String, Sendable, Equatable, CaseIterable {
    /// Jinja2's `StrictUndefined`: any use of it is an error (only `defined`-style tests and
    /// `default` look at it).
    case strict
    /// Jinja2's default `Undefined`: it prints empty, is false, iterates as empty and equals only
    /// another undefined value; its attributes, calls, arithmetic and ordering are errors.
    case lenient
}

/// Jinja2 environment options that change output.
public struct EnvironmentOptions: Sendable, Equatable {
    public var trimBlocks: Bool
    public var lstripBlocks: Bool
    public var keepTrailingNewline: Bool
    public var delimiters: Delimiters
    public var undefined: UndefinedBehavior
    /// Guards against hostile templates.
    public var limits: RenderLimits
    /// `{% now zone + 'days=1' %}` shifts the time as cookiecutter's own TimeExtension does
    /// (arrow's `shift()`); otherwise the offset fails as it does in jinja2-time 0.2.0 with arrow 1.x.
    public var nowShiftsLikeArrow = false
    /// Whether `{% now %}` (jinja2-time's TimeExtension) is a tag: cookiecutter always loads that
    /// extension; copier only when `_jinja_extensions` names it (otherwise "unknown tag 'now'").
    public var nowTag = true

    public init(trimBlocks: Bool = false, lstripBlocks: Bool = false, keepTrailingNewline: Bool = true,
                delimiters: Delimiters = Delimiters(), undefined: UndefinedBehavior = .strict,
                limits: RenderLimits = RenderLimits()) {
        self.trimBlocks = trimBlocks
        self.lstripBlocks = lstripBlocks
        self.keepTrailingNewline = keepTrailingNewline
        self.delimiters = delimiters
        self.undefined = undefined
        self.limits = limits
    }
}

/// Upper bounds one render may reach before it stops with an error.
public struct RenderLimits: Sendable, Equatable {
    /// Nested macro calls and includes.
    public var maxDepth: Int
    /// Length of a `range()` or a repeated list.
    public var maxRange: Int
    /// Bytes of one string value and of the whole output.
    public var maxOutputBytes: Int
    /// Loop iterations and macro calls in one render.
    public var maxSteps: Int
    /// Bytes of all strings that filters, function calls and serialisation build, and of all
    /// output, in the renders of one environment together (a `map` over a long list of large
    /// strings, or many question defaults that each stay under `maxOutputBytes`, would otherwise
    /// exhaust memory one item at a time). See `RenderBudget`.
    public var maxBuiltBytes: Int
    /// List and dict items visited by walks over values (printing, comparing, sorting,
    /// serialising) in the renders of one environment together: a value that holds another
    /// twice, forty times over, has 2^40 items when walked.
    public var maxVisits: Int

    public init(maxDepth: Int = 100, maxRange: Int = 1_000_000, maxOutputBytes: Int = 64 << 20,
                maxSteps: Int = 2_000_000, maxBuiltBytes: Int = 512 << 20, maxVisits: Int = 10_000_000) {
        self.maxDepth = maxDepth
        self.maxRange = maxRange
        self.maxOutputBytes = maxOutputBytes
        self.maxSteps = maxSteps
        self.maxBuiltBytes = maxBuiltBytes
        self.maxVisits = maxVisits
    }
}

/// Where `{% include %}` finds templates.
public protocol TemplateLoader: Sendable {
    /// Source of an included template; `name` is relative to the template root.
    /// Return nil when absent. Must refuse names escaping the root (the engine also checks `..`/absolute).
    func source(named name: String) throws -> String?
}

/// A loader over an in-memory dictionary of templates (tests, embedded templates).
public struct DictionaryLoader: TemplateLoader {
    public var templates: [String: String]
    public init(_ templates: [String: String]) { self.templates = templates }
    public func source(named name: String) throws -> String? { templates[name] }
}

/// Options, loader and globals shared by the templates compiled with it.
public struct TemplateEnvironment: Sendable {
    public var options: EnvironmentOptions
    public var loader: (any TemplateLoader)?
    public var globals: OrderedMapping
    /// The time `{% now %}` and the time filters read (tests pass a `FixedClock`).
    public var clock: any TemplateClock
    /// Filters the host adds (a template's Python extensions, say): called with the value first,
    /// then the filter's arguments. They take precedence over built-in filters of the same name.
    public var filters: [String: NativeFunction] = [:]
    /// Tests the host adds, called with the tested value first; their result's truth is the test's.
    public var tests: [String: NativeFunction] = [:]
    /// What every render with this environment (and its copies) spends together; made from
    /// `options.limits` here. Give several environments one budget to bound them together.
    public var budget: RenderBudget

    public init(options: EnvironmentOptions = .init(), loader: (any TemplateLoader)? = nil,
                globals: OrderedMapping = .init(), clock: any TemplateClock = SystemClock(),
                budget: RenderBudget? = nil) {
        self.options = options
        self.loader = loader
        self.globals = globals
        self.clock = clock
        self.budget = budget ?? RenderBudget(maxBytes: options.limits.maxBuiltBytes, maxVisits: options.limits.maxVisits)
    }

    /// Parses `source`; `name` appears in error messages. Throws `TemplateError`.
    public func compile(_ source: String, name: String) throws -> Template {
        let text = SourceText(name: name, bytes: normalizeNewlines(source, keepTrailing: options.keepTrailingNewline))
        var lexer = Lexer(source: text, options: options)
        let tokens = try lexer.tokenize()
        var parser = Parser(tokens: tokens, source: text)
        parser.hostFilters = Set(filters.keys)
        parser.hostTests = Set(tests.keys)
        parser.nowTag = options.nowTag
        let nodes = try parser.parseTemplate()
        return Template(nodes: nodes, source: text, environment: self)
    }

    /// Compiles and renders in one step.
    public func render(_ source: String, name: String, context: OrderedMapping) throws -> String {
        try compile(source, name: name).render(context)
    }
}

/// A parsed template: compile once, render many times, from any thread.
public struct Template: Sendable {
    let nodes: [Node]
    let source: SourceText
    let environment: TemplateEnvironment

    public var name: String { source.name }

    /// Renders with `context` as the top-level variables. Throws `TemplateError`.
    public func render(_ context: OrderedMapping) throws -> String {
        try renderChangingContext(context).output
    }

    /// Renders like `render`, and also returns the context variables the template changed in
    /// place (`{{ cookiecutter.update({...}) }}`), with their new values.
    public func renderChangingContext(_ context: OrderedMapping) throws -> (output: String, changed: OrderedMapping) {
        let renderer = Renderer(environment: environment, context: context)
        defer { renderer.meter.close() }
        var out = ""
        out.reserveCapacity(source.bytes.count + source.bytes.count / 4)
        try renderer.meter.install {
            do { try renderer.render(self, into: &out) } catch let e as EvalError {
                // Every walk's error is located where the template uses it; this is a safety net.
                throw source.error(e, at: 0)
            }
            // The output is kept (an answer, a file's contents) as long as the generation runs.
            do { try renderer.meter.spend(bytes: out.utf8.count) } catch let e as EvalError {
                throw source.error(e.message, at: max(0, source.bytes.count - 1), kind: e.kind)
            }
        }
        var changed = OrderedMapping()
        for name in context.keys where renderer.mutatedNames.contains(name) {
            if let value = renderer.frames.first?[name] { changed[name] = value }
        }
        return (out, changed)
    }
}

/// `\r\n` and `\r` become `\n`; without keepTrailing one final newline is dropped.
func normalizeNewlines(_ source: String, keepTrailing: Bool) -> [UInt8] {
    var bytes = Array(source.utf8)
    let hasCR = bytes.withUnsafeBufferPointer { buf in
        guard let base = buf.baseAddress else { return false }
        return memchr(base, 13, buf.count) != nil
    }
    if hasCR {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 13 {
                out.append(10)
                if i + 1 < bytes.count && bytes[i + 1] == 10 { i += 1 }
            } else {
                out.append(b)
            }
            i += 1
        }
        bytes = out
    }
    if !keepTrailing && bytes.last == 10 { bytes.removeLast() }
    return bytes
}
