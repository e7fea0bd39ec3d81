// `is` tests and built-in global functions.

enum TestNames {
    static let all: Set<String> = [
        "defined", "undefined", "none", "string", "number", "integer", "float", "mapping", "sequence",
        "iterable", "even", "odd", "divisibleby", "sameas", "in", "eq", "ne", "lt", "le", "gt", "ge",
        "equalto", "lessthan", "greaterthan", "==", "!=", "<", "<=", ">", ">=", "true", "false",
        "boolean", "lower", "upper", "callable",
    ]
}

extension Renderer {
    /// `value` is nil when undefined (only for the tests that accept undefined values).
    func applyTest(_ name: String, _ value: Value?, _ args: [Value]) throws -> Bool {
        if !environment.tests.isEmpty, let host = environment.tests[name] {
            guard let value else { throw EvalError("the value tested with '\(name)' is undefined", .undefined) }
            return try callHost(host, [value] + args, []).isTruthy
        }
        switch name {
        case "defined": return value != nil
        case "undefined": return value == nil
        default: break
        }
        guard let tested = value else {
            if Builtins.testsAcceptingUndefined.contains(name) { return false }
            throw EvalError("the value tested with '\(name)' is undefined", .undefined)
        }
        // A markup-safe string is a str to every test (only `string` looks, and says yes to both).
        let v = tested.unmarked, args = args.map(\.unmarked)
        func arg() throws -> Value {
            guard let a = args.first else { throw EvalError("test '\(name)' needs an argument") }
            return a
        }
        switch name {
        case "none": return v == .none && { if case .none = v { return true } else { return false } }()
        case "string":
            switch v {
            case .string, .markup: return true
            case .none, .bool, .int, .float, .list, .dict, .callable, .undefined: return false
            }
        case "number": if case .int = v { return true } else if case .float = v { return true } else if case .bool = v { return true } else { return false }
        case "integer": if case .int = v { return true } else { return false }
        case "float": if case .float = v { return true } else { return false }
        case "boolean": if case .bool = v { return true } else { return false }
        case "true": if case .bool(true) = v { return true } else { return false }
        case "false": if case .bool(false) = v { return true } else { return false }
        case "mapping": if case .dict = v { return true } else { return false }
        // Objects (a path, a cycler) are not callable, as in Python.
        case "callable": if case .callable(let f) = v { return f.attributes == nil } else { return false }
        case "sequence", "iterable":
            switch v {
            case .string, .list, .dict: return true
            default: return false
            }
        case "even", "odd":
            guard v.isInteger else { throw EvalError("not all arguments converted during string formatting") }
            let r = try Operators.intOp(.mod, v.intValue, 2)
            return (r == .int(0)) == (name == "even")
        case "divisibleby":
            let d = try arg()
            guard let x = v.numeric, let y = d.numeric else { throw EvalError("unsupported operand type(s) for %: '\(v.typeName)' and '\(d.typeName)'") }
            return try Operators.binary(.mod, x, y, limits: limits) == .int(0)
        case "sameas":
            let other = try arg()
            switch (v, other) {
            case (.none, .none): return true
            case let (.bool(a), .bool(b)): return a == b
            case let (.int(a), .int(b)): return a == b && a >= -5 && a <= 256
            default: return false
            }
        case "in": return try Operators.contains(try arg(), v)
        case "eq", "equalto", "==": return try v.equals(try arg())
        case "ne", "!=": return try !v.equals(try arg())
        case "lt", "lessthan", "<": return try Operators.order(v, try arg(), .lt) < 0
        case "le", "<=": return try Operators.order(v, try arg(), .le) <= 0
        case "gt", "greaterthan", ">": return try Operators.order(v, try arg(), .gt) > 0
        case "ge", ">=": return try Operators.order(v, try arg(), .ge) >= 0
        case "lower":
            guard case .string(let s) = v else { throw EvalError("'\(v.typeName)' object has no attribute 'islower'") }
            return s.contains { $0.isCased } && s == s.lowercased()
        case "upper":
            guard case .string(let s) = v else { throw EvalError("'\(v.typeName)' object has no attribute 'isupper'") }
            return s.contains { $0.isCased } && s == s.uppercased()
        default:
            throw EvalError(unknown: .test(name))
        }
    }
}

