// Jinja2's `cycler` and `joiner` globals: small objects whose state lives across calls in one render.
import Foundation

/// Mutable state shared by the functions of one `cycler` or `joiner` (renders are single-threaded;
/// the lock keeps the type honestly Sendable).
private final class HelperState: @unchecked Sendable {
    private let lock = NSLock()
    private var position = 0
    func withLock<T>(_ body: (inout Int) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&position)
    }
}

extension Builtins {
    /// `cycler(*items)`: `.next()` returns the current item and advances, `.reset()` goes back to
    /// the first, `.current` is the item `next()` returns next; `.items` the items.
    static let cycler = NativeFunction(builtin: "cycler") { args, kwargs in
        if let (name, _) = kwargs.first {
            throw EvalError("Cycler.__init__() got an unexpected keyword argument '\(name)'")
        }
        guard !args.isEmpty else { throw EvalError("at least one item has to be provided", .value) }
        let items = args
        let state = HelperState()
        let next = NativeFunction(builtin: "next") { a, k in
            guard a.isEmpty, k.isEmpty else { throw EvalError("Cycler.next() takes no arguments") }
            return state.withLock { pos in
                let value = items[pos]
                pos = (pos + 1) % items.count
                return value
            }
        }
        let reset = NativeFunction(builtin: "reset") { a, k in
            guard a.isEmpty, k.isEmpty else { throw EvalError("Cycler.reset() takes no arguments") }
            state.withLock { $0 = 0 }
            return .none
        }
        var object = NativeFunction(builtin: "Cycler") { _, _ in
            throw EvalError("'Cycler' object is not callable")
        }
        object.attributes = { name in
            switch name {
            case "next", "__next__": return .callable(next)
            case "reset": return .callable(reset)
            case "current": return state.withLock { items[$0] }
            case "items": return .list(items)
            default: return nil
            }
        }
        return .callable(object)
    }

    /// `joiner(sep=", ")`: a function that returns "" the first time it is called, then `sep`.
    static let joiner = NativeFunction(builtin: "joiner") { args, kwargs in
        var sep: Value = .string(", ")
        if args.count > 1 {
            throw EvalError("Joiner.__init__() takes from 1 to 2 positional arguments but \(args.count + 1) were given")
        }
        if let first = args.first { sep = first }
        for (name, value) in kwargs {
            guard name == "sep", args.isEmpty else {
                throw EvalError("Joiner.__init__() got an unexpected keyword argument '\(name)'")
            }
            sep = value
        }
        let state = HelperState(), separator = sep
        return .callable(NativeFunction(builtin: "joiner") { a, k in
            guard a.isEmpty, k.isEmpty else { throw EvalError("Joiner.__call__() takes no arguments") }
            return state.withLock { used in
                if used == 0 { used = 1; return .string("") }
                return separator
            }
        })
    }
}
