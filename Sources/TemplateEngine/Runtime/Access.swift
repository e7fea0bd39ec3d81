// Attribute, item and slice access, and iteration.

/// Strings are indexed by Unicode code points, as in Python.
func codePoints(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }

func stringFrom(_ scalars: some Sequence<Unicode.Scalar>) -> String {
    var s = String.UnicodeScalarView()
    s.append(contentsOf: scalars)
    return String(s)
}

/// Python iteration: lists yield items, dicts their keys, strings their code points (a value
/// each, so the render is charged for them before they are made: see ValueWalks.swift).
func iterate(_ v: Value) throws -> [Value] {
    switch v {
    case .list(let l): return l
    case .dict(let d): return d.keys.map { .string($0) }
    case .string(let s), .markup(let s):
        // Markup does not override `__iter__`: its characters are plain strings.
        try RenderMeter.current?.visit(s.utf8.count)
        return s.unicodeScalars.map { .string(String($0)) }
    case .undefined: return []
    default: throw EvalError("'\(v.typeName)' object is not iterable")
    }
}

extension Renderer {
    /// `obj.name`: a method first, then a mapping key (Jinja2's getattr order). nil = undefined.
    func getAttribute(_ obj: Value, _ name: String) throws -> Value? {
        if let m = Methods.bound(obj, name) { return .callable(m) }
        if case .dict(let d) = obj { return d[name] }
        if case .callable(let f) = obj, let attributes = f.attributes { return try attributes(name) }
        // groupby yields (grouper, list) pairs; they answer to those names as in Jinja2.
        if case .list(let pair) = obj, pair.count == 2 {
            if name == "grouper" { return pair[0] }
            if name == "list" { return pair[1] }
        }
        return nil
    }

    /// `obj[key]`: a key or index first, then a method. nil = undefined.
    func getItem(_ obj: Value, _ key: Value) throws -> Value? {
        switch (obj, key.unmarked) {
        case let (.dict(d), .string(k)):
            if let v = d[k] { return v }
            return Methods.bound(obj, k).map { .callable($0) }
        case let (.list(l), k) where k.isInteger:
            var i = k.intValue
            if i < 0 { i += l.count }
            return (i >= 0 && i < l.count) ? l[i] : nil
        case let (.string(s), k) where k.isInteger:
            let cps = codePoints(s)
            var i = k.intValue
            if i < 0 { i += cps.count }
            return (i >= 0 && i < cps.count) ? .string(String(cps[i])) : nil
        case let (.markup(s), k) where k.isInteger:
            // Markup's `__getitem__` keeps it markup.
            return try getItem(.string(s), k).map(Value.markingSafe)
        case let (_, .string(k)):
            return Methods.bound(obj, k).map { .callable($0) }
        default:
            return nil
        }
    }

    func sliceValue(_ obj: Value, _ lo: Value?, _ hi: Value?, _ step: Value?) throws -> Value {
        func bound(_ v: Value?) throws -> Int? {
            guard let v, v != .none else { return nil }
            guard v.isInteger else { throw EvalError("slice indices must be integers or None") }
            return v.intValue
        }
        let s = try bound(step) ?? 1
        guard s != 0 else { throw EvalError("slice step cannot be zero", .value) }
        let l = try bound(lo), h = try bound(hi)
        switch obj {
        case .list(let items):
            return .list(pythonSlice(items, l, h, s))
        case .string(let str):
            return .string(stringFrom(pythonSlice(codePoints(str), l, h, s)))
        case .markup(let str):
            return .markup(stringFrom(pythonSlice(codePoints(str), l, h, s)))
        default:
            throw EvalError("'\(obj.typeName)' object is not subscriptable")
        }
    }
}

func pythonSlice<T>(_ items: [T], _ lo: Int?, _ hi: Int?, _ step: Int) -> [T] {
    let n = items.count
    func clamp(_ v: Int?, _ dflt: Int, _ low: Int, _ high: Int) -> Int {
        guard var v else { return dflt }
        if v < 0 { v += n }
        return min(max(v, low), high)
    }
    var out: [T] = []
    if step > 0 {
        var i = clamp(lo, 0, 0, n)
        let end = clamp(hi, n, 0, n)
        while i < end { out.append(items[i]); i += step }
    } else {
        var i = clamp(lo, n - 1, -1, n - 1)
        let end = clamp(hi, -1, -1, n - 1)
        while i > end { out.append(items[i]); i += step }
    }
    return out
}
