// The one table of built-in filters. Each Filters file contributes the filters it implements
// (name, most positional arguments, function); the parser, `map` and lint know filters from here.

/// A built-in filter.
struct BuiltinFilter: Sendable {
    /// The most positional arguments it takes after the value (nil: any number).
    let maxPositional: Int?
    /// Applies it. It is handed its own name: one function serves all the filters of a file.
    let apply: FilterRegistry.Apply
}

enum FilterRegistry {
    typealias Apply = @Sendable (Renderer, String, Value, FilterArgs) throws -> Value

    /// What each file contributes, in the order the tables are merged.
    static let tables: [[(name: String, filter: BuiltinFilter)]] = [
        strings, collections, extra, ansible, html, urlize, formatQuoting,
    ]

    /// Every built-in filter, by name (looked up once per filter applied).
    static let filters: [String: BuiltinFilter] = Dictionary(
        tables.joined().map { ($0.name, $0.filter) }, uniquingKeysWith: { first, _ in first })

    /// The names of all the built-in filters (what the parser and lint accept besides the host's).
    static let names: Set<String> = Set(filters.keys)

    /// One file's table: its filters with the most positional arguments each takes after the
    /// value (nil: any number), all applied by `apply`.
    static func table(_ arities: KeyValuePairs<String, Int?>, _ apply: @escaping Apply) -> [(name: String, filter: BuiltinFilter)] {
        arities.map { (name: $0.key, filter: BuiltinFilter(maxPositional: $0.value, apply: apply)) }
    }
}

extension Renderer {
    /// A built-in filter by name.
    func builtinFilter(_ name: String, _ value: Value, _ a: FilterArgs) throws -> Value {
        guard let filter = FilterRegistry.filters[name] else { throw EvalError(unknown: .filter(name)) }
        if case .markup(let text) = value { return try markupFilter(name, filter, text, a) }
        return try filter.apply(self, name, value, a)
    }
}