enum Builtins {
    /// Filters that take a lenient undefined value as Jinja2's `Undefined` does: as an empty string
    /// (these print it), or as an empty sequence (`filtersIteratingUndefined`). Any other filter
    /// fails with the undefined error.
    static let filtersAcceptingUndefined: Set<String> = filtersIteratingUndefined.union(filtersKeepingUndefined).union([
        "default", "d", "mandatory", "upper", "lower", "capitalize", "title", "trim", "string", "e", "escape",
        "safe", "replace", "center", "truncate", "wordcount", "format", "pprint", "urlencode",
        "striptags", "forceescape", "urlize", "comment", "quote", "regex_replace", "regex_search", "regex_findall",
        "regex_escape", "b64encode", "basename", "dirname", "splitext", "yaml_string", "toml_string",
        "python_string",
    ])
    static let filtersIteratingUndefined: Set<String> = [
        "length", "count", "list", "join", "sort", "unique", "reverse", "select", "reject", "selectattr",
        "rejectattr", "map", "batch", "slice", "sum",
    ]
    /// Filters whose result for an undefined value is that undefined value (Jinja2's empty-sequence
    /// answer for these is an `Undefined`).
    static let filtersKeepingUndefined: Set<String> = ["first", "last", "min", "max", "random"]

    /// Tests that look at an undefined value without raising (as with Jinja2's StrictUndefined).
    static let testsAcceptingUndefined: Set<String> = [
        "defined", "undefined", "none", "string", "number", "integer", "float", "mapping", "boolean",
        "true", "false", "sameas", "callable",
    ]

    static func global(_ name: String, limits: RenderLimits) -> Value? {
        switch name {
        case "range": return .callable(range(limit: limits.maxRange))
        case "dict": return .callable(dict)
        case "namespace": return .callable(NativeFunction(builtin: "namespace") { args, kwargs in
            var m = OrderedMapping()
            for a in args { if case .dict(let d) = a { for (k, v) in d.pairs { m[k] = v } } }
            for (k, v) in kwargs { m[k] = v }
            return .dict(m)
        })
        case "cycler": return .callable(cycler)
        case "joiner": return .callable(joiner)
        case "lipsum": return .callable(NativeFunction(builtin: "lipsum") { _, _ in
            throw EvalError("lipsum() is not supported: Jinja2's lipsum makes random text, which would make renders differ from run to run", .value)
        })
        default: return nil
        }
    }

    static let dict = NativeFunction(builtin: "dict") { args, kwargs in
        var m = OrderedMapping()
        for a in args {
            switch a {
            case .dict(let d): for (k, v) in d.pairs { m[k] = v }
            case .list(let pairs):
                for p in pairs {
                    guard case .list(let kv) = p, kv.count == 2, case .string(let k) = kv[0] else {
                        throw EvalError("dict() expects key/value pairs with string keys", .value)
                    }
                    m[k] = kv[1]
                }
            default: throw EvalError("'\(a.typeName)' object is not iterable")
            }
        }
        for (k, v) in kwargs { m[k] = v }
        return .dict(m)
    }

    static func range(limit: Int) -> NativeFunction { NativeFunction(builtin: "range") { args, kwargs in
        guard !args.isEmpty && args.count <= 3, kwargs.isEmpty else {
            throw EvalError("range expected 1 to 3 integer arguments, got \(args.count)")
        }
        for a in args where !a.isInteger {
            throw EvalError("'\(a.typeName)' object cannot be interpreted as an integer")
        }
        let ints = args.map(\.intValue)
        let (start, stop, step) = ints.count == 1 ? (0, ints[0], 1) : (ints[0], ints[1], ints.count == 3 ? ints[2] : 1)
        guard step != 0 else { throw EvalError("range() arg 3 must not be zero", .value) }
        // Count in unsigned arithmetic so extreme bounds and steps cannot overflow.
        let span: UInt = step > 0 ? (stop > start ? UInt(bitPattern: stop &- start) : 0)
                                  : (start > stop ? UInt(bitPattern: start &- stop) : 0)
        let stepSize = step.magnitude
        let total = span / stepSize + (span % stepSize == 0 ? 0 : 1)
        guard total <= UInt(max(0, limit)) else {
            throw EvalError("range() of \(total) items exceeds the limit of \(limit)", .limit)
        }
        let count = Int(total)
        var out: [Value] = []
        out.reserveCapacity(count)
        var i = start
        for _ in 0..<count { out.append(.int(i)); i &+= step }
        return .list(out)
    } }
}
