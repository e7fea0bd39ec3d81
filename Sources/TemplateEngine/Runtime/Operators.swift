// Arithmetic and comparison with Python semantics.
import Foundation

enum Operators {
    static func unsupported(_ op: String, _ a: Value, _ b: Value) -> EvalError {
        EvalError("unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'")
    }

    static func unary(_ op: UnaryOp, _ v: Value) throws -> Value {
        switch (op, v.numeric) {
        case (.neg, .int(let i)?):
            let (r, o) = (0).subtractingReportingOverflow(i)
            if o { throw EvalError("integer overflow", .value) }
            return .int(r)
        case (.neg, .float(let d)?): return .float(-d)
        case (.pos, let n?): return n
        default: throw EvalError("bad operand type for unary \(op == .neg ? "-" : "+"): '\(v.typeName)'")
        }
    }

    static func checked(_ r: (partialValue: Int, overflow: Bool)) throws -> Value {
        if r.overflow { throw EvalError("integer overflow (values beyond 64 bits are not supported)", .value) }
        return .int(r.partialValue)
    }

    static func binary(_ op: BinaryOp, _ a: Value, _ b: Value, limits: RenderLimits) throws -> Value {
        if let x = a.numeric, let y = b.numeric {
            if case .int(let i) = x, case .int(let j) = y { return try intOp(op, i, j) }
            return try floatOp(op, x.asDouble, y.asDouble)
        }
        if op == .div, let joined = try Value.joinPaths(a, b) { return joined }
        if let result = try markupBinary(op, a, b, limits: limits) { return result }
        switch (op, a, b) {
        case (.add, .string(let s), .string(let t)):
            if s.utf8.count + t.utf8.count > limits.maxOutputBytes { throw EvalError("string too long", .limit) }
            return .string(s + t)
        case (.add, .list(let s), .list(let t)):
            if s.count + t.count > limits.maxRange {
                throw EvalError("list concatenation would exceed \(limits.maxRange) items", .limit)
            }
            return .list(s + t)
        case (.mul, .string(let s), _) where b.isInteger:
            return .string(try repeatString(s, b.intValue, limits))
        case (.mul, _, .string(let s)) where a.isInteger:
            return .string(try repeatString(s, a.intValue, limits))
        case (.mul, .list(let l), _) where b.isInteger:
            return .list(try repeatList(l, b.intValue, limits))
        case (.mul, _, .list(let l)) where a.isInteger:
            return .list(try repeatList(l, a.intValue, limits))
        case (.mod, .string(let s), _):
            if case .list(let items) = b { return .string(try percentFormat(s, items)) }
            return .string(try percentFormat(s, [b]))
        default:
            let sym = ["+", "-", "*", "/", "//", "%", "** or pow()"][[BinaryOp.add, .sub, .mul, .div, .floorDiv, .mod, .pow].firstIndex(of: op) ?? 0]
            throw unsupported(sym, a, b)
        }
    }

    static func repeatString(_ s: String, _ n: Int, _ limits: RenderLimits) throws -> String {
        if n <= 0 || s.isEmpty { return "" }
        if n > limits.maxOutputBytes / max(1, s.utf8.count) {
            throw EvalError("string repetition would exceed \(limits.maxOutputBytes) bytes", .limit)
        }
        // Charged to the render before it is allocated.
        try RenderMeter.current?.spend(bytes: n * s.utf8.count)
        return String(repeating: s, count: n)
    }

    static func repeatList(_ l: [Value], _ n: Int, _ limits: RenderLimits) throws -> [Value] {
        if n <= 0 || l.isEmpty { return [] }
        if n > limits.maxRange / max(1, l.count) {
            throw EvalError("list repetition would exceed \(limits.maxRange) items", .limit)
        }
        var out: [Value] = []
        out.reserveCapacity(l.count * n)
        for _ in 0..<n { out += l }
        return out
    }

    static func intOp(_ op: BinaryOp, _ i: Int, _ j: Int) throws -> Value {
        switch op {
        case .add: return try checked(i.addingReportingOverflow(j))
        case .sub: return try checked(i.subtractingReportingOverflow(j))
        case .mul: return try checked(i.multipliedReportingOverflow(by: j))
        case .div:
            if j == 0 { throw EvalError("division by zero", .zeroDivision) }
            return .float(Double(i) / Double(j))
        case .floorDiv:
            if j == 0 { throw EvalError("integer division or modulo by zero", .zeroDivision) }
            if i == Int.min && j == -1 { throw EvalError("integer overflow", .value) }
            var q = i / j
            if (i % j != 0) && ((i < 0) != (j < 0)) { q -= 1 }
            return .int(q)
        case .mod:
            if j == 0 { throw EvalError("integer division or modulo by zero", .zeroDivision) }
            if j == -1 { return .int(0) }
            var r = i % j
            if r != 0 && ((r < 0) != (j < 0)) { r += j }
            return .int(r)
        case .pow:
            if j < 0 { return .float(pow(Double(i), Double(j))) }
            var result = 1
            var base = i
            var e = j
            while e > 0 {
                if e & 1 == 1 {
                    let r = result.multipliedReportingOverflow(by: base)
                    if r.overflow { throw EvalError("integer overflow (values beyond 64 bits are not supported)", .value) }
                    result = r.partialValue
                }
                e >>= 1
                if e > 0 {
                    let r = base.multipliedReportingOverflow(by: base)
                    if r.overflow { throw EvalError("integer overflow (values beyond 64 bits are not supported)", .value) }
                    base = r.partialValue
                }
            }
            return .int(result)
        }
    }

