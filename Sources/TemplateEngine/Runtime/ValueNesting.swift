// One bound on how deep lists and dicts nest, for every walk over a value and every value a
// render builds.
import Foundation

/// Lists and dicts nested inside each other: a loop of `{% set ns.x = [ns.x] %}` builds a value
/// thousands of levels deep, and every walk over it (printing, comparing, hashing, serialising)
/// recurses once per level. Each walk counts the levels it is inside on this thread and stops at
/// `limit` with one error. `{% set %}` refuses values nested past the same depth, so that no
/// render keeps a deeper one (tearing one down recurses too, beyond any error's reach): `height`
/// measures them, remembering what it measured so that re-setting a kept value costs nothing.
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

    /// The storage a list or dict shares with its copies (nil for scalars and empty ones).
    static func identity(_ value: Value) -> UInt? {
        switch value {
        case .list(let items):
            return items.withUnsafeBufferPointer { $0.baseAddress.map { UInt(bitPattern: $0) } }
        case .dict(let map):
            return map.pairs.withUnsafeBufferPointer { $0.baseAddress.map { UInt(bitPattern: $0) } }
        default: return nil
        }
    }

    /// How many levels of lists and dicts `value` nests (a list of strings: 1), counted up to
    /// `cap + 1`. Visits lists and dicts only, each shared one once, and asks `known` first.
    static func height(_ value: Value, cap: Int, known: inout NestingMemo) -> Int {
        let count: Int
        switch value {
        case .list(let items): count = items.count
        case .dict(let map): count = map.count
        default: return 0
        }
        // A large value may have been measured already (set again, or inside the new one).
        var id: UInt?
        if count >= NestingMemo.worthKeeping {
            id = identity(value)
            if let id, let height = known.height(of: id) { return height }
        }
        known.visited += count
        // Most lists and dicts hold only strings and numbers.
        let inner: Bool
        switch value {
        case .list(let items): inner = items.contains { $0.isContainer }
        case .dict(let map): inner = map.pairs.contains { $0.value.isContainer }
        default: inner = false
        }
        guard inner else { return 1 }
        if id == nil { id = identity(value) }
        guard let id else { return 1 }
        if count < NestingMemo.worthKeeping, let height = known.height(of: id) { return height }
        guard cap > 0 else { return 1 }
        var height = 1
        switch value {
        case .list(let items):
            for item in items {
                switch item {
                case .list, .dict:
                    height = max(height, 1 + Self.height(item, cap: cap - 1, known: &known))
                    if height > cap { return height }
                default: continue
                }
            }
        case .dict(let map):
            for (_, item) in map.pairs {
                switch item {
                case .list, .dict:
                    height = max(height, 1 + Self.height(item, cap: cap - 1, known: &known))
                    if height > cap { return height }
                default: continue
                }
            }
        default: break
        }
        known.remember(id, height: height)
        return height
    }
}

/// Heights of lists and dicts already measured: those of one walk, and of the last few values a
/// render kept (held, so that their storage is not reused by another value while remembered),
/// so that `set ns.x = [ns.x]` or setting the same large list again measures only what is new.
struct NestingMemo {
    private var walk: [UInt: Int] = [:]
    private var kept: [(id: UInt, value: Value, height: Int)] = []
    private static let keptCount = 8
    /// Values of at least this many items (or whose walk looked at as many) are remembered.
    static let worthKeeping = 64
    /// Items the current walk has looked at: only a value that took many is worth keeping.
    var visited = 0

    func height(of id: UInt) -> Int? {
        if let height = walk[id] { return height }
        return kept.first { $0.id == id }?.height
    }

    mutating func remember(_ id: UInt, height: Int) {
        walk[id] = height
    }

    /// Ends one walk, keeping `value` (its root) for the next ones.
    mutating func keep(_ value: Value, height: Int) {
        defer { visited = 0 }
        if !walk.isEmpty { walk.removeAll(keepingCapacity: true) }
        guard visited >= Self.worthKeeping, height <= ValueNesting.limit, let id = ValueNesting.identity(value) else { return }
        kept.removeAll { $0.id == id }
        if kept.count == Self.keptCount { kept.removeFirst() }
        kept.append((id, value, height))
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
