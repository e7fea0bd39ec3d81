// One bound on how deep lists and dicts nest, for every walk over a value and every value a
// render builds.
import Foundation

/// Lists and dicts nested inside each other: a loop of `{% set ns.x = [ns.x] %}` builds a value
/// thousands of levels deep, and every walk over it (printing, comparing, hashing, serialising)
/// recurses once per level. Each walk counts the levels it is inside on this thread and stops at
/// `limit` with one error; values built by a render are refused past the same depth, so none
/// deeper is ever kept (tearing one down recurses too).
public enum ValueNesting {
    /// The deepest nesting of lists and dicts a template may build or walk.
    public static let limit = 500

    static var message: String { "lists and dicts nest deeper than \(limit) levels" }

    /// Enters one more level of a walk on this thread; throws past `limit`. Pair with `leave()`.
    @inline(__always)
    static func enter() throws {
        let depth = Int(bitPattern: pthread_getspecific(depthKey)) + 1
        guard depth <= limit else { throw EvalError(message, .limit) }
        pthread_setspecific(depthKey, UnsafeRawPointer(bitPattern: depth))
    }

    /// Leaves the level `enter()` entered.
    @inline(__always)
    static func leave() {
        let depth = Int(bitPattern: pthread_getspecific(depthKey)) - 1
        pthread_setspecific(depthKey, UnsafeRawPointer(bitPattern: max(0, depth)))
    }

    /// Whether `value` nests lists and dicts more than `levels` levels deep. Visits lists and dicts
    /// only (not the strings and numbers in them), each shared one again only when reached at a
    /// greater depth, and stops at the first path that is too deep.
    static func exceeds(_ value: Value, levels: Int = limit) -> Bool {
        var deepestSeen: [UInt: Int] = [:]
        var stack: [(Value, Int)] = [(value, 1)]
        while let (v, depth) = stack.popLast() {
            let identity: UInt?
            switch v {
            case .list(let items):
                identity = items.withUnsafeBufferPointer { $0.baseAddress.map { UInt(bitPattern: $0) } }
            case .dict(let map):
                identity = map.pairs.withUnsafeBufferPointer { $0.baseAddress.map { UInt(bitPattern: $0) } }
            default: continue
            }
            guard depth <= levels else { return true }
            guard let identity else { continue }  // empty: nothing inside
            if let seen = deepestSeen[identity], seen >= depth { continue }
            deepestSeen[identity] = depth
            switch v {
            case .list(let items):
                for item in items where item.isContainer { stack.append((item, depth + 1)) }
            case .dict(let map):
                for (_, item) in map.pairs where item.isContainer { stack.append((item, depth + 1)) }
            default: break
            }
        }
        return false
    }
}

extension Value {
    var isContainer: Bool {
        switch self {
        case .list, .dict: return true
        default: return false
        }
    }
}

private let depthKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
