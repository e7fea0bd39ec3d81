// A walk over a compiled template for what it reads, defines and loads, without rendering it
// (for `mlrepro lint`).

/// A place in a template's source.
public struct TemplatePosition: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    /// The source line (without its newline).
    public var sourceLine: String

    public var description: String { "\(file):\(line):\(column)" }
}

/// What a template reads, defines and loads, as far as can be told without rendering it.
public struct TemplateAnalysis: Sendable {
    /// Each name the template reads, where it reads it. A name only tested with `is defined` /
    /// `is undefined` or passed through `default` first is not a read.
    public var reads: [(name: String, position: TemplatePosition)] = []
    /// Every name the template itself binds anywhere: `set` targets (namespaces too), `for`
    /// targets, macro names and parameters, `with` targets, `call` block parameters, imports.
    public var defined: Set<String> = []
    /// Names the template tests with `is defined` / `is undefined` or passes through `default`:
    /// it expects them to be missing sometimes, so their other reads are not flagged either.
    public var guarded: Set<String> = []
    /// Templates named by `include`, `import`, `from … import` and `extends` with a literal
    /// name (a list of literals counts each). `optional` is true for `ignore missing`.
    public var loads: [(name: String, position: TemplatePosition, optional: Bool)] = []
    /// Each chain of attributes read from a name (`env.nvidia.gpus` is `["env", "nvidia",
    /// "gpus"]`; `x['y']` with a literal string counts as `x.y`), where its last part is. A chain
    /// guarded by `is defined` or `default` is not recorded.
    /// `positions[i]` is where `path[i + 1]` is written.
    public var attributeChains: [(path: [String], positions: [TemplatePosition])] = []

    /// Names the engine itself provides in some scope: loop and macro specials, block helpers
    /// and the built-in global functions.
    public static let engineNames: Set<String> = [
        "loop", "caller", "varargs", "kwargs", "super", "self", "range", "dict", "namespace",
        "cycler", "joiner", "lipsum",
    ]

    /// The reads of a name that neither `known`, the template itself nor the engine defines.
    public func undefinedReads(known: Set<String>) -> [(name: String, position: TemplatePosition)] {
        reads.filter {
            !known.contains($0.name) && !defined.contains($0.name) && !guarded.contains($0.name) && !Self.engineNames.contains($0.name)
        }
    }
}

extension Template {
    /// Walks the template's syntax tree (see `TemplateAnalysis`).
    public func analysis() -> TemplateAnalysis {
        var walker = NameWalker(source: source)
        walker.walk(nodes)
        return walker.result
    }
}

struct NameWalker {
    let source: SourceText
    var result = TemplateAnalysis()

    func position(_ offset: Int) -> TemplatePosition {
        let location = source.location(of: offset)
        return TemplatePosition(file: source.name, line: location.line, column: location.column, sourceLine: location.text)
    }

    mutating func define(_ target: Target, at offset: Int) {
        switch target {
        case .name(let name): result.defined.insert(name)
        case .tuple(let targets): for inner in targets { define(inner, at: offset) }
        // `set ns.attr = …` reads the namespace `ns`.
        case .attribute(let name, _): result.reads.append((name, position(offset)))
        }
    }

    mutating func load(_ expr: Expr, at offset: Int, optional: Bool) {
        switch expr {
        case .literal(.string(let name)): result.loads.append((name, position(offset), optional))
        case .list(let items), .tuple(let items): for item in items { load(item, at: offset, optional: optional) }
        default: walk(expr)
        }
    }

    mutating func walk(_ nodes: [Node]) {
        for node in nodes { walk(node) }
    }

