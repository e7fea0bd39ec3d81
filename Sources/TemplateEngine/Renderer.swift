// Walks the node tree and writes output. One Renderer per render call.

final class Renderer {
    let environment: TemplateEnvironment
    let context: OrderedMapping
    let limits: RenderLimits
    var frames: [[String: Value]] = [[:]]
    var source: SourceText
    var steps = 0
    /// Bytes of the strings filters and calls have built so far (see `RenderLimits.maxBuiltBytes`).
    var builtBytes = 0
    var depth = 0
    var includeSites: [String] = []
    var includeCache: [String: Template] = [:]

    init(environment: TemplateEnvironment, context: OrderedMapping) {
        self.environment = environment
        self.context = context
        self.limits = environment.options.limits
        self.source = SourceText(name: "", bytes: [])
    }

    func render(_ template: Template, into out: inout String) throws {
        source = template.source
        try renderNodes(template.nodes, &out)
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
            switch node {
            case .text(let s):
                out += s
            case .output(let e, let offset):
                let v = try eval(e)
                switch v {
                case .string(let s): out += s
                case .int(let i): out += String(i)
                default: v.appendRepr(to: &out)
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
            case .set(let target, let e, _):
                try assign(target, try eval(e), at: e.offset)
            case .setBlock(let target, let body, let filter, let offset):
                var text = ""
                try renderNodes(body, &text)
                var value = Value.string(text)
                if let filter { value = try applyFilter(filter, value, [], [], at: offset) }
                try assign(target, value, at: offset)
            case .include(let e, let ignoreMissing, let offset):
                try renderInclude(e, ignoreMissing: ignoreMissing, at: offset, &out)
            case .macro(let m):
                var closure: [String: Value] = [:]
                for frame in frames.dropFirst() { closure.merge(frame) { _, new in new } }
                let def = MacroDefinition(name: m.name, parameters: m.parameters, body: m.body,
                                          closure: closure, templateName: source.name, source: source)
                frames[frames.count - 1][m.name] = .callable(NativeFunction(macro: def))
            case .filterBlock(let name, let args, let kwargs, let body, let offset):
                var text = ""
                try renderNodes(body, &text)
                let a = try args.map { try eval($0) }
                let k = try kwargs.map { ($0.0, try eval($0.1)) }
                let v = try applyFilter(name, .string(text), a, k, at: offset)
                out += v.pythonString
            }
        }
    }

    func renderFor(_ loop: ForLoop, _ out: inout String) throws {
        let iterable = try eval(loop.iterable)
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
        let count = items.count
                for (i, item) in items.enumerated() {
            try step(at: loop.offset)
            // Assignments inside the body last one iteration, as in Jinja2.
            frames[frames.count - 1].removeAll(keepingCapacity: true)
            try assign(loop.target, item, at: loop.offset)
            if loop.usesLoop {
                frames[frames.count - 1]["loop"] = loopValue(index: i, items: items, count: count)
            }
            try renderNodes(loop.body, &out)
        }
    }

    func loopValue(index i: Int, items: [Value], count: Int) -> Value {
        // Depth only grows in recursive loops, which are not supported; nested loops stay at 1.
        let depth = 1
        let cycle = NativeFunction(name: "cycle") { args, _ in
            guard !args.isEmpty else { throw EvalError("no items for cycling given") }
            return args[i % args.count]
        }
        var map = OrderedMapping([
            ("index", .int(i + 1)), ("index0", .int(i)),
            ("revindex", .int(count - i)), ("revindex0", .int(count - i - 1)),
            ("first", .bool(i == 0)), ("last", .bool(i == count - 1)),
            ("length", .int(count)), ("depth", .int(depth)), ("depth0", .int(depth - 1)),
            ("cycle", .callable(cycle)),
        ])
        // Absent on the first/last iteration: undefined, as in Jinja2.
        if i > 0 { map["previtem"] = items[i - 1] }
        if i + 1 < count { map["nextitem"] = items[i + 1] }
        return .dict(map)
    }

    func renderInclude(_ e: Expr, ignoreMissing: Bool, at offset: Int, _ out: inout String) throws {
        let nameValue = try eval(e)
        let candidates: [Value]
        if case .list(let l) = nameValue { candidates = l } else { candidates = [nameValue] }
        guard let loader = environment.loader else {
            throw source.error("cannot include: no template loader is configured", at: offset, kind: .include)
        }
        var found: Template? = nil
        var tried: [String] = []
        for candidate in candidates {
            guard case .string(let name) = candidate else {
                throw source.error("include expects a template name string, got \(candidate.typeName)", at: offset, kind: .type)
            }
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            if name.hasPrefix("/") || name.contains("\\") || parts.contains("..") || name.isEmpty {
                throw source.error("include '\(name)' is outside the template root", at: offset, kind: .include)
            }
            tried.append(name)
            if let cached = includeCache[name] { found = cached; break }
            let text: String?
            do { text = try loader.source(named: name) } catch {
                throw source.error("cannot include '\(name)': \(error)", at: offset, kind: .include)
            }
            if let text {
                let t = try withSite(offset) { try environment.compile(text, name: name) }
                includeCache[name] = t
                found = t
                break
            }
        }
        guard let template = found else {
            if ignoreMissing { return }
            throw source.error("template '\(tried.joined(separator: "', '"))' not found", at: offset, kind: .include)
        }
        guard depth < limits.maxDepth else {
            throw source.error("include nesting deeper than \(limits.maxDepth)", at: offset, kind: .limit)
        }
        let saved = source
        depth += 1
        frames.append([:])
        defer { frames.removeLast(); depth -= 1; source = saved }
        try withSite(offset) {
            source = template.source
            try renderNodes(template.nodes, &out)
        }
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
