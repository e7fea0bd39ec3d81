// Expression evaluation: strict undefined, or Jinja2's lenient `Undefined` when the environment asks.

extension Renderer {
    func positioned<T>(_ offset: Int, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as EvalError {
            throw source.error(e, at: offset)
        }
    }

    func undefinedError(_ message: String, at offset: Int) -> TemplateError {
        source.error(message, at: offset, kind: .undefined)
    }

    /// Evaluates, reporting an undefined result as nil instead of an error (for `defined`, `default`).
    func evalOptional(_ expr: Expr) throws -> Value? {
        let value: Value?
        switch expr {
        case .name(let n, _):
            value = lookup(n)
        case .attribute(let base, let attr, let offset):
            let b = try defined(try eval(base), at: offset)
            value = try positioned(offset) { try getAttribute(b, attr) }
        case .item(let base, let key, let offset):
            let b = try defined(try eval(base), at: offset)
            let k = try eval(key)
            value = try positioned(offset) { try getItem(b, k) }
        case .conditional(let cond, let yes, let no):
            if try eval(cond).isTruthy { return try evalOptional(yes) }
            guard let no else { return lenient ? nil : .string("") }
            return try evalOptional(no)
        default:
            value = try eval(expr)
        }
        if case .undefined? = value { return nil }
        return value
    }

    /// A missing value: an error in strict mode, `Value.undefined` in lenient mode.
    func missing(_ message: String, at offset: Int) throws -> Value {
        if lenient { return .undefined(message: message) }
        throw undefinedError(message, at: offset)
    }

    /// `value` itself, or the error a lenient undefined value gives when it is used (its attributes,
    /// items, calls, arithmetic and ordering).
    func defined(_ value: Value, at offset: Int) throws -> Value {
        if case .undefined(let message) = value { throw undefinedError(message, at: offset) }
        return value
    }

