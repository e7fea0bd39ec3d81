// Statements: turns the token stream into a tree of nodes.

struct Parser {
    var tokens: [Token]
    var pos = 0
    let source: SourceText
    var loopReferences = 0
    /// Names of the `block`s seen so far (a name may be defined once per template).
    var blockNames: Set<String> = []
    /// `varargs`, `kwargs` and `caller` referenced in the macro body being parsed.
    var specialReferences: MacroSpecials = []
    /// Offset of the `{%` that opened the statement being parsed.
    var tagStart = 0
    /// Nesting of blocks and brackets, and operator count of the current tag: bounded so
    /// hostile input cannot exhaust the stack while parsing or rendering.
    var nesting = 0
    var operators = 0
    static let maxNesting = 120
    static let maxOperators = 400

    mutating func enter() throws {
        nesting += 1
        if nesting > Parser.maxNesting { throw fail("template nests deeper than \(Parser.maxNesting) levels") }
    }

    mutating func countOperator() throws {
        operators += 1
        if operators > Parser.maxOperators { throw fail("expression has more than \(Parser.maxOperators) operators") }
    }

    /// Filter and test names the environment's host adds (`TemplateEnvironment.filters`, `.tests`).
    var hostFilters: Set<String> = []
    var hostTests: Set<String> = []
    /// `{% now %}` (jinja2-time's TimeExtension) is a tag of this environment.
    var nowTag = true

    init(tokens: [Token], source: SourceText) {
        self.tokens = tokens
        self.source = source
    }

    var current: Token { tokens[pos] }

    func fail(_ message: String, at offset: Int? = nil) -> TemplateError {
        source.error(message, at: offset ?? current.offset, kind: .syntax)
    }

    /// "No filter named 'x'." (or test) at `offset`, with the name kept structured.
    func unknown(_ name: TemplateError.UnknownName, at offset: Int) -> TemplateError {
        var error = fail(name.message, at: offset)
        error.unknownName = name
        return error
    }

    mutating func advance() -> Token {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    func isOp(_ s: String) -> Bool { current.kind == .op && current.text == s }
    func isName(_ s: String) -> Bool { current.kind == .name && current.text == s }

    mutating func skipOp(_ s: String) -> Bool {
        if isOp(s) { pos += 1; return true }
        return false
    }

    mutating func skipName(_ s: String) -> Bool {
        if isName(s) { pos += 1; return true }
        return false
    }

    mutating func expectOp(_ s: String) throws {
        guard skipOp(s) else { throw fail("expected '\(s)', got \(describe(current))") }
    }

    mutating func expectName() throws -> Token {
        guard current.kind == .name else { throw fail("expected a name, got \(describe(current))") }
        return advance()
    }

    mutating func expectBlockEnd() throws {
        guard current.kind == .blockEnd else {
            throw fail("expected end of statement block, got \(describe(current))")
        }
        pos += 1
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: return "end of template"
        case .blockEnd: return "end of statement block"
        case .variableEnd: return "end of print statement"
        case .data, .blockBegin, .variableBegin: return "template data"
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .name, .op: return "'\(t.text)'"
        }
    }

    mutating func parseTemplate() throws -> [Node] {
        let (nodes, end) = try parseBody(until: [])
        if let end { throw fail("unexpected '\(end.text)'", at: end.offset) }
        return nodes
    }

