// Built-in filters over sequences and mappings.

extension FilterRegistry {
    static let collections = table([
        "length": 0, "count": 0, "list": 0, "first": 0, "last": 0, "reverse": 0, "items": 0, "join": 2,
        "sort": 3, "dictsort": 3, "unique": 2, "min": 2, "max": 2, "sum": 2, "batch": 2, "slice": 2,
        "map": nil, "select": nil, "reject": nil, "selectattr": nil, "rejectattr": nil, "groupby": 3,
        "tojson": 1, "to_json": 0, "to_nice_json": 2, "jsonify": 1, "to_yaml": 0, "to_nice_yaml": 1,
    ]) { try $0.collectionFilter($1, $2, $3) }
}

extension Renderer {
    /// Resolves a dotted attribute path (`a.b.0`) the way Jinja2's attribute filters do.
    func attributePath(_ v: Value, _ path: String) throws -> Value? {
        var current = v
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            let key: Value = Int(part).map { .int($0) } ?? .string(String(part))
            guard let next = try getItem(current, key) ?? (try getAttribute(current, String(part))) else { return nil }
            current = next
        }
        return current
    }

    func requiredAttribute(_ v: Value, _ path: String) throws -> Value {
        if let r = try attributePath(v, path) { return r }
        throw EvalError("'\(describeObject(v))' has no attribute '\(path)'", .undefined)
    }

    /// Sort key: lowercased strings unless case-sensitive.
    func sortKey(_ v: Value, _ caseSensitive: Bool) -> Value {
        if !caseSensitive, case .string(let s) = v.unmarked { return .string(s.lowercased()) }
        return v
    }

    func sorted(_ items: [Value], by key: (Value) throws -> Value, reverse: Bool) throws -> [Value] {
        let keyed = try items.enumerated().map { (i: $0.offset, k: try key($0.element), v: $0.element) }
        var failure: Error? = nil
        let result = keyed.sorted { x, y in
            do {
                let c = try Operators.order(x.k, y.k)
                if c != 0 { return reverse ? c > 0 : c < 0 }
            } catch { failure = error }
            return x.i < y.i
        }
        if let failure { throw failure }
        return result.map(\.v)
    }

    func collectionFilter(_ name: String, _ value: Value, _ a: FilterArgs) throws -> Value {
        switch name {
        case "length", "count":
            switch value {
            case .string(let s): return .int(s.unicodeScalars.count)
            case .list(let l): return .int(l.count)
            case .dict(let d): return .int(d.count)
            default: throw EvalError("object of type '\(value.typeName)' has no len()")
            }
        case "list": return .list(try iterate(value))
        case "first":
            let items = try iterate(value)
            guard let f = items.first else { throw EvalError("first: the sequence is empty, so there is no first item", .undefined) }
            return f
        case "last":
            let items = try iterate(value)
            guard let l = items.last else { throw EvalError("last: the sequence is empty, so there is no last item", .undefined) }
            return l
        case "reverse":
            if case .string(let s) = value { return .string(stringFrom(s.unicodeScalars.reversed())) }
            return .list(try iterate(value).reversed())
        case "items":
            guard case .dict(let d) = value else {
                if value == .none { return .list([]) }
                throw EvalError("items: can only get item pairs from a mapping, not \(value.typeName)")
            }
            return .list(d.pairs.map { .list([.string($0.key), $0.value]) })
        case "join":
            var items = try iterate(value)
            if let attr = try a.string(1, "attribute", nil) { items = try items.map { try requiredAttribute($0, attr) } }
            let sep = try a.get(0, "d")?.text() ?? ""
            let parts = try items.map({ try $0.text() })
            try checkBuiltSize(joinedSize(parts, separator: sep), "join")
            return .string(parts.joined(separator: sep))
        case "sort":
            let reverse = a.bool(0, "reverse", false), cs = a.bool(1, "case_sensitive", false)
            let attrs = try a.string(2, "attribute", nil)?.split(separator: ",").map(String.init)
            return .list(try sorted(try iterate(value), by: { v in
                guard let attrs else { return sortKey(v, cs) }
                let keys = try attrs.map { sortKey(try requiredAttribute(v, $0), cs) }
                return keys.count == 1 ? keys[0] : .list(keys)
            }, reverse: reverse))
        case "dictsort":
            guard case .dict(let d) = value else { throw EvalError("dictsort: you can only sort mappings, not \(value.typeName)") }
            let cs = a.bool(0, "case_sensitive", false)
            let by = try a.string(1, "by", "key") ?? "key"
            let reverse = a.bool(2, "reverse", false)
            guard by == "key" || by == "value" else { throw EvalError("You can only sort by either \"key\" or \"value\"", .value) }
            let pairs = d.pairs.map { Value.list([.string($0.key), $0.value]) }
            return .list(try sorted(pairs, by: { p in
                guard case .list(let kv) = p else { return p }
                return sortKey(kv[by == "key" ? 0 : 1], cs)
            }, reverse: reverse))
        case "unique":
            let cs = a.bool(0, "case_sensitive", false)
            let attr = try a.string(1, "attribute", nil)
            // Strings (the usual keys) are looked up in a set; other keys are compared, and
            // every comparison is charged to the render.
            var seenStrings: Set<String> = [], seen: [Value] = [], out: [Value] = []
            for item in try iterate(value) {
                let k = sortKey(try attr.map { try requiredAttribute(item, $0) } ?? item, cs)
                if case .string(let text) = k {
                    if seenStrings.insert(text).inserted { out.append(item) }
                } else if try !seen.containsValue(k) {
                    seen.append(k)
                    out.append(item)
                }
            }
            return .list(out)
        case "min", "max":
            let cs = a.bool(0, "case_sensitive", false)
            let attr = try a.string(1, "attribute", nil)
            let items = try iterate(value)
            guard !items.isEmpty else { throw EvalError("\(name): the sequence is empty", .undefined) }
            let s = try sorted(items, by: { v in sortKey(try attr.map { try requiredAttribute(v, $0) } ?? v, cs) }, reverse: false)
            if name == "min" { return s[0] }
            // max returns the first of equal maxima, as Python's max does.
            let keyOf = { (v: Value) throws -> Value in self.sortKey(try attr.map { try self.requiredAttribute(v, $0) } ?? v, cs) }
            let top = try keyOf(s[s.count - 1])
            return try items.first { try keyOf($0).equals(top) } ?? s[s.count - 1]
        case "sum":
            let attr = try a.string(0, "attribute", nil)
            var total = a.get(1, "start") ?? .int(0)
            if case .string = total { throw EvalError("sum() can't sum strings [use ''.join(seq) instead]") }
            for item in try iterate(value) {
                let v = try attr.map { try requiredAttribute(item, $0) } ?? item
                total = try Operators.binary(.add, total, v, limits: limits)
            }
            return total
        case "batch", "slice":
            let n = try a.int(0, name == "batch" ? "linecount" : "slices", 1)
            guard n > 0 else { throw EvalError("\(name) size must be positive", .value) }
            guard n <= limits.maxRange else { throw EvalError("\(name) size \(n) exceeds the limit of \(limits.maxRange)", .limit) }
            let fill = a.get(1, "fill_with")
            let items = try iterate(value)
            return .list(name == "batch" ? batch(items, n, fill) : slices(items, n, fill))
        case "map": return .list(try mapFilter(value, a))
        case "select", "reject", "selectattr", "rejectattr":
            return .list(try selectFilter(name, value, a))
        case "groupby":
            guard let attrValue = a.get(0, "attribute") else { throw EvalError("groupby needs an attribute") }
            let attr = try attrValue.text()
            let dflt = a.get(1, "default")
            let cs = a.bool(2, "case_sensitive", false)
            let items = try iterate(value)
            let keyOf = { (v: Value) throws -> Value in
                if let k = try self.attributePath(v, attr) { return k }
                if let dflt { return dflt }
                throw EvalError("'\(self.describeObject(v))' has no attribute '\(attr)'", .undefined)
            }
            let ordered = try sorted(items, by: { sortKey(try keyOf($0), cs) }, reverse: false)
            var groups: [(Value, [Value])] = []
            for item in ordered {
                let k = try keyOf(item)
                if let last = groups.last, try sortKey(last.0, cs).equals(sortKey(k, cs)) {
                    groups[groups.count - 1].1.append(item)
                } else {
                    groups.append((k, [item]))
                }
            }
            return .list(groups.map { .list([$0.0, .list($0.1)]) })
        case "tojson": return .markup(try htmlSafeJSON(value, indent: a.get(0, "indent")))
        case "to_json": return .string(try jsonText(value, indent: nil, sortKeys: false, asciiOnly: true))
        case "to_nice_json", "jsonify":
            // `indent=None` is json.dumps's one-line form.
            let indent: Int? = a.get(0, "indent") == Value.none ? nil : try a.int(0, "indent", 4)
            return .string(try jsonText(value, indent: indent, sortKeys: a.bool(1, "sort_keys", true), asciiOnly: true))
        case "to_yaml": return .string(try yamlText(value, indent: 2, flowLeaves: true, limit: limits.maxOutputBytes))
        case "to_nice_yaml":
            return .string(try yamlText(value, indent: try a.int(0, "indent", 4), flowLeaves: false, limit: limits.maxOutputBytes))
        default:
            throw EvalError(unknown: .filter(name))
        }
    }

    func batch(_ items: [Value], _ n: Int, _ fill: Value?) -> [Value] {
        var out: [Value] = []
        var i = 0
        while i < items.count {
            var chunk = Array(items[i..<min(i + n, items.count)])
            if let fill, chunk.count < n { chunk += Array(repeating: fill, count: n - chunk.count) }
            out.append(.list(chunk))
            i += n
        }
        return out
    }

    func slices(_ items: [Value], _ n: Int, _ fill: Value?) -> [Value] {
        let perSlice = items.count / n, extra = items.count % n
        var offset = 0
        var out: [Value] = []
        for i in 0..<n {
            let start = offset + i * perSlice
            if i < extra { offset += 1 }
            let end = offset + (i + 1) * perSlice
            var chunk = Array(items[start..<end])
            if let fill, i >= extra { chunk.append(fill) }
            out.append(.list(chunk))
        }
        return out
    }

    func mapFilter(_ value: Value, _ a: FilterArgs) throws -> [Value] {
        let items = try iterate(value)
        if let attr = try a.kwargs.first(where: { $0.0 == "attribute" })?.1.text() {
            let dflt = a.kwargs.first(where: { $0.0 == "default" })?.1
            return try items.map { item in
                if let v = try attributePath(item, attr) { return v }
                if let dflt { return dflt }
                let message = "'\(describeObject(item))' has no attribute '\(attr)'"
                if lenient { return .undefined(message: message) }
                throw EvalError(message, .undefined)
            }
        }
        guard case .string(let filterName)? = a.args.first else { throw EvalError("map needs a filter name or attribute=") }
        guard FilterRegistry.names.contains(filterName) || hostFilter(filterName) != nil else {
            throw EvalError(unknown: .filter(filterName))
        }
        let rest = FilterArgs(args: Array(a.args.dropFirst()), kwargs: a.kwargs)
        return try items.map { try account(try filter(filterName, $0, rest)) }
    }

    func selectFilter(_ name: String, _ value: Value, _ a: FilterArgs) throws -> [Value] {
        let items = try iterate(value)
        let byAttr = name.hasSuffix("attr")
        var args = a.args
        var attr: String? = nil
        if byAttr {
            guard !args.isEmpty else { throw EvalError("\(name) needs an attribute name") }
            attr = try args.removeFirst().text()
        }
        var testName: String? = nil
        if !args.isEmpty { testName = try args.removeFirst().text() }
        if let testName, !TestNames.all.contains(testName) && environment.tests[testName] == nil {
            throw EvalError(unknown: .test(testName))
        }
        let keep = name.hasPrefix("select")
        return try items.filter { item in
            let v: Value?
            if let attr { v = try attributePath(item, attr) } else { v = item }
            let passed: Bool
            if let testName { passed = try applyTest(testName, v, args) } else {
                guard let v else {
                    if lenient { return !keep }
                    throw EvalError("'\(describeObject(item))' has no attribute '\(attr ?? "")'", .undefined)
                }
                passed = v.isTruthy
            }
            return passed == keep
        }
    }
}