    func eval(_ expr: Expr) throws -> Value {
        switch expr {
        case .literal(let v):
            return v
        case .name(let n, let offset):
            if let v = lookup(n) { return v }
            if let message = missingImports[n] { throw undefinedError(message, at: offset) }
            return try missing("'\(n)' is undefined", at: offset)
        case .list(let items), .tuple(let items):
            return .list(try items.map { try eval($0) })
        case .dict(let pairs):
            var map = OrderedMapping()
            for (k, v) in pairs {
                let key = try eval(k)
                if case .markup = key {
                    // The engine's mappings have plain string keys; Python's would print Markup('…').
                    throw source.error("a markup-safe string (Markup) as a dictionary key is not supported; apply `|string` first", at: k.offset, kind: .type)
                }
                guard case .string(let s) = key else {
                    throw source.error("dictionary keys must be strings, got \(key.typeName)", at: k.offset, kind: .type)
                }
                map[s] = try eval(v)
            }
            return .dict(map)
        case .attribute(let base, let attr, let offset):
            let b = try defined(try eval(base), at: offset)
            if let v = try positioned(offset, { try getAttribute(b, attr) }) { return v }
            return try missing("'\(describeObject(b))' has no attribute '\(attr)'", at: offset)
        case .item(let base, let key, let offset):
            let b = try defined(try eval(base), at: offset)
            let k = try eval(key)
            if let v = try positioned(offset, { try getItem(b, k) }) { return v }
            if case .string(let s) = k.unmarked {
                return try missing("'\(describeObject(b))' has no attribute '\(s)'", at: offset)
            }
            return try missing("'\(describeObject(b))' has no element \(try positioned(offset) { try k.reprText() })", at: offset)
        case .slice(let base, let lo, let hi, let stepExpr, let offset):
            let b = try eval(base)
            let l = try lo.map { try eval($0) }
            let h = try hi.map { try eval($0) }
            let s = try stepExpr.map { try eval($0) }
            return try positioned(offset) { try sliceValue(b, l, h, s) }
        case .call(let callee, let args, let kwargs, let offset):
            if case .name("super", _) = callee, args.isEmpty, kwargs.isEmpty, lookup("super") == nil, !blockStack.isEmpty {
                return try callSuper(at: offset)
            }
            if case .attribute(.name("self", _), let blockName, _) = callee, args.isEmpty, kwargs.isEmpty,
               lookup("self") == nil, let chain = blocks[blockName] {
                // `self.name()`: the block as the template tree renders it.
                var text = ""
                try renderBlockLevel(BlockFrame(name: blockName, chain: chain, level: 0, scoped: false), &text)
                return .string(text)
            }
            if let result = try callInPlace(callee, args, kwargs, at: offset) { return result }
            let f = try defined(try eval(callee), at: offset)
            let a = try args.map { try eval($0) }
            let k = try kwargs.map { ($0.0, try eval($0.1)) }
            if case .dict(let map) = f, case .int(let id)? = map[RecursiveLoopFrame.key] {
                guard k.isEmpty else { throw source.error("loop() takes no keyword arguments", at: offset, kind: .type) }
                return try callRecursiveLoop(id, a, at: offset)
            }
            return try call(f, a, k, at: offset)
        case .filter(let base, let name, let args, let kwargs, let offset):
            var b: Value?
            if name == "default" || name == "d" { b = try evalOptional(base) } else if name == "mandatory" {
                b = try evalOptional(base)
                if b == nil {
                    let message = try args.first.map { v in try positioned(offset) { try eval(v).text() } }
                        ?? "Mandatory variable \(undefinedName(base).map { "\"\($0)\"  " } ?? "")not defined."
                    throw source.error(message, at: offset, kind: .undefined)
                }
            } else { b = try eval(base) }
            let a = try args.map { try eval($0) }
            let k = try kwargs.map { ($0.0, try eval($0.1)) }
            if case .undefined(let message)? = b {
                guard Builtins.filtersAcceptingUndefined.contains(name) else { throw undefinedError(message, at: offset) }
                if Builtins.filtersKeepingUndefined.contains(name) { return .undefined(message: message) }
                if Builtins.filtersIteratingUndefined.contains(name) { b = .list([]) }
            }
            guard let b else {
                return a.first ?? .string("")
            }
            return try applyFilter(name, b, a, k, at: offset)
        case .test(let base, let name, let args, let negated, let offset):
            let b: Value?
            if Builtins.testsAcceptingUndefined.contains(name) { b = try evalOptional(base) } else {
                let v = try eval(base)
                if case .undefined = v { b = nil } else { b = v }
            }
            let a = try args.map { try eval($0) }
            let r = try positioned(offset) { try applyTest(name, b, a) }
            return .bool(r != negated)
        case .unary(let op, let operand, let offset):
            let v = try eval(operand)
            switch op {
            case .not: return .bool(!v.isTruthy)
            case .neg, .pos: return try positioned(offset) { try Operators.unary(op, try defined(v, at: offset)) }
            }
        case .binary(let op, let l, let r, let offset):
            let a = try defined(try eval(l), at: offset)
            let b = try defined(try eval(r), at: offset)
            return try positioned(offset) {
                let result = try Operators.binary(op, a, b, limits: limits)
                // `*` of a string is charged before it is built (Operators.repeatString).
                if op == .mul, case .string = result.unmarked { return result }
                return try accountLarge(result, always: op == .mul)
            }
        case .compare(let first, let rest, let offset):
            var left = try eval(first)
            for (op, e) in rest {
                let right = try eval(e)
                switch op {
                case .eq, .ne: break
                case .in, .notIn:
                    // An undefined container iterates as empty.
                    if case .undefined = right {
                        guard op == .notIn else { return .bool(false) }
                        left = right
                        continue
                    }
                case .lt, .le, .gt, .ge:
                    _ = try defined(left, at: offset)
                    _ = try defined(right, at: offset)
                }
                guard try positioned(offset, { try Operators.compare(op, left, right) }) else { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .and(let l, let r):
            let a = try eval(l)
            return a.isTruthy ? try eval(r) : a
        case .or(let l, let r):
            let a = try eval(l)
            return a.isTruthy ? a : try eval(r)
        case .conditional(let cond, let yes, let no):
            if try eval(cond).isTruthy { return try eval(yes) }
            guard let no else { return .string("") }
            return try eval(no)
        case .concat(let items, let offset):
            var s = ""
            for item in items {
                let v = try eval(item)
                try positioned(offset) { try v.appendText(to: &s, limit: limits.maxOutputBytes) }
                if s.utf8.count > limits.maxOutputBytes {
                    throw source.error("string exceeds \(limits.maxOutputBytes) bytes", at: offset, kind: .limit)
                }
            }
            return try positioned(offset) { try accountLarge(.string(s), always: false) }
        }
    }

    /// The name Jinja2 gives an undefined value: the variable, attribute or key that was missing.
    func undefinedName(_ e: Expr) -> String? {
        switch e {
        case .name(let n, _), .attribute(_, let n, _): return n
        case .item(_, .literal(.string(let k)), _): return k
        default: return nil
        }
    }