    /// Parses nodes until one of `endTags` opens a block (the tag name is consumed, not its `%}`).
    mutating func parseBody(until endTags: Set<String>, opener: (String, Int)? = nil) throws -> ([Node], Token?) {
        var nodes: [Node] = []
        while true {
            let t = current
            switch t.kind {
            case .data:
                pos += 1
                nodes.append(.text(t.text))
            case .variableBegin:
                pos += 1
                operators = 0
                let e = try parseTuple()
                guard current.kind == .variableEnd else {
                    throw fail("expected end of print statement, got \(describe(current))")
                }
                pos += 1
                nodes.append(.output(e, t.offset))
            case .blockBegin:
                pos += 1
                tagStart = t.offset
                operators = 0
                guard current.kind == .name else { throw fail("tag name expected") }
                let tagName = current.text
                if endTags.contains(tagName) {
                    return (nodes, advance())
                }
                if let opener, tagName.hasPrefix("end") || tagName == "elif" || tagName == "else" {
                    let line = source.location(of: opener.1).line
                    let expected = endTags.sorted().map { "'\($0)'" }.joined(separator: " or ")
                    throw fail("unexpected '\(tagName)': the '\(opener.0)' block opened on line \(line) is still open; expected \(expected)",
                               at: t.offset)
                }
                if let node = try parseStatement() { nodes.append(node) }
            case .eof:
                if let opener {
                    let expected = endTags.sorted().map { "'\($0)'" }.joined(separator: " or ")
                    throw source.error("Unexpected end of template: the '\(opener.0)' block is not closed; expected \(expected)",
                                       at: opener.1, kind: .syntax)
                }
                return (nodes, nil)
            default:
                throw fail("unexpected \(describe(t))")
            }
        }
    }

    mutating func parseStatement() throws -> Node? {
        try enter()
        defer { nesting -= 1 }
        var tag = advance()
        tag.offset = tagStart
        switch tag.text {
        case "if": return try parseIf(tag)
        case "for": return try parseFor(tag)
        case "set": return try parseSet(tag)
        case "include": return try parseInclude(tag)
        case "macro": return try parseMacro(tag)
        case "filter": return try parseFilterBlock(tag)
        case "import": return try parseImport(tag)
        case "from": return try parseFromImport(tag)
        case "extends": return try parseExtends(tag)
        case "block": return try parseBlock(tag)
        case "call": return try parseCallBlock(tag)
        case "with": return try parseWith(tag)
        case "now" where nowTag: return try parseNow(tag)
        case "endif", "endfor", "endset", "endmacro", "endfilter", "elif", "else", "endraw", "endblock", "endcall",
             "endwith":
            throw fail("Encountered unknown tag '\(tag.text)'; it is not inside a block it could close",
                       at: tag.offset)
        default:
            throw fail("Encountered unknown tag '\(tag.text)'", at: tag.offset)
        }
    }

    mutating func parseIf(_ tag: Token) throws -> Node {
        var branches: [(Expr, [Node])] = []
        var cond = try parseExpression()
        try expectBlockEnd()
        while true {
            let (body, end) = try parseBody(until: ["elif", "else", "endif"], opener: ("if", tag.offset))
            branches.append((cond, body))
            guard let end else { throw fail("unclosed if") }
            if end.text == "elif" {
                cond = try parseExpression()
                try expectBlockEnd()
                continue
            }
            if end.text == "else" {
                try expectBlockEnd()
                let (elseBody, _) = try parseBody(until: ["endif"], opener: ("if", tag.offset))
                try expectBlockEnd()
                return .ifBlock(branches, elseBody)
            }
            try expectBlockEnd()
            return .ifBlock(branches, nil)
        }
    }

    mutating func parseFor(_ tag: Token) throws -> Node {
        let target = try parseTarget()
        guard skipName("in") else { throw fail("expected 'in', got \(describe(current))") }
        let iterable = try parseTuple(withCondition: false)
        var condition: Expr? = nil
        if skipName("if") { condition = try parseExpression() }
        let recursive = skipName("recursive")
        try expectBlockEnd()
        let before = loopReferences
        let (body, end) = try parseBody(until: ["endfor", "else"], opener: ("for", tag.offset))
        let usesLoop = loopReferences != before
        var elseBody: [Node]? = nil
        try expectBlockEnd()
        if end?.text == "else" {
            (elseBody, _) = try parseBody(until: ["endfor"], opener: ("for", tag.offset))
            try expectBlockEnd()
        }
        return .forLoop(ForLoop(target: target, iterable: iterable, condition: condition, body: body,
                                elseBody: elseBody, usesLoop: usesLoop, recursive: recursive, offset: tag.offset))
    }

