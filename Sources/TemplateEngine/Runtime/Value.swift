// Python-like values that templates compute with.

/// A value a template can print, test, iterate or call.
public indirect enum Value: Sendable, Equatable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// MarkupSafe's `Markup`: a string already safe for HTML. Jinja2's `escape`/`e` leaves it as it
    /// is, and `+`, `%` and its string methods escape their plain-string operands (Markup.swift).
    case markup(String)
    case list([Value])
    case dict(OrderedMapping)
    case callable(NativeFunction)
    /// Jinja2's lenient `Undefined` (only where `EnvironmentOptions.undefined` is `.lenient`): prints
    /// empty, is false, iterates as empty, and fails with `message` on anything else.
    case undefined(message: String)

    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none): return true
        case (.undefined, .undefined): return true
        case let (.string(a), .string(b)), let (.markup(a), .markup(b)),
             let (.string(a), .markup(b)), let (.markup(a), .string(b)):
            return a.utf8.elementsEqual(b.utf8)
        case let (.list(a), .list(b)): return a == b
        case let (.dict(a), .dict(b)): return a == b
        case let (.callable(a), .callable(b)): return a == b
        default:
            if let a = lhs.numeric, let b = rhs.numeric {
                switch (a, b) {
                case let (.int(x), .int(y)): return x == y
                default: return a.asDouble == b.asDouble
                }
            }
            return false
        }
    }

    /// Numeric view (bools count as ints, as in Python).
    var numeric: Value? {
        switch self {
        case .int, .float: return self
        case .bool(let b): return .int(b ? 1 : 0)
        default: return nil
        }
    }

    var asDouble: Double {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return 0
        }
    }

    /// Python truthiness.
    public var isTruthy: Bool {
        switch self {
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .string(let s), .markup(let s): return !s.isEmpty
        case .list(let l): return !l.isEmpty
        case .dict(let d): return d.count > 0
        case .callable: return true
        case .undefined: return false
        }
    }

    /// Python type name, used in error messages.
    var typeName: String {
        switch self {
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .markup: return "Markup"
        case .list: return "list"
        case .dict: return "dict"
        case .callable(let f): return f.macro != nil ? "Macro" : (f.pathText != nil ? "PosixPath" : "function")
        case .undefined: return "Undefined"
        }
    }
}

/// A mapping with string keys that keeps insertion order.
public struct OrderedMapping: Sendable, Equatable {
    private var storage: [(key: String, value: Value)] = []
    private var index: [String: Int] = [:]
    /// Prints as Python's `OrderedDict([(key, value), ...])` (cookiecutter's mappings read from
    /// `cookiecutter.json`); compares, iterates and converts like any mapping.
    public var printsAsOrderedDict = false

    public init() {}

    /// Later duplicates replace earlier values and keep the first position.
    public init(_ pairs: [(String, Value)]) {
        storage.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }

    public subscript(key: String) -> Value? {
        get {
            guard let i = index[key] else { return nil }
            return storage[i].value
        }
        set {
            if let i = index[key] {
                if let newValue {
                    storage[i].value = newValue
                } else {
                    storage.remove(at: i)
                    index[key] = nil
                    for j in i..<storage.count { index[storage[j].key] = j }
                }
            } else if let newValue {
                index[key] = storage.count
                storage.append((key, newValue))
            }
        }
    }

    public var keys: [String] { storage.map(\.key) }
    public var values: [Value] { storage.map(\.value) }
    public var pairs: [(key: String, value: Value)] { storage }
    public var count: Int { storage.count }

    public static func == (lhs: OrderedMapping, rhs: OrderedMapping) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (k, v) in lhs.storage {
            guard let other = rhs[k], other == v else { return false }
        }
        return true
    }
}

/// A function templates can call: host functions, methods and macros.
public struct NativeFunction: Sendable, Equatable {
    public let name: String
    let body: @Sendable (_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value
    let macro: MacroDefinition?
    /// Made by the host (a global, a filter, a Python extension's bridge): it is handed only
    /// values whose walk stays within the render's budget, since it may print or serialise them.
    let fromHost: Bool
    /// Attributes of an engine object that is also a function value (`cycler`): `obj.name`.
    var attributes: (@Sendable (String) throws -> Value?)? = nil
    /// What a path object (`Value.path`) prints as.
    var pathText: String? = nil

    public init(name: String, _ body: @escaping @Sendable (_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value) {
        self.name = name
        self.body = body
        self.macro = nil
        self.fromHost = true
    }

    /// One of the engine's own functions (methods, `range`, `loop.cycle`), which walk values
    /// only through the budgeted walks of ValueWalks.swift.
    init(builtin name: String, _ body: @escaping @Sendable (_ args: [Value], _ kwargs: [(String, Value)]) throws -> Value) {
        self.name = name
        self.body = body
        self.macro = nil
        self.fromHost = false
    }

    init(macro: MacroDefinition) {
        self.name = macro.name
        self.macro = macro
        self.body = { _, _ in .none }
        self.fromHost = false
    }

    public func call(_ args: [Value], _ kwargs: [(String, Value)] = []) throws -> Value {
        try body(args, kwargs)
    }

    public static func == (lhs: NativeFunction, rhs: NativeFunction) -> Bool {
        lhs.name == rhs.name && (lhs.macro == nil) == (rhs.macro == nil) && lhs.pathText == rhs.pathText
    }
}

/// A macro captured with the variables visible where it was defined.
final class MacroDefinition: Sendable {
    let name: String
    let parameters: [(name: String, defaultValue: Expr?)]
    let body: [Node]
    let closure: [String: Value]
    let templateName: String
    let source: SourceText
    /// The imported module whose top level the macro sees; nil for the rendering template's own macros.
    let module: ModuleScope?
    /// What a `{% call %}` block's `caller` sees: the call site's top level and context.
    let captured: CapturedScope?
    let special: MacroSpecials

    init(name: String, parameters: [(name: String, defaultValue: Expr?)], body: [Node],
         closure: [String: Value], templateName: String, source: SourceText,
         module: ModuleScope? = nil, captured: CapturedScope? = nil, special: MacroSpecials = []) {
        self.module = module
        self.special = special
        self.captured = captured
        self.name = name
        self.parameters = parameters
        self.body = body
        self.closure = closure
        self.templateName = templateName
        self.source = source
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
}