    mutating func walk(_ node: Node) {
        switch node {
        case .text: break
        case .output(let expr, _): walk(expr)
        case .ifBlock(let branches, let otherwise):
            for (condition, body) in branches { walk(condition); walk(body) }
            if let otherwise { walk(otherwise) }
        case .forLoop(let loop):
            walk(loop.iterable)
            define(loop.target, at: loop.offset)
            if let condition = loop.condition { walk(condition) }
            walk(loop.body)
            if let elseBody = loop.elseBody { walk(elseBody) }
        case .set(let target, let expr, let offset):
            walk(expr)
            define(target, at: offset)
        case .setBlock(let target, let body, _, let offset):
            walk(body)
            define(target, at: offset)
        case .include(let expr, let ignoreMissing, _, let offset):
            load(expr, at: offset, optional: ignoreMissing)
        case .macro(let macro):
            result.defined.insert(macro.name)
            parameters(macro.parameters)
            walk(macro.body)
        case .filterBlock(_, let args, let kwargs, let body, _):
            for arg in args { walk(arg) }
            for (_, value) in kwargs { walk(value) }
            walk(body)
        case .importModule(let expr, let alias, _, let offset):
            load(expr, at: offset, optional: false)
            result.defined.insert(alias)
        case .fromImport(let expr, let names, _, let offset):
            load(expr, at: offset, optional: false)
            for (_, local) in names { result.defined.insert(local) }
        case .extends(let expr, let offset):
            load(expr, at: offset, optional: false)
        case .block(let block): walk(block.body)
        case .callBlock(let call):
            walk(call.callee)
            for arg in call.args { walk(arg) }
            for (_, value) in call.kwargs { walk(value) }
            parameters(call.parameters)
            walk(call.body)
        case .with(let pairs, let body, let offset):
            for (target, expr) in pairs {
                walk(expr)
                define(target, at: offset)
            }
            walk(body)
        case .now(let zone, let shift, let format, _):
            walk(zone)
            if let shift { walk(shift.1) }
            if let format { walk(format) }
        }
    }

    mutating func parameters(_ parameters: [(name: String, defaultValue: Expr?)]) {
        for parameter in parameters {
            result.defined.insert(parameter.name)
            if let value = parameter.defaultValue { walk(value) }
        }
    }

    mutating func walk(_ expr: Expr) {
        switch expr {
        case .literal: break
        case .name(let name, let offset): result.reads.append((name, position(offset)))
        case .list(let items), .tuple(let items), .concat(let items, _): for item in items { walk(item) }
        case .dict(let pairs): for (key, value) in pairs { walk(key); walk(value) }
        case .attribute(let base, _, _):
            if let path = Self.attributePath(expr), path.count > 1 {
                result.attributeChains.append((path.map(\.name), path.dropFirst().map { position($0.offset) }))
                var root = base
                while true {
                    if case .attribute(let inner, _, _) = root { root = inner; continue }
                    if case .item(let inner, .literal(.string), _) = root { root = inner; continue }
                    break
                }
                walk(root)
            } else {
                walk(base)
            }
        case .item(let base, let key, _): walk(base); walk(key)
        case .slice(let base, let start, let stop, let step, _):
            walk(base)
            for part in [start, stop, step] { if let part { walk(part) } }
        case .call(let callee, let args, let kwargs, _):
            walk(callee)
            for arg in args { walk(arg) }
            for (_, value) in kwargs { walk(value) }
        case .filter(let base, let name, let args, let kwargs, _):
            // `x | default(…)` is how a template says that `x` may be missing.
            if ["default", "d"].contains(name), let guardedName = Self.guardedName(base) {
                result.guarded.insert(guardedName)
            } else {
                walk(base)
            }
            for arg in args { walk(arg) }
            for (_, value) in kwargs { walk(value) }
        case .test(let base, let name, let args, _, _):
            if ["defined", "undefined"].contains(name), let guardedName = Self.guardedName(base) {
                result.guarded.insert(guardedName)
            } else {
                walk(base)
            }
            for arg in args { walk(arg) }
        case .unary(_, let operand, _): walk(operand)
        case .binary(_, let left, let right, _): walk(left); walk(right)
        case .compare(let first, let rest, _):
            walk(first)
            for (_, operand) in rest { walk(operand) }
        case .and(let left, let right), .or(let left, let right): walk(left); walk(right)
        case .conditional(let condition, let yes, let no):
            walk(condition)
            walk(yes)
            if let no { walk(no) }
        }
    }

    /// `name.a.b` (also `name['a']`) as `["name", "a", "b"]`, each part with its offset; nil for anything else.
    static func attributePath(_ expr: Expr) -> [(name: String, offset: Int)]? {
        switch expr {
        case .name(let name, let offset): return [(name, offset)]
        case .attribute(let base, let attribute, let offset): return attributePath(base).map { $0 + [(attribute, offset)] }
        case .item(let base, .literal(.string(let key)), let offset): return attributePath(base).map { $0 + [(key, offset)] }
        default: return nil
        }
    }

    /// The name at the root of a name or a chain of attributes and items on one (`x`, `x.y`,
    /// `x['y']`); nil for anything else.
    static func guardedName(_ expr: Expr) -> String? {
        switch expr {
        case .name(let name, _): return name
        case .attribute(let base, _, _): return guardedName(base)
        case .item(let base, .literal, _): return guardedName(base)
        default: return nil
        }
    }
}