    func describeObject(_ v: Value) -> String {
        switch v {
        case .dict: return "dict object"
        case .list: return "list object"
        case .string: return "str object"
        case .markup: return "markupsafe.Markup object"
        case .int: return "int object"
        case .float: return "float object"
        case .none: return "None"
        case .bool: return "bool object"
        case .callable: return "function object"
        case .undefined: return "Undefined"
        }
    }

    func call(_ f: Value, _ args: [Value], _ kwargs: [(String, Value)], at offset: Int) throws -> Value {
        guard case .callable(let fn) = f else {
            throw source.error("'\(f.typeName)' object is not callable", at: offset, kind: .type)
        }
        if let macro = fn.macro { return try callMacro(macro, args, kwargs, at: offset) }
        do {
            if fn.fromHost { try checkHandable(args, kwargs) }
            return try account(try fn.body(args, kwargs))
        } catch let e as EvalError {
            throw source.error(e, at: offset)
        } catch let e as TemplateError where !e.file.isEmpty {
            throw e
        } catch let e as TemplateError {
            throw source.error("\(fn.name)(): \(e.message)", at: offset, kind: e.kind)
        } catch {
            // Host functions may throw anything; report it at the call.
            throw source.error("\(fn.name)(): \(error)", at: offset, kind: .value)
        }
    }

    func callMacro(_ m: MacroDefinition, _ args: [Value], _ kwargs: [(String, Value)], at offset: Int) throws -> Value {
        guard args.count <= m.parameters.count || m.special.contains(.varargs) else {
            throw source.error("macro '\(m.name)' takes not more than \(m.parameters.count) argument(s)", at: offset, kind: .type)
        }
        guard depth < limits.maxDepth else {
            throw source.error("macro calls nested deeper than \(limits.maxDepth)", at: offset, kind: .limit)
        }
        try step(at: offset)
        var frame = m.closure
        var provided = Set<String>()
        for (i, a) in args.prefix(m.parameters.count).enumerated() {
            frame[m.parameters[i].name] = a
            provided.insert(m.parameters[i].name)
        }
        if m.special.contains(.varargs) { frame["varargs"] = .list(Array(args.dropFirst(m.parameters.count))) }
        var extra = OrderedMapping()
        for (k, v) in kwargs {
            let isParameter = m.parameters.contains(where: { $0.name == k })
            if k == "caller" && !isParameter && m.special.contains(.caller) {
                frame[k] = v
                continue
            }
            if !isParameter && m.special.contains(.kwargs) {
                extra[k] = v
                continue
            }
            if k == "caller" && !isParameter {
                throw source.error("macro '\(m.name)' does not use caller(): it cannot be called with a {% call %} block or a caller argument",
                                   at: offset, kind: .type)
            }
            guard isParameter else {
                throw source.error("macro '\(m.name)' takes no keyword argument '\(k)'", at: offset, kind: .type)
            }
            guard !provided.contains(k) else {
                throw source.error("macro '\(m.name)' got multiple values for argument '\(k)'", at: offset, kind: .type)
            }
            frame[k] = v
            provided.insert(k)
        }
        if m.special.contains(.kwargs) { frame["kwargs"] = .dict(extra) }
        let savedFrames = frames, savedSource = source, savedContext = context, savedSuppress = suppressOutput
        // An imported macro sees its module's top level; a caller() body its call site's;
        // the template's own macros the template's top level.
        var topLevel = savedFrames[0]
        var isolated = false
        if let module = m.module, module !== currentModule {
            topLevel = module.vars
            context = module.context
            isolated = true
        } else if let captured = m.captured {
            topLevel = captured.topLevel
            context = captured.context
            isolated = true
        }
        depth += 1
        if isolated { detachedScopes += 1 }
        defer {
            if isolated { detachedScopes -= 1 }
            // Keep `set ns.attr` changes the body made to top-level namespaces.
            var restored = savedFrames
            if !isolated { restored[0] = frames[0] }
            frames = restored
            source = savedSource
            context = savedContext
            suppressOutput = savedSuppress
            depth -= 1
        }
        source = m.source
        suppressOutput = false
        frames = [topLevel, frame]
        for p in m.parameters where !provided.contains(p.name) {
            if let d = p.defaultValue { frames[1][p.name] = try eval(d) }
        }
        frames.append([:])
        var out = ""
        try renderNodes(m.body, &out)
        return .string(out)
    }
}
