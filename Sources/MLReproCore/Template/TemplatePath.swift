/// Parent folder and last component of a `/`-separated path inside a template or project, in
/// plain Swift: Foundation's `NSString` path methods trap on some one-character paths (`R`).
/// A path compared byte for byte. Swift's `String` equality is canonical equivalence, so the NFC
/// and NFD spellings of `mañana.txt` would be one key; on Linux they are two files (copier and
/// cookiecutter write both), so the planner keys paths by their bytes.
package struct ExactPath: Hashable, Comparable, Sendable {
    package let path: String
    package init(_ path: String) { self.path = path }
    package static func == (lhs: ExactPath, rhs: ExactPath) -> Bool { lhs.path.utf8.elementsEqual(rhs.path.utf8) }
    /// Byte order, which is code point order for UTF-8 (and `String`'s order for ASCII paths).
    package static func < (lhs: ExactPath, rhs: ExactPath) -> Bool { precedes(lhs.path, rhs.path) }
    package func hash(into hasher: inout Hasher) {
        var path = path
        path.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// `a` sorts before `b` by their bytes.
    package static func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// `paths` without byte-identical repeats, in byte order.
    package static func sortedUnique(_ paths: [String]) -> [String] { Set(paths.map(ExactPath.init)).sorted().map(\.path) }
}

/// A dictionary from paths, compared byte for byte (`ExactPath`), to values.
package struct PathMap<Value>: Sequence {
    private var storage: [ExactPath: Value] = [:]

    package init() {}

    package subscript(path: String) -> Value? {
        get { storage[ExactPath(path)] }
        set { storage[ExactPath(path)] = newValue }
    }

    package var keys: [String] { storage.keys.map(\.path) }
    /// The keys in byte order.
    package var sortedKeys: [String] { storage.keys.sorted().map(\.path) }
    package var count: Int { storage.count }
    package var isEmpty: Bool { storage.isEmpty }

    package func makeIterator() -> AnyIterator<(key: String, value: Value)> {
        var inner = storage.makeIterator()
        return AnyIterator { inner.next().map { (key: $0.key.path, value: $0.value) } }
    }
}

extension PathMap: ExpressibleByDictionaryLiteral {
    package init(dictionaryLiteral elements: (String, Value)...) {
        for (path, value) in elements { self[path] = value }
    }
}

extension PathMap: Sendable where Value: Sendable {}
extension PathMap: Equatable where Value: Equatable {}

enum TemplatePath {
    /// `a/b/c` → `a/b`; `c` → `` (the root).
    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// `a/b/c` → `c`; `c` → `c`.
    static func lastComponent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
