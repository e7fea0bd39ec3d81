// Python's `list` and `dict` methods that change the value in place (`items.append(x)`,
// `d.update(...)`), for the receiver a template names directly: `{% set _ = items.append(x) %}`
// changes the variable `items` where it is defined, as Jinja2 changes the object it names.
// Only a variable of the context or one set at the template's top level (`Renderer.bindsOnlyOneName`):
// a loop variable, a macro argument or a name set inside a loop or macro may share its object with
// another list, which Jinja2 would change too, so there the call is refused by name
// (`Methods.unsupported`), as it is on a value no variable holds. Values are copied on assignment
// here, so another top-level name bound to the same list earlier does not see the change.

extension Methods {
    static let inPlaceList: Set<String> = ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"]
    static let inPlaceDict: Set<String> = ["clear", "pop", "popitem", "setdefault", "update"]

    /// True when `name` changes a value of `value`'s type in place.
    static func changesInPlace(_ value: Value, _ name: String) -> Bool {
        switch value {
        case .list: return inPlaceList.contains(name)
        case .dict: return inPlaceDict.contains(name)
        default: return false
        }
    }

    /// Applies the method: the changed value and what the call returns (Python's `None` for most).
    static func applyInPlace(_ value: Value, _ name: String, _ a: [Value], _ k: [(String, Value)]) throws -> (changed: Value, result: Value) {
        func arity(_ most: Int, least: Int = 0) throws {
            guard a.count >= least, a.count <= most else {
                throw EvalError("\(name)() takes \(least == most ? "exactly \(most)" : "at most \(most)") argument\(most == 1 ? "" : "s") (\(a.count) given)")
            }
        }
        switch value {
        case .list(var items):
            if name != "sort", let (key, _) = k.first { throw EvalError("\(name)() takes no keyword argument '\(key)'") }
            switch name {
            case "append":
                try arity(1, least: 1)
                items.append(a[0])
            case "extend":
                try arity(1, least: 1)
                items += try iterate(a[0])
            case "insert":
                try arity(2, least: 2)
                guard case .int(var at) = a[0] else { throw EvalError("'\(a[0].typeName)' object cannot be interpreted as an integer") }
                if at < 0 { at = max(0, items.count + at) }
                items.insert(a[1], at: min(at, items.count))
            case "pop":
                try arity(1)
                var at = items.count - 1
                if let given = a.first {
                    guard case .int(let i) = given else { throw EvalError("'\(given.typeName)' object cannot be interpreted as an integer") }
                    at = i < 0 ? items.count + i : i
                }
                guard !items.isEmpty else { throw EvalError("pop from empty list", .value) }
                guard at >= 0, at < items.count else { throw EvalError("pop index out of range", .value) }
                let popped = items.remove(at: at)
                return (.list(items), popped)
            case "remove":
                try arity(1, least: 1)
                guard let at = try items.firstIndex(ofValue: a[0]) else { throw EvalError("list.remove(x): x not in list", .value) }
                items.remove(at: at)
            case "reverse":
                try arity(0)
                items.reverse()
            case "clear":
                try arity(0)
                items = []
            case "sort":
                guard a.isEmpty else { throw EvalError("sort() takes no positional arguments") }
                var descending = false
                for (key, flag) in k {
                    guard key == "reverse" else {
                        throw EvalError("sort(\(key)=...) is not supported: sort() here takes only reverse=; use the sort filter (`items|sort(attribute='x')`)")
                    }
                    descending = flag.isTruthy
                }
                // Python's sort is stable, also with reverse=True.
                let order = try items.indices.sorted { i, j in
                    if try Operators.compare(.lt, items[i], items[j]) { return !descending }
                    if try Operators.compare(.lt, items[j], items[i]) { return descending }
                    return i < j
                }
                items = order.map { items[$0] }
            default:
                throw EvalError("list.\(name)() is not supported")
            }
            return (.list(items), .none)
        case .dict(var map):
            if name != "update", let (key, _) = k.first { throw EvalError("\(name)() takes no keyword argument '\(key)'") }
            func key(_ v: Value) throws -> String {
                guard case .string(let s) = v else { throw EvalError("dict keys are strings here; \(v.pythonRepr) is not", .value) }
                return s
            }
            switch name {
            case "clear":
                try arity(0)
                map = OrderedMapping()
            case "pop":
                try arity(2, least: 1)
                let name = try key(a[0])
                guard let found = map[name] else {
                    if a.count > 1 { return (.dict(map), a[1]) }
                    throw EvalError(a[0].pythonRepr, .value)
                }
                map[name] = nil
                return (.dict(map), found)
            case "popitem":
                try arity(0)
                guard let last = map.pairs.last else { throw EvalError("'popitem(): dictionary is empty'", .value) }
                map[last.key] = nil
                return (.dict(map), .list([.string(last.key), last.value]))
            case "setdefault":
                try arity(2, least: 1)
                let name = try key(a[0])
                if let found = map[name] { return (.dict(map), found) }
                let given = a.count > 1 ? a[1] : .none
                map[name] = given
                return (.dict(map), given)
            case "update":
                try arity(1)
                if let other = a.first {
                    switch other {
                    case .dict(let more): for (k, v) in more.pairs { map[k] = v }
                    default:
                        for pair in try iterate(other) {
                            let both = try iterate(pair)
                            guard both.count == 2 else {
                                throw EvalError("dictionary update sequence element has length \(both.count); 2 is required", .value)
                            }
                            map[try key(both[0])] = both[1]
                        }
                    }
                }
                for (k, v) in k { map[k] = v }
            default:
                throw EvalError("dict.\(name)() is not supported")
            }
            return (.dict(map), .none)
        default:
            throw EvalError("\(value.typeName).\(name)() is not supported")
        }
    }
}

extension Renderer {
    /// The result of `callee(args)` when it is an in-place method on a variable, or on one
    /// attribute of a mapping a variable holds (`items.append(x)`, `ns.items.append(x)`), after
    /// storing the changed value where the variable is defined; nil for any other call.
    func callInPlace(_ callee: Expr, _ args: [Expr], _ kwargs: [(String, Expr)], at offset: Int) throws -> Value? {
        // Cheap first: most calls are not to an in-place method.
        guard case .attribute(let receiver, let method, _) = callee,
              Methods.inPlaceList.contains(method) || Methods.inPlaceDict.contains(method) else { return nil }
        let variable: String
        var field: String?
        switch receiver {
        case .name(let name, _): variable = name
        case .attribute(.name(let name, _), let attribute, _): variable = name; field = attribute
        default: return nil
        }
        guard bindsOnlyOneName(variable), let held = lookup(variable) else { return nil }
        var holder = OrderedMapping()
        let current: Value
        if let field {
            guard case .dict(let mapping) = held, let inner = mapping[field] else { return nil }
            holder = mapping
            current = inner
        } else {
            current = held
        }
        guard Methods.changesInPlace(current, method) else { return nil }
        let a = try args.map { try eval($0) }
        let k = try kwargs.map { ($0.0, try eval($0.1)) }
        let (changed, result) = try positioned(offset) { try Methods.applyInPlace(current, method, a, k) }
        if let field {
            holder[field] = changed
            try rebind(variable, .dict(holder), at: offset)
        } else {
            try rebind(variable, changed, at: offset)
        }
        return result
    }
}
