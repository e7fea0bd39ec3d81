// The parsed form of a template. Offsets are byte positions in the normalised source.

indirect enum Expr: Sendable {
    case literal(Value)
    case name(String, Int)
    case list([Expr])
    case tuple([Expr])
    case dict([(Expr, Expr)])
    case attribute(Expr, String, Int)
    case item(Expr, Expr, Int)
    case slice(Expr, Expr?, Expr?, Expr?, Int)
    case call(Expr, [Expr], [(String, Expr)], Int)
    case filter(Expr, String, [Expr], [(String, Expr)], Int)
    case test(Expr, String, [Expr], Bool, Int)
    case unary(UnaryOp, Expr, Int)
    case binary(BinaryOp, Expr, Expr, Int)
    case compare(Expr, [(CompareOp, Expr)], Int)
    case and(Expr, Expr)
    case or(Expr, Expr)
    case conditional(Expr, Expr, Expr?)
    case concat([Expr], Int)

    var offset: Int {
        switch self {
        case .literal, .list, .tuple, .dict: return 0
        case .name(_, let o), .attribute(_, _, let o), .item(_, _, let o),
             .slice(_, _, _, _, let o), .call(_, _, _, let o), .filter(_, _, _, _, let o),
             .test(_, _, _, _, let o), .unary(_, _, let o), .binary(_, _, _, let o),
             .compare(_, _, let o), .concat(_, let o):
            return o
        case .and(let a, _), .or(let a, _), .conditional(let a, _, _): return a.offset
        }
    }
}

enum UnaryOp: Sendable { case neg, pos, not }
enum BinaryOp: Sendable { case add, sub, mul, div, floorDiv, mod, pow }
enum CompareOp: Sendable { case eq, ne, lt, le, gt, ge, `in`, notIn }

/// Assignment targets: `x`, `a, b`, `ns.attr`.
indirect enum Target: Sendable {
    case name(String)
    case tuple([Target])
    case attribute(String, String)
}

indirect enum Node: Sendable {
    case text(String)
    case output(Expr, Int)
    case ifBlock([(Expr, [Node])], [Node]?)
    case forLoop(ForLoop)
    case set(Target, Expr, Int)
    case setBlock(Target, [Node], String?, Int)
    case include(Expr, ignoreMissing: Bool, withContext: Bool, Int)
    case macro(MacroNode)
    case filterBlock(String, [Expr], [(String, Expr)], [Node], Int)
    /// `{% import name as alias %}`.
    case importModule(Expr, alias: String, withContext: Bool, Int)
    /// `{% from name import a, b as c %}`: (exported name, local name) pairs.
    case fromImport(Expr, names: [(String, String)], withContext: Bool, Int)
    case extends(Expr, Int)
    case block(BlockNode)
    case callBlock(CallBlockNode)
    case with([(Target, Expr)], [Node], Int)
    /// jinja2-time's `{% now 'utc' [+|- 'hours=1'], 'format' %}`.
    case now(Expr, shift: (sign: String, Expr)?, format: Expr?, Int)
}

struct BlockNode: Sendable {
    var name: String
    var body: [Node]
    var scoped: Bool
    var required: Bool
    var offset: Int
}

struct CallBlockNode: Sendable {
    var callee: Expr
    var args: [Expr]
    var kwargs: [(String, Expr)]
    var parameters: [(name: String, defaultValue: Expr?)]
    var body: [Node]
    var offset: Int
    var special: MacroSpecials = []
}

struct ForLoop: Sendable {
    var target: Target
    var iterable: Expr
    var condition: Expr?
    var body: [Node]
    var elseBody: [Node]?
    var usesLoop: Bool
    var recursive: Bool = false
    var offset: Int
}

struct MacroNode: Sendable {
    var name: String
    var parameters: [(name: String, defaultValue: Expr?)]
    var body: [Node]
    var offset: Int
    var special: MacroSpecials = []
}

/// The special names a macro body uses: extra arguments go to `varargs`/`kwargs` only then, and a
/// `{% call %}` block may only pass `caller` to a macro that uses it (as in Jinja2).
struct MacroSpecials: OptionSet, Sendable {
    let rawValue: Int
    static let varargs = MacroSpecials(rawValue: 1)
    static let kwargs = MacroSpecials(rawValue: 2)
    static let caller = MacroSpecials(rawValue: 4)
}