    mutating func parseTarget() throws -> Target {
        var items: [Target] = []
        var sawComma = false
        repeat {
            if skipOp("(") {
                items.append(try parseTarget())
                try expectOp(")")
                if isOp(",") { sawComma = true }
                continue
            }
            if current.kind != .name { break }
            let name = try expectName().text
            if skipOp(".") {
                let attr = try expectName().text
                items.append(.attribute(name, attr))
            } else {
                items.append(.name(name))
            }
            if isOp(",") { sawComma = true }
        } while skipOp(",")
        guard let first = items.first else { throw fail("expected an assignment target, got \(describe(current))") }
        return (sawComma || items.count > 1) ? .tuple(items) : first
    }

    mutating func parseSet(_ tag: Token) throws -> Node {
        let target = try parseTarget()
        if skipOp("=") {
            let value = try parseTuple()
            try expectBlockEnd()
            return .set(target, value, tag.offset)
        }
        var filter: String? = nil
        if skipOp("|") { filter = try expectName().text }
        try expectBlockEnd()
        let (body, _) = try parseBody(until: ["endset"], opener: ("set", tag.offset))
        try expectBlockEnd()
        return .setBlock(target, body, filter, tag.offset)
    }

    mutating func parseInclude(_ tag: Token) throws -> Node {
        let name = try parseExpression()
        var ignoreMissing = false
        if skipName("ignore") {
            guard skipName("missing") else { throw fail("expected 'missing' after 'ignore'") }
            ignoreMissing = true
        }
        let withContext = try parseContextModifier() ?? true
        try expectBlockEnd()
        return .include(name, ignoreMissing: ignoreMissing, withContext: withContext, tag.offset)
    }

    mutating func parseMacro(_ tag: Token) throws -> Node {
        let name = try expectName().text
        let params = try parseParameters()
        try expectBlockEnd()
        let outer = specialReferences
        specialReferences = []
        let (body, _) = try parseBody(until: ["endmacro"], opener: ("macro", tag.offset))
        let special = specialReferences
        specialReferences = outer.union(special)
        if current.kind == .name { pos += 1 }
        try expectBlockEnd()
        return .macro(MacroNode(name: name, parameters: params, body: body, offset: tag.offset, special: special))
    }

    /// `(a, b=1)` of a macro or a call block.
    mutating func parseParameters() throws -> [(name: String, defaultValue: Expr?)] {
        try expectOp("(")
        var params: [(name: String, defaultValue: Expr?)] = []
        while !isOp(")") {
            if !params.isEmpty { try expectOp(",") }
            if isOp(")") { break }
            let p = try expectName().text
            if skipOp("=") {
                params.append((p, try parseExpression()))
            } else {
                if params.contains(where: { $0.defaultValue != nil }) {
                    throw fail("non-default argument follows default argument")
                }
                params.append((p, nil))
            }
        }
        try expectOp(")")
        return params
    }

    mutating func parseFilterBlock(_ tag: Token) throws -> Node {
        let nameTok = try expectName()
        guard FilterRegistry.names.contains(nameTok.text) || hostFilters.contains(nameTok.text) else {
            throw unknown(.filter(nameTok.text), at: nameTok.offset)
        }
        var args: [Expr] = []
        var kwargs: [(String, Expr)] = []
        if isOp("(") { (args, kwargs) = try parseCallArguments() }
        try expectBlockEnd()
        let (body, _) = try parseBody(until: ["endfilter"], opener: ("filter", tag.offset))
        try expectBlockEnd()
        return .filterBlock(nameTok.text, args, kwargs, body, nameTok.offset)
    }
}
