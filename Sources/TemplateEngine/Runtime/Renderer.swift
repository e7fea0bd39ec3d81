// Walks the node tree and writes output. One Renderer per render call.

final class Renderer {
    let environment: TemplateEnvironment
    var context: OrderedMapping
    let limits: RenderLimits
    /// `UndefinedBehavior.lenient`: a missing name, attribute or key is `Value.undefined`.
    let lenient: Bool
    var frames: [[String: Value]] = [[:]]
    /// Context variables an in-place method changed (see MethodsInPlace.swift); their values are in frames[0].
    var mutatedNames: Set<String> = []
    /// Includes, imported modules and imported macros being rendered: their changes to the top
    /// level are discarded when they end, so in-place methods are refused inside them.
    var detachedScopes = 0
    var source: SourceText
    /// Nesting heights of values `set` kept (see `ValueNesting`).
    var nesting = NestingMemo()
    var steps = 0
    /// This render's share of the environment's budget (see `RenderBudget`).
    let meter: RenderMeter
    var depth = 0
    var includeSites: [String] = []
    var includeCache: [String: Template] = [:]
    /// Template inheritance of the template tree being rendered (see RendererComposition.swift).
    var blocks: [String: [BlockEntry]] = [:]
    var blockStack: [BlockFrame] = []
    var extendsTarget: Template? = nil
    /// Frames below this index belong to the template tree being rendered (blocks see them).
    var treeBase = 0
    /// Set after `{% extends %}`: the rest of the child's top level prints nothing.
    var suppressOutput = false
    /// The module an `{% import %}` is rendering, nil otherwise.
    var currentModule: ModuleScope? = nil
    var recursiveLoops: [RecursiveLoopFrame] = []
    /// Names a `{% from %}` asked for but the template does not export, with the message to give.
    var missingImports: [String: String] = [:]

    init(environment: TemplateEnvironment, context: OrderedMapping) {
        self.environment = environment
        self.context = context
        self.limits = environment.options.limits
        self.lenient = environment.options.undefined == .lenient
        self.meter = RenderMeter(budget: environment.budget, maxString: limits.maxOutputBytes)
        self.source = SourceText(name: "", bytes: [])
    }

    func render(_ template: Template, into out: inout String) throws {
        try renderTemplateTree(template, &out)
    }

    // MARK: variables

    func lookup(_ name: String) -> Value? {
        var i = frames.count - 1
        while i >= 0 {
            if let v = frames[i][name] { return v }
            i -= 1
        }
        if let v = context[name] { return v }
        if let v = environment.globals[name] { return v }
        return Builtins.global(name, limits: limits)
    }

    /// Whether an in-place method may change `name` where it is defined: a name of the context or
    /// one the template binds at its top level. A loop variable, a macro argument or a name set
    /// inside a loop or macro may share its object with a list or mapping elsewhere (Jinja2 would
    /// change that one too), so such a call stays refused by name (`Methods.unsupported`) instead
    /// of changing a copy only.
    func bindsOnlyOneName(_ name: String) -> Bool {
        detachedScopes == 0 && frames.indices.dropFirst().allSatisfy { frames[$0][name] == nil }
    }

    /// Gives `name` a changed value in the frame that defines it (the template's first frame for
    /// a name of the context or the globals, which it then shadows), after the nesting check every
    /// kept value passes.
    func rebind(_ name: String, _ value: Value, at offset: Int) throws {
        try checkNesting(value, at: offset)
        var i = frames.count - 1
        while i > 0, frames[i][name] == nil { i -= 1 }
        frames[i][name] = value
        // A name of the context changed in place: `renderChangingContext` reports it.
        if i == 0 { mutatedNames.insert(name) }
    }

    /// Refuses a value nested deeper than `ValueNesting.limit` before it is kept: only `set` and
    /// in-place methods keep a value beyond its expression (a namespace carries it from one loop
    /// iteration to the next), so only there can nesting grow without bound, and tearing down a
    /// deeper one recurses once per level.
    func checkNesting(_ value: Value, at offset: Int) throws {
        guard value.isContainer else { return }
        let height = ValueNesting.height(value, cap: ValueNesting.limit, known: &nesting)
        nesting.keep(value, height: height)
        if height > ValueNesting.limit { throw source.error(ValueNesting.message, at: offset, kind: .limit) }
    }

