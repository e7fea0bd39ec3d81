// `dict` and `list` methods that change their value in place (`cookiecutter.update({...})` in a
// cookiecutter hook, which Jinja2's sandbox-free environment allows and whose change the files
// rendered afterwards see). Template values are immutable here, so such a call is evaluated on a
// copy and written back, and only where the write-back is exactly Python's aliasing: the
// receiver is a top-level context variable (`name.method(...)`) or a mapping inside one
// (`name.key.method(...)`), not a loop variable, macro argument or `{% set %}` name, which may
// share the object with another name. Elsewhere the methods stay refused by name
// (`Methods.unsupported`), never silently applied to a copy only.

extension Renderer {
    static let inPlaceDictMethods: Set<String> = ["update", "setdefault", "pop", "clear", "popitem"]
    static let inPlaceListMethods: Set<String> = ["append", "extend", "insert", "pop", "remove", "clear", "reverse"]

    /// The call's result when `callee` is an in-place method on a context variable (or a key of
    /// one), after writing the changed value back; nil when it is not such a call.
    func callInPlace(_ callee: Expr, _ args: [Expr], _ kwargs: [(String, Expr)], at offset: Int) throws -> Value? {
        guard case .attribute(let receiver, let method, _) = callee,
              Self.inPlaceDictMethods.contains(method) || Self.inPlaceListMethods.contains(method) else { return nil }
        let root: String
        var key: String?
        switch receiver {
        case .name(let name, _): root = name
        case .attribute(.name(let name, _), let attribute, _): root = name; key = attribute
        default: return nil
        }
        // Only a name the template did not bind itself: frames hold loop variables, macro
        // arguments and `{% set %}` names (frames[0] also what an earlier write-back stored).
        guard frames.indices.dropFirst().allSatisfy({ frames[$0][root] == nil }),
              frames[0][root] == nil ? context[root] != nil : mutatedNames.contains(root),
              case .dict(var top)? = frames[0][root] ?? context[root] else { return nil }
        var target: Value = .dict(top)
        if let key {
            guard let inner = top[key] else { return nil }
            target = inner
        }
        let a = try args.map { try eval($0) }
        let k = try kwargs.map { ($0.0, try eval($0.1)) }
        let (result, changed): (Value, Value)
        switch target {
        case .dict(let map) where Self.inPlaceDictMethods.contains(method):
            (result, changed) = try positioned(offset) { try Self.dictMethod(method, map, a, k) }
        case .list(let items) where Self.inPlaceListMethods.contains(method):
            guard k.isEmpty else { throw source.error("list.\(method)() takes no keyword arguments", at: offset, kind: .type) }
            (result, changed) = try positioned(offset) { try Self.listMethod(method, items, a) }
        default:
            return nil
        }
        if let key {
            top[key] = changed
            frames[0][root] = .dict(top)
        } else {
            frames[0][root] = changed
        }
        mutatedNames.insert(root)
        return result
    }

    static func dictMethod(_ method: String, _ map: OrderedMapping, _ a: [Value], _ k: [(String, Value)]) throws -> (Value, Value) {
        var map = map
        func key(_ value: Value) throws -> String {
            guard case .string(let text) = value else { throw EvalError("dict.\(method)(): only string keys are supported here", .type) }
            return text
        }
        switch method {
        case "update":
            guard a.count <= 1 else { throw EvalError("update expected at most 1 argument, got \(a.count)", .type) }
            if let other = a.first {
                switch other {
                case .dict(let pairs): for (name, value) in pairs.pairs { map[name] = value }
                case .list(let items):
                    for item in items {
                        guard case .list(let pair) = item, pair.count == 2 else {
                            throw EvalError("dictionary update sequence element has the wrong length; 2 is required", .value)
                        }
                        map[try key(pair[0])] = pair[1]
                    }
                default: throw EvalError("'\(other.typeName)' object is not iterable", .type)
                }
            }
            for (name, value) in k { map[name] = value }
            return (.none, .dict(map))
        case "setdefault":
            guard k.isEmpty, (1...2).contains(a.count) else { throw EvalError("setdefault takes 1 or 2 positional arguments", .type) }
            let name = try key(a[0])
            if let existing = map[name] { return (existing, .dict(map)) }
            let value = a.count > 1 ? a[1] : .none
            map[name] = value
            return (value, .dict(map))
        case "pop":
            guard k.isEmpty, (1...2).contains(a.count) else { throw EvalError("pop expected 1 or 2 arguments", .type) }
            let name = try key(a[0])
            if let existing = map[name] {
                map[name] = nil
                return (existing, .dict(map))
            }
            guard a.count > 1 else { throw EvalError("KeyError: \(a[0].pythonRepr)", .value) }
            return (a[1], .dict(map))
        case "popitem":
            guard k.isEmpty, a.isEmpty else { throw EvalError("popitem() takes no arguments", .type) }
            guard let last = map.pairs.last else { throw EvalError("KeyError: 'popitem(): dictionary is empty'", .value) }
            map[last.key] = nil
            return (.list([.string(last.key), last.value]), .dict(map))
        default: // clear
            guard k.isEmpty, a.isEmpty else { throw EvalError("clear() takes no arguments", .type) }
            var empty = OrderedMapping()
            empty.printsAsOrderedDict = map.printsAsOrderedDict
            return (.none, .dict(empty))
        }
    }

    static func listMethod(_ method: String, _ items: [Value], _ a: [Value]) throws -> (Value, Value) {
        var items = items
        func index(_ value: Value, clampTo count: Int) throws -> Int {
            guard case .int(let i) = value else { throw EvalError("'\(value.typeName)' object cannot be interpreted as an integer", .type) }
            return i < 0 ? max(0, i + count) : min(i, count)
        }
        switch method {
        case "append":
            guard a.count == 1 else { throw EvalError("list.append() takes exactly one argument (\(a.count) given)", .type) }
            items.append(a[0])
        case "extend":
            guard a.count == 1 else { throw EvalError("list.extend() takes exactly one argument (\(a.count) given)", .type) }
            items += try iterate(a[0])
        case "insert":
            guard a.count == 2 else { throw EvalError("insert expected 2 arguments, got \(a.count)", .type) }
            items.insert(a[1], at: try index(a[0], clampTo: items.count))
        case "pop":
            guard a.count <= 1 else { throw EvalError("pop expected at most 1 argument, got \(a.count)", .type) }
            guard !items.isEmpty else { throw EvalError("pop from empty list", .value) }
            var at = items.count - 1
            if let given = a.first {
                guard case .int(let i) = given else { throw EvalError("'\(given.typeName)' object cannot be interpreted as an integer", .type) }
                at = i < 0 ? i + items.count : i
                guard at >= 0, at < items.count else { throw EvalError("pop index out of range", .value) }
            }
            let removed = items.remove(at: at)
            return (removed, .list(items))
        case "remove":
            guard a.count == 1 else { throw EvalError("list.remove() takes exactly one argument (\(a.count) given)", .type) }
            guard let at = items.firstIndex(of: a[0]) else { throw EvalError("list.remove(x): x not in list", .value) }
            items.remove(at: at)
        case "reverse":
            guard a.isEmpty else { throw EvalError("list.reverse() takes no arguments", .type) }
            items.reverse()
        default: // clear
            guard a.isEmpty else { throw EvalError("list.clear() takes no arguments", .type) }
            items = []
        }
        return (.none, .list(items))
    }
}
