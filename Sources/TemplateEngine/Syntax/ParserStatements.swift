// Statements that combine templates (import, from, extends, block, call) and the
// `with` and `now` tags.

extension Parser {
    /// `with context` / `without context` at the end of an import; nil when absent.
    mutating func parseContextModifier() throws -> Bool? {
        guard isName("with") || isName("without") else { return nil }
        let with = advance().text == "with"
        guard skipName("context") else { throw fail("expected 'context', got \(describe(current))") }
        return with
    }

    func isContextModifier() -> Bool {
        guard isName("with") || isName("without"), pos + 1 < tokens.count else { return false }
        let next = tokens[pos + 1]
        return next.kind == .name && next.text == "context"
    }

    mutating func parseImport(_ tag: Token) throws -> Node {
        let template = try parseExpression()
        guard skipName("as") else { throw fail("expected 'as', got \(describe(current))") }
        let alias = try expectName().text
        let withContext = try parseContextModifier() ?? false
        try expectBlockEnd()
        return .importModule(template, alias: alias, withContext: withContext, tag.offset)
    }

    mutating func parseFromImport(_ tag: Token) throws -> Node {
        let template = try parseExpression()
        guard skipName("import") else { throw fail("expected 'import', got \(describe(current))") }
        var names: [(String, String)] = []
        var withContext = false
        while true {
            if isContextModifier() {
                withContext = try parseContextModifier() ?? false
                break
            }
            guard current.kind == .name else { throw fail("expected a name to import, got \(describe(current))") }
            let nameTok = advance()
            if nameTok.text.hasPrefix("_") {
                throw fail("names starting with an underline can not be imported", at: nameTok.offset)
            }
            var alias = nameTok.text
            if skipName("as") { alias = try expectName().text }
            names.append((nameTok.text, alias))
            if !skipOp(",") {
                if isContextModifier() { withContext = try parseContextModifier() ?? false }
                break
            }
        }
        try expectBlockEnd()
        return .fromImport(template, names: names, withContext: withContext, tag.offset)
    }

    mutating func parseExtends(_ tag: Token) throws -> Node {
        let template = try parseExpression()
        try expectBlockEnd()
        return .extends(template, tag.offset)
    }

    mutating func parseBlock(_ tag: Token) throws -> Node {
        let nameTok = try expectName()
        let name = nameTok.text
        guard blockNames.insert(name).inserted else {
            throw fail("block '\(name)' defined twice", at: nameTok.offset)
        }
        var scoped = false, required = false
        while current.kind == .name {
            if skipName("scoped") { scoped = true } else if skipName("required") { required = true } else { break }
        }
        if isOp("-") { throw fail("Use an underscore instead", at: current.offset) }
        try expectBlockEnd()
        let (body, _) = try parseBody(until: ["endblock"], opener: ("block", tag.offset))
        if current.kind == .name {
            let endName = advance()
            if endName.text != name {
                throw fail("mismatching name for block '\(name)': 'endblock \(endName.text)'", at: endName.offset)
            }
        }
        try expectBlockEnd()
        if required, body.contains(where: { if case .text(let t) = $0 { return !t.allSatisfy(\.isWhitespace) }; return true }) {
            throw fail("Required blocks can only contain comments or whitespace", at: tag.offset)
        }
        return .block(BlockNode(name: name, body: body, scoped: scoped, required: required, offset: tag.offset))
    }

    mutating func parseCallBlock(_ tag: Token) throws -> Node {
        var params: [(name: String, defaultValue: Expr?)] = []
        if isOp("(") { params = try parseParameters() }
        let expr = try parseExpression()
        guard case .call(let callee, let args, let kwargs, let offset) = expr else {
            throw fail("expected call", at: expr.offset == 0 ? tag.offset : expr.offset)
        }
        try expectBlockEnd()
        let outer = specialReferences
        specialReferences = []
        let (body, _) = try parseBody(until: ["endcall"], opener: ("call", tag.offset))
        let special = specialReferences
        specialReferences = outer.union(special)
        try expectBlockEnd()
        return .callBlock(CallBlockNode(callee: callee, args: args, kwargs: kwargs, parameters: params, body: body,
                                        offset: offset, special: special))
    }

    mutating func parseWith(_ tag: Token) throws -> Node {
        var assignments: [(Target, Expr)] = []
        while current.kind != .blockEnd {
            if !assignments.isEmpty { try expectOp(",") }
            let target = try parseTarget()
            try expectOp("=")
            assignments.append((target, try parseExpression()))
        }
        try expectBlockEnd()
        let (body, _) = try parseBody(until: ["endwith"], opener: ("with", tag.offset))
        try expectBlockEnd()
        return .with(assignments, body, tag.offset)
    }

    mutating func parseNow(_ tag: Token) throws -> Node {
        let expr = try parseExpression()
        var format: Expr? = nil
        if skipOp(",") { format = try parseExpression() }
        try expectBlockEnd()
        switch expr {
        case .binary(.add, let zone, let shift, _): return .now(zone, shift: ("+", shift), format: format, tag.offset)
        case .binary(.sub, let zone, let shift, _): return .now(zone, shift: ("-", shift), format: format, tag.offset)
        default: return .now(expr, shift: nil, format: format, tag.offset)
        }
    }
}