    func assign(_ target: Target, _ value: Value, at offset: Int) throws {
        switch target {
        case .name(let n):
            frames[frames.count - 1][n] = value
        case .tuple(let targets):
            let items = try unpack(value, count: targets.count, at: offset)
            for (t, v) in zip(targets, items) { try assign(t, v, at: offset) }
        case .attribute(let name, let attr):
            var i = frames.count - 1
            while i >= 0 {
                if case .dict(var map)? = frames[i][name] {
                    map[attr] = value
                    frames[i][name] = .dict(map)
                    return
                }
                i -= 1
            }
            if case .dict(var map)? = context[name] {
                map[attr] = value
                frames[0][name] = .dict(map)
                return
            }
            throw source.error("cannot assign attribute on '\(name)': it is not a namespace", at: offset, kind: .type)
        }
    }

    func unpack(_ value: Value, count: Int, at offset: Int) throws -> [Value] {
        let items: [Value]
        do { items = try iterate(value) } catch let e as EvalError {
            throw source.error("cannot unpack non-iterable \(value.typeName) object (\(e.message))", at: offset, kind: .type)
        }
        if items.count < count {
            throw source.error("not enough values to unpack (expected \(count), got \(items.count))", at: offset, kind: .value)
        }
        if items.count > count {
            throw source.error("too many values to unpack (expected \(count))", at: offset, kind: .value)
        }
        return items
    }

    func step(at offset: Int) throws {
        steps += 1
        if steps > limits.maxSteps {
            throw source.error("template exceeded \(limits.maxSteps) steps", at: offset, kind: .limit)
        }
    }

    // MARK: nodes

    func renderNodes(_ nodes: [Node], _ out: inout String) throws {
        for node in nodes {
            if suppressOutput {
                switch node {
                // As in Jinja2, includes and call blocks still print.
                case .text, .output, .block, .filterBlock, .now: continue
                default: break
                }
            }
            switch node {
            case .text(let s):
                out += s
            case .output(let e, let offset):
                let v = try eval(e)
                switch v {
                case .string(let s), .markup(let s): out += s
                case .int(let i): out += String(i)
                case .undefined: break
                case .callable(let f) where f.pathText != nil: out += f.pathText ?? ""
                default: try positioned(offset) { try v.appendRepr(to: &out, limit: limits.maxOutputBytes) }
                }
                if out.utf8.count > limits.maxOutputBytes {
                    throw source.error("output exceeds \(limits.maxOutputBytes) bytes", at: offset, kind: .limit)
                }
            case .ifBlock(let branches, let elseBody):
                var done = false
                for (cond, body) in branches where try eval(cond).isTruthy {
                    try renderNodes(body, &out)
                    done = true
                    break
                }
                if !done, let elseBody { try renderNodes(elseBody, &out) }
            case .forLoop(let loop):
                try renderFor(loop, &out)
            case .set(let target, let e, let tagOffset):
                // Literals carry no offset of their own: errors about `[...]` point at the tag.
                let at = e.offset > 0 ? e.offset : tagOffset
                let value = try eval(e)
                try checkNesting(value, at: at)
                try assign(target, value, at: at)
            case .setBlock(let target, let body, let filter, let offset):
                var text = ""
                let suppressed = suppressOutput
                suppressOutput = false
                defer { suppressOutput = suppressed }
                try renderNodes(body, &text)
                var value = Value.string(text)
                if let filter { value = try applyFilter(filter, value, [], [], at: offset) }
                try assign(target, value, at: offset)
            case .include(let e, let ignoreMissing, let withContext, let offset):
                try renderInclude(e, ignoreMissing: ignoreMissing, withContext: withContext, at: offset, &out)
            case .macro(let m):
                var closure: [String: Value] = [:]
                for frame in frames.dropFirst() { closure.merge(frame) { _, new in new } }
                let def = MacroDefinition(name: m.name, parameters: m.parameters, body: m.body,
                                          closure: closure, templateName: source.name, source: source,
                                          module: currentModule, special: m.special)
                frames[frames.count - 1][m.name] = .callable(NativeFunction(macro: def))
            case .filterBlock(let name, let args, let kwargs, let body, let offset):
                var text = ""
                try renderNodes(body, &text)
                let a = try args.map { try eval($0) }
                let k = try kwargs.map { ($0.0, try eval($0.1)) }
                let v = try applyFilter(name, .string(text), a, k, at: offset)
                out += try positioned(offset) { try v.text() }
            case .importModule(let e, let alias, let withContext, let offset):
                let module = try importModule(e, withContext: withContext, at: offset)
                frames[frames.count - 1][alias] = .dict(module.exports)
                missingImports[alias] = nil
            case .fromImport(let e, let names, let withContext, let offset):
                let module = try importModule(e, withContext: withContext, at: offset)
                for (name, alias) in names {
                    frames[frames.count - 1][alias] = module.exports[name]
                    missingImports[alias] = module.exports[name] != nil ? nil
                        : "the template '\(module.name)' (imported on line \(source.location(of: offset).line)) does not export the requested name '\(name)'"
                }
            case .extends(let e, let offset):
                try extendTemplate(e, at: offset)
            case .block(let b):
                try renderBlock(b, &out)
            case .callBlock(let cb):
                try renderCallBlock(cb, &out)
            case .with(let assignments, let body, let offset):
                let values = try assignments.map { try eval($0.1) }
                frames.append([:])
                defer { frames.removeLast() }
                for ((target, _), value) in zip(assignments, values) { try assign(target, value, at: offset) }
                try renderNodes(body, &out)
            case .now(let zone, let shift, let format, let offset):
                out += try renderNow(zone, shift: shift, format: format, at: offset)
                if out.utf8.count > limits.maxOutputBytes {
                    throw source.error("output exceeds \(limits.maxOutputBytes) bytes", at: offset, kind: .limit)
                }
            }
        }
    }

