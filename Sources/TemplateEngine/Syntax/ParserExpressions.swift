// Expressions, with Jinja2's precedence: or, and, not, comparisons, + -, ~, * / // %, **, unary, postfix, filters.

extension Parser {
    static func compareOp(_ s: String) -> CompareOp? {
        switch s {
        case "==": return .eq
        case "!=": return .ne
        case "<": return .lt
        case "<=": return .le
        case ">": return .gt
        case ">=": return .ge
        default: return nil
        }
    }

    static func mulOp(_ s: String) -> BinaryOp? {
        switch s {
        case "*": return .mul
        case "/": return .div
        case "//": return .floorDiv
        case "%": return .mod
        default: return nil
        }
    }

    /// A comma-separated list without brackets makes a tuple (`{{ a, b }}`, `for x in a, b`).
    mutating func parseTuple(withCondition: Bool = true) throws -> Expr {
        let start = current.offset
        var items: [Expr] = []
        var sawComma = false
        while true {
            if !items.isEmpty {
                guard skipOp(",") else { break }
                sawComma = true
                if current.kind == .blockEnd || current.kind == .variableEnd || isName("if") { break }
            }
            items.append(withCondition ? try parseExpression() : try parseOr())
        }
        guard let first = items.first else { throw fail("expected an expression", at: start) }
        return sawComma ? .tuple(items) : first
    }

    mutating func parseExpression(withCondition: Bool = true) throws -> Expr {
        try enter()
        defer { nesting -= 1 }
        var expr = try parseOr()
        guard withCondition else { return expr }
        while skipName("if") {
            try countOperator()
            let cond = try parseOr()
            var other: Expr? = nil
            if skipName("else") { other = try parseExpression() }
            expr = .conditional(cond, expr, other)
        }
        return expr
    }

    mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while skipName("or") { try countOperator(); left = .or(left, try parseAnd()) }
        return left
    }

    mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while skipName("and") { try countOperator(); left = .and(left, try parseNot()) }
        return left
    }

    mutating func parseNot() throws -> Expr {
        let start = current.offset
        if skipName("not") {
            try enter()
            defer { nesting -= 1 }
            return .unary(.not, try parseNot(), start)
        }
        return try parseCompare()
    }

    mutating func parseCompare() throws -> Expr {
        let start = current.offset
        let left = try parseMath1()
        var ops: [(CompareOp, Expr)] = []
        while true {
            let op: CompareOp
            if current.kind == .op, let o = Parser.compareOp(current.text) {
                op = o; pos += 1
            } else if skipName("in") {
                op = .in
            } else if isName("not") && tokens[pos + 1].kind == .name && tokens[pos + 1].text == "in" {
                pos += 2; op = .notIn
            } else { break }
            ops.append((op, try parseMath1()))
        }
        return ops.isEmpty ? left : .compare(left, ops, start)
    }

    mutating func parseMath1() throws -> Expr {
        var left = try parseConcat()
        while current.kind == .op && (current.text == "+" || current.text == "-") {
            let t = advance()
            try countOperator()
            left = .binary(t.text == "+" ? .add : .sub, left, try parseConcat(), t.offset)
        }
        return left
    }

    mutating func parseConcat() throws -> Expr {
        let start = current.offset
        var items = [try parseMath2()]
        while skipOp("~") { try countOperator(); items.append(try parseMath2()) }
        return items.count == 1 ? items[0] : .concat(items, start)
    }

    mutating func parseMath2() throws -> Expr {
        var left = try parsePow()
        while current.kind == .op, let op = Parser.mulOp(current.text) {
            let t = advance()
            try countOperator()
            left = .binary(op, left, try parsePow(), t.offset)
        }
        return left
    }

    mutating func parsePow() throws -> Expr {
        var left = try parseUnary()
        while isOp("**") {
            let t = advance()
            try countOperator()
            left = .binary(.pow, left, try parseUnary(), t.offset)
        }
        return left
    }

    mutating func parseUnary(withFilter: Bool = true) throws -> Expr {
        try enter()
        defer { nesting -= 1 }
        let start = current.offset
        var node: Expr
        if skipOp("-") {
            node = .unary(.neg, try parseUnary(withFilter: false), start)
        } else if skipOp("+") {
            node = .unary(.pos, try parseUnary(withFilter: false), start)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilter { node = try parseFilterExpr(node) }
        return node
    }

    mutating func parsePrimary() throws -> Expr {
        let t = current
        switch t.kind {
        case .name:
            pos += 1
            switch t.text {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default:
                switch t.text {
                case "loop": loopReferences += 1
                case "varargs": specialReferences.insert(.varargs)
                case "kwargs": specialReferences.insert(.kwargs)
                case "caller": specialReferences.insert(.caller)
                default: break
                }
                return .name(t.text, t.offset)
            }
        case .string:
            var text = t.text
            pos += 1
            while current.kind == .string { text += advance().text }
            return .literal(.string(text))
        case .integer:
            pos += 1
            return .literal(.int(t.intValue))
        case .float:
            pos += 1
            return .literal(.float(t.floatValue))
        case .op where t.text == "(":
            pos += 1
            if skipOp(")") { return .tuple([]) }
            let e = try parseTuple()
            try expectOp(")")
            if case .tuple = e { return e }
            return e
        case .op where t.text == "[":
            pos += 1
            var items: [Expr] = []
            while !isOp("]") {
                if !items.isEmpty { try expectOp(",") }
                if isOp("]") { break }
                items.append(try parseExpression())
            }
            try expectOp("]")
            return .list(items)
        case .op where t.text == "{":
            pos += 1
            var items: [(Expr, Expr)] = []
            while !isOp("}") {
                if !items.isEmpty { try expectOp(",") }
                if isOp("}") { break }
                let k = try parseExpression()
                try expectOp(":")
                items.append((k, try parseExpression()))
            }
            try expectOp("}")
            return .dict(items)
        default:
            throw fail("unexpected \(describe(t))")
        }
    }

    mutating func parsePostfix(_ base: Expr) throws -> Expr {
        var node = base
        while true {
            let t = current
            if isOp(".") || isOp("[") || isOp("(") { try countOperator() }
            if skipOp(".") {
                let attr = current
                if attr.kind == .name {
                    pos += 1
                    node = .attribute(node, attr.text, attr.offset)
                } else if attr.kind == .integer {
                    pos += 1
                    node = .item(node, .literal(.int(attr.intValue)), attr.offset)
                } else {
                    throw fail("expected name or number after '.'")
                }
            } else if skipOp("[") {
                node = try parseSubscript(node, t.offset)
            } else if isOp("(") {
                let (args, kwargs) = try parseCallArguments()
                node = .call(node, args, kwargs, t.offset)
            } else {
                return node
            }
        }
    }

    mutating func parseSubscript(_ node: Expr, _ offset: Int) throws -> Expr {
        var parts: [Expr?] = [nil]
        var isSlice = false
        while !isOp("]") {
            if skipOp(":") {
                isSlice = true
                parts.append(nil)
                guard parts.count <= 3 else { throw fail("too many ':' in slice") }
                continue
            }
            guard parts[parts.count - 1] == nil else { throw fail("expected ']' or ':', got \(describe(current))") }
            parts[parts.count - 1] = try parseExpression()
        }
        try expectOp("]")
        if !isSlice {
            guard let index = parts[0] else { throw fail("expected an index", at: offset) }
            return .item(node, index, offset)
        }
        while parts.count < 3 { parts.append(nil) }
        return .slice(node, parts[0], parts[1], parts[2], offset)
    }

    mutating func parseCallArguments() throws -> ([Expr], [(String, Expr)]) {
        try expectOp("(")
        var args: [Expr] = []
        var kwargs: [(String, Expr)] = []
        var first = true
        while !isOp(")") {
            if !first { try expectOp(",") }
            first = false
            if isOp(")") { break }
            if current.kind == .name && tokens[pos + 1].kind == .op && tokens[pos + 1].text == "=" {
                let name = advance().text
                pos += 1
                kwargs.append((name, try parseExpression()))
            } else {
                guard kwargs.isEmpty else { throw fail("positional argument follows keyword argument") }
                args.append(try parseExpression())
            }
        }
        try expectOp(")")
        return (args, kwargs)
    }

    mutating func parseFilterExpr(_ base: Expr) throws -> Expr {
        var node = base
        while true {
            if isOp("|") || isName("is") || isOp("(") { try countOperator() }
            if isOp("|") {
                pos += 1
                let nameTok = try expectName()
                guard FilterRegistry.names.contains(nameTok.text) || hostFilters.contains(nameTok.text) else {
                    throw unknown(.filter(nameTok.text), at: nameTok.offset)
                }
                var args: [Expr] = []
                var kwargs: [(String, Expr)] = []
                if isOp("(") { (args, kwargs) = try parseCallArguments() }
                node = .filter(node, nameTok.text, args, kwargs, nameTok.offset)
            } else if isName("is") {
                pos += 1
                let negated = skipName("not")
                let nameTok = try expectName()
                guard TestNames.all.contains(nameTok.text) || hostTests.contains(nameTok.text) else {
                    throw unknown(.test(nameTok.text), at: nameTok.offset)
                }
                var args: [Expr] = []
                if isOp("(") {
                    let (a, kw) = try parseCallArguments()
                    args = a + kw.map(\.1)
                } else if [.name, .string, .integer, .float].contains(current.kind) || isOp("[") || isOp("{") || isOp("(") {
                    if !(isName("else") || isName("or") || isName("and") || isName("if")) {
                        if isName("is") { throw fail("You cannot chain multiple tests with is") }
                        args = [try parsePostfix(try parsePrimary())]
                    }
                }
                node = .test(node, nameTok.text, args, negated, nameTok.offset)
            } else if isOp("(") {
                let t = current
                let (args, kwargs) = try parseCallArguments()
                node = .call(node, args, kwargs, t.offset)
            } else {
                return node
            }
        }
    }
}
