/// Parent folder and last component of a `/`-separated path inside a template or project, in
/// plain Swift: Foundation's `NSString` path methods trap on some one-character paths (`R`).
/// A path compared byte for byte. Swift's `String` equality is canonical equivalence, so the NFC
/// and NFD spellings of `mañana.txt` would be one key; on Linux they are two files (copier and
/// cookiecutter write both), so the planner keys paths by their bytes.
public struct ExactPath: Hashable, Sendable {
    public let path: String
    public init(_ path: String) { self.path = path }
    public static func == (lhs: ExactPath, rhs: ExactPath) -> Bool { lhs.path.utf8.elementsEqual(rhs.path.utf8) }
    public func hash(into hasher: inout Hasher) {
        for byte in path.utf8 { hasher.combine(byte) }
    }
}

/// A dictionary from paths, compared byte for byte (`ExactPath`), to values.
public struct PathMap<Value>: Sequence {
    private var storage: [ExactPath: Value] = [:]

    public init() {}

    public subscript(path: String) -> Value? {
        get { storage[ExactPath(path)] }
        set { storage[ExactPath(path)] = newValue }
    }

    public var keys: [String] { storage.keys.map(\.path) }
    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }

    public func makeIterator() -> AnyIterator<(key: String, value: Value)> {
        var inner = storage.makeIterator()
        return AnyIterator { inner.next().map { (key: $0.key.path, value: $0.value) } }
    }
}

extension PathMap: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Value)...) {
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