    func renderFor(_ loop: ForLoop, _ out: inout String) throws {
        let iterable = try eval(loop.iterable)
        try renderLoopItems(loop, iterable, depth: 1, &out)
    }

    /// One level of a loop; recursive loops come back here through `loop(children)`.
    func renderLoopItems(_ loop: ForLoop, _ iterable: Value, depth loopDepth: Int, _ out: inout String) throws {
        var items: [Value]
        do { items = try iterate(iterable) } catch let e as EvalError {
            throw source.error(e.message, at: loop.iterable.offset == 0 ? loop.offset : loop.iterable.offset, kind: e.kind)
        }
        frames.append([:])
        defer { frames.removeLast() }
        if let condition = loop.condition {
            var kept: [Value] = []
            for item in items {
                try assign(loop.target, item, at: loop.offset)
                if try eval(condition).isTruthy { kept.append(item) }
            }
            items = kept
            frames[frames.count - 1] = [:]
        }
        if items.isEmpty {
            if let elseBody = loop.elseBody { try renderNodes(elseBody, &out) }
            return
        }
        var recursiveID: Int? = nil
        if loop.recursive {
            recursiveLoops.append(RecursiveLoopFrame(loop: loop, depth: loopDepth))
            recursiveID = recursiveLoops.count - 1
        }
        defer { if loop.recursive { recursiveLoops.removeLast() } }
        let count = items.count
        let changed = ChangedState()
        for (i, item) in items.enumerated() {
            try step(at: loop.offset)
            // Assignments inside the body last one iteration, as in Jinja2.
            frames[frames.count - 1].removeAll(keepingCapacity: true)
            try assign(loop.target, item, at: loop.offset)
            if loop.usesLoop {
                frames[frames.count - 1]["loop"] = loopValue(index: i, items: items, count: count, depth: loopDepth,
                                                             changed: changed, recursiveID: recursiveID)
            }
            try renderNodes(loop.body, &out)
            // A body of plain text has no output node to check the size after.
            if out.utf8.count > limits.maxOutputBytes {
                throw source.error("output exceeds \(limits.maxOutputBytes) bytes", at: loop.offset, kind: .limit)
            }
        }
    }

