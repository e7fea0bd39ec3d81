// Walks over values that a render pays for as they go. A list or dict can hold another one
// twice (`{'a': d, 'b': d}`), so a value made in forty steps can have 2^40 items when walked:
// every walk the engine makes over lists and dicts (printing, comparing, ordering, serialising,
// flattening, handing values to the host) charges each item it visits to the render's
// `RenderMeter`, and walks that build text stop at `RenderLimits.maxOutputBytes`, as they go.

extension Value {
    /// Python `str(value)` as the engine computes it: charged to the current render.
    func text() throws -> String {
        switch self {
        case .string(let s), .markup(let s): return s
        case .undefined: return ""
        case .int(let i): return String(i)
        case .callable(let f) where f.pathText != nil: return f.pathText ?? ""
        default:
            return try reprText()
        }
    }

    /// Python `repr(value)` as the engine computes it: charged to the current render.
    func reprText() throws -> String {
        let meter = RenderMeter.current
        var out = ""
        try appendRepr(to: &out, meter: meter, limit: meter?.maxString ?? .max)
        // A string made from a value is built text, whoever keeps it (`join` keeps one per item).
        try meter?.spend(bytes: out.utf8.count)
        return out
    }

    /// Appends `repr(value)`, stopping once `out` would hold more than `limit` bytes.
    func appendRepr(to out: inout String, limit: Int) throws {
        try appendRepr(to: &out, meter: RenderMeter.current, limit: limit)
    }

    /// The one repr writer: `meter` nil (the public `pythonRepr`) walks without a budget.
    func appendRepr(to out: inout String, meter: RenderMeter?, limit: Int) throws {
        switch self {
        case .none: out += "None"
        case .bool(let b): out += b ? "True" : "False"
        case .int(let i): out += String(i)
        case .float(let d): out += formatPythonFloat(d)
        case .string(let s): out += pythonQuoted(s)
        case .markup(let s): out += "Markup(" + pythonQuoted(s) + ")"
        case .list(let items):
            try meter?.visit(items.count + 1)
            try ValueNesting.enter()
            defer { ValueNesting.leave() }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                try item.appendRepr(to: &out, meter: meter, limit: limit)
            }
            out += "]"
        case .dict(let map) where map.printsAsOrderedDict:
            // Python 3.11's repr (3.12 prints `OrderedDict({...})`).
            try meter?.visit(map.count + 1)
            try ValueNesting.enter()
            defer { ValueNesting.leave() }
            out += "OrderedDict("
            if map.count > 0 {
                out += "["
                for (i, pair) in map.pairs.enumerated() {
                    if i > 0 { out += ", " }
                    out += "(" + pythonQuoted(pair.key) + ", "
                    try pair.value.appendRepr(to: &out, meter: meter, limit: limit)
                    out += ")"
                }
                out += "]"
            }
            out += ")"
        case .dict(let map):
            try meter?.visit(map.count + 1)
            try ValueNesting.enter()
            defer { ValueNesting.leave() }
            out += "{"
            for (i, pair) in map.pairs.enumerated() {
                if i > 0 { out += ", " }
                out += pythonQuoted(pair.key)
                out += ": "
                try pair.value.appendRepr(to: &out, meter: meter, limit: limit)
            }
            out += "}"
        case .callable(let f) where f.pathText != nil:
            out += "PosixPath(" + pythonQuoted(f.pathText ?? "") + ")"
        case .callable(let f):
            out += f.macro != nil ? "<Macro '\(f.name)'>" : "<function \(f.name)>"
        case .undefined: out += "Undefined"
        }
        if out.utf8.count > limit {
            throw EvalError("printing the value would build more than \(limit) bytes", .limit)
        }
    }

    /// Python `==`, charged to the current render for every list and dict item it compares.
    func equals(_ other: Value) throws -> Bool {
        try equals(other, meter: RenderMeter.current)
    }

    func equals(_ other: Value, meter: RenderMeter?) throws -> Bool {
        switch (self, other) {
        case let (.list(a), .list(b)):
            guard a.count == b.count else { return false }
            try meter?.visit(a.count + 1)
            try ValueNesting.enter()
            defer { ValueNesting.leave() }
            for i in 0..<a.count where try !a[i].equals(b[i], meter: meter) { return false }
            return true
        case let (.dict(a), .dict(b)):
            guard a.count == b.count else { return false }
            try meter?.visit(a.count + 1)
            try ValueNesting.enter()
            defer { ValueNesting.leave() }
            for (key, x) in a.pairs {
                guard let y = b[key], try x.equals(y, meter: meter) else { return false }
            }
            return true
        default:
            return self == other
        }
    }

    /// Walks the value as a host function's serialiser would (the Python extensions' bridge
    /// writes it as JSON), charging every item; refuses values whose text would exceed `limit`.
    func checkHandable(limit: Int) throws {
        var bytes = 0
        try measure(&bytes, meter: RenderMeter.current, limit: limit)
    }

    private func measure(_ bytes: inout Int, meter: RenderMeter?, limit: Int) throws {
        switch self {
        case .string(let s), .markup(let s): bytes += s.utf8.count + 2
        case .list(let items):
            try meter?.visit(items.count + 1)
            try ValueNesting.enter()
            defer { ValueNesting.leave() }
            bytes += 2
            for item in items { bytes += 2; try item.measure(&bytes, meter: meter, limit: limit) }
        case .dict(let map):
            try meter?.visit(map.count + 1)
            try ValueNesting.enter()
            defer { ValueNesting.leave() }
            bytes += 2
            for (key, value) in map.pairs { bytes += key.utf8.count + 4; try value.measure(&bytes, meter: meter, limit: limit) }
        default: bytes += 8
        }
        if bytes > limit {
            throw EvalError("the value handed to the host would take more than \(limit) bytes as text", .limit)
        }
    }
}

extension Array where Element == Value {
    /// Python `item in list`, charged to the current render.
    func containsValue(_ item: Value) throws -> Bool {
        let meter = RenderMeter.current
        try meter?.visit(count)
        for element in self where try element.equals(item, meter: meter) { return true }
        return false
    }

    /// Index of the first element equal to `item`, charged to the current render.
    func firstIndex(ofValue item: Value) throws -> Int? {
        let meter = RenderMeter.current
        try meter?.visit(count)
        for (index, element) in enumerated() where try element.equals(item, meter: meter) { return index }
        return nil
    }
}

extension Value {
    /// Appends `str(value)` (what `{{ value }}` and `~` write), stopping past `limit` bytes.
    func appendText(to out: inout String, limit: Int) throws {
        switch self {
        case .string(let s), .markup(let s): out += s
        case .undefined: break
        case .int(let i): out += String(i)
        case .callable(let f) where f.pathText != nil: out += f.pathText ?? ""
        default: try appendRepr(to: &out, limit: limit)
        }
        if out.utf8.count > limit { throw EvalError("string exceeds \(limit) bytes", .limit) }
    }
}