    static func floatOp(_ op: BinaryOp, _ x: Double, _ y: Double) throws -> Value {
        switch op {
        case .add: return .float(x + y)
        case .sub: return .float(x - y)
        case .mul: return .float(x * y)
        case .div:
            if y == 0 { throw EvalError("float division by zero", .zeroDivision) }
            return .float(x / y)
        case .floorDiv:
            if y == 0 { throw EvalError("float floor division by zero", .zeroDivision) }
            return .float(pythonFloatMod(x, y).div)
        case .mod:
            if y == 0 { throw EvalError("float modulo", .zeroDivision) }
            return .float(pythonFloatMod(x, y).mod)
        case .pow:
            if x == 0 && y < 0 { throw EvalError("0.0 cannot be raised to a negative power", .zeroDivision) }
            return .float(pow(x, y))
        }
    }

    /// CPython's float_divmod.
    static func pythonFloatMod(_ vx: Double, _ wx: Double) -> (div: Double, mod: Double) {
        var mod = vx.truncatingRemainder(dividingBy: wx)
        var div = (vx - mod) / wx
        if mod != 0 {
            if (wx < 0) != (mod < 0) { mod += wx; div -= 1 }
        } else {
            mod = (0.0).sign == .plus && wx < 0 ? -0.0 : 0.0
        }
        var floordiv: Double
        if div != 0 {
            floordiv = div.rounded(.down)
            if div - floordiv > 0.5 { floordiv += 1 }
        } else {
            floordiv = (vx / wx < 0) ? -0.0 : 0.0
        }
        return (floordiv, mod)
    }

    static func compare(_ op: CompareOp, _ a: Value, _ b: Value) throws -> Bool {
        switch op {
        case .eq: return try a.equals(b)
        case .ne: return try !a.equals(b)
        case .in: return try contains(b, a)
        case .notIn: return try !contains(b, a)
        case .lt, .le, .gt, .ge:
            let c = try order(a, b, op)
            switch op {
            case .lt: return c < 0
            case .le: return c <= 0
            case .gt: return c > 0
            default: return c >= 0
            }
        }
    }

    static func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .string(let s), .markup(let s):
            guard case .string(let t) = item.unmarked else {
                throw EvalError("'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return t.isEmpty || s.utf8.firstRange(of: t.utf8) != nil
        case .list(let l): return try l.containsValue(item)
        case .dict(let d):
            guard case .string(let k) = item.unmarked else { return false }
            return d[k] != nil
        default:
            throw EvalError("argument of type '\(container.typeName)' is not iterable")
        }
    }

    /// Three-way Python ordering; errors for unorderable pairs.
    static func order(_ a: Value, _ b: Value, _ op: CompareOp = .lt) throws -> Int {
        if let x = a.numeric, let y = b.numeric {
            if case .int(let i) = x, case .int(let j) = y { return i < j ? -1 : (i == j ? 0 : 1) }
            let p = x.asDouble, q = y.asDouble
            return p < q ? -1 : (p == q ? 0 : 1)
        }
        switch (a, b) {
        case let (.string(s), .string(t)), let (.markup(s), .markup(t)),
             let (.string(s), .markup(t)), let (.markup(s), .string(t)):
            return compareUTF8(s, t)
        case let (.list(l), .list(m)):
            try RenderMeter.current?.visit(min(l.count, m.count) + 1)
            try ValueNesting.enter()
            defer { ValueNesting.leave() }
            for (x, y) in zip(l, m) where try !x.equals(y) { return try order(x, y, op) }
            return l.count < m.count ? -1 : (l.count == m.count ? 0 : 1)
        default:
            let sym = [CompareOp.lt: "<", .le: "<=", .gt: ">", .ge: ">="][op] ?? "<"
            throw EvalError("'\(sym)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    static func compareUTF8(_ s: String, _ t: String) -> Int {
        var i = s.utf8.makeIterator(), j = t.utf8.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case let (x?, y?): if x != y { return x < y ? -1 : 1 }
            }
        }
    }
}

extension Value {
    var isInteger: Bool {
        switch self {
        case .int, .bool: return true
        default: return false
        }
    }

    var intValue: Int {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        case .float(let d): return Int(exactly: d.rounded(.towardZero)) ?? 0
        default: return 0
        }
    }
}