    func loopValue(index i: Int, items: [Value], count: Int, depth: Int, changed: ChangedState,
                   recursiveID: Int?) -> Value {
        let cycle = NativeFunction(builtin: "cycle") { args, _ in
            guard !args.isEmpty else { throw EvalError("no items for cycling given") }
            return args[i % args.count]
        }
        let changedFunction = NativeFunction(builtin: "changed") { args, _ in .bool(try changed.update(args)) }
        var map = OrderedMapping([
            ("index", .int(i + 1)), ("index0", .int(i)),
            ("revindex", .int(count - i)), ("revindex0", .int(count - i - 1)),
            ("first", .bool(i == 0)), ("last", .bool(i == count - 1)),
            ("length", .int(count)), ("depth", .int(depth)), ("depth0", .int(depth - 1)),
            ("cycle", .callable(cycle)), ("changed", .callable(changedFunction)),
        ])
        // Absent on the first/last iteration: undefined, as in Jinja2.
        if i > 0 { map["previtem"] = items[i - 1] }
        if i + 1 < count { map["nextitem"] = items[i + 1] }
        if let recursiveID { map[RecursiveLoopFrame.key] = .int(recursiveID) }
        return .dict(map)
    }

    func renderInclude(_ e: Expr, ignoreMissing: Bool, withContext: Bool = true, at offset: Int, _ out: inout String) throws {
        guard let template = try loadTemplate(e, verb: "include", ignoreMissing: ignoreMissing, at: offset) else { return }
        guard depth < limits.maxDepth else {
            throw source.error("include nesting deeper than \(limits.maxDepth)", at: offset, kind: .limit)
        }
        let saved = (source, frames, context)
        depth += 1
        detachedScopes += 1
        if withContext {
            frames.append([:])
        } else {
            // `without context`: only the environment's globals, as in Jinja2.
            frames = [[:]]
            context = OrderedMapping()
        }
        defer { (source, frames, context) = saved; depth -= 1; detachedScopes -= 1 }
        try withSite(offset) { try renderTemplateTree(template, &out) }
    }

    /// Finds and compiles the template `e` names (a name or a list of names to try in order).
    /// nil only when `ignoreMissing` and none exists.
    func loadTemplate(_ e: Expr, verb: String, ignoreMissing: Bool = false, at offset: Int) throws -> Template? {
        let nameValue = try eval(e)
        let candidates: [Value]
        if case .list(let l) = nameValue { candidates = l } else { candidates = [nameValue] }
        guard let loader = environment.loader else {
            throw source.error("cannot \(verb): no template loader is configured", at: offset, kind: .include)
        }
        var tried: [String] = []
        for candidate in candidates {
            guard case .string(let name) = candidate.unmarked else {
                throw source.error("\(verb) expects a template name string, got \(candidate.typeName)", at: offset, kind: .type)
            }
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            if name.hasPrefix("/") || name.contains("\\") || parts.contains("..") || name.isEmpty {
                throw source.error("\(verb) '\(name)' is outside the template root", at: offset, kind: .include)
            }
            tried.append(name)
            if let cached = includeCache[name] { return cached }
            let text: String?
            do { text = try loader.source(named: name) } catch {
                throw source.error("cannot \(verb) '\(name)': \(error)", at: offset, kind: .include)
            }
            if let text {
                let t = try withSite(offset) { try environment.compile(text, name: name) }
                includeCache[name] = t
                return t
            }
        }
        if ignoreMissing { return nil }
        throw source.error("template '\(tried.joined(separator: "', '"))' not found", at: offset, kind: .include)
    }

    /// Adds this include site to errors raised by `body`.
    func withSite<T>(_ offset: Int, _ body: () throws -> T) throws -> T {
        let site = source.location(of: offset)
        let siteText = "\(source.name):\(site.line):\(site.column)"
        do { return try body() } catch var e as TemplateError {
            e.includeChain.append(siteText)
            throw e
        }
    }
}
