// MarkupSafe's `Markup` (`Value.markup`) as Jinja2 3.1.6 with autoescape off treats it: the filters
// and methods that keep it, the operators that escape their plain-string operands, and the
// operations refused because their result would differ from Jinja2's.

extension Value {
    /// `Markup(value)` of a string result (what Markup's own methods do to their results).
    static func markingSafe(_ v: Value) -> Value {
        if case .string(let s) = v { return .markup(s) }
        return v
    }

    /// The value with a markup-safe string turned into a plain one (`str(markup)`).
    var unmarked: Value {
        if case .markup(let s) = self { return .string(s) }
        return self
    }

    /// MarkupSafe's `escape`: a markup-safe string stays as it is; anything else is `str()`-ed and escaped.
    func escapedMarkup() throws -> Value {
        if case .markup = self { return self }
        return .markup(htmlEscape(try text()))
    }

    /// What `Markup % args` does to an argument, as the plain text the formatting reads: a string
    /// is escaped, a markup-safe one is taken as it is, other values pass unchanged.
    var escapedArgument: Value {
        switch self {
        case .string(let s): return .string(htmlEscape(s))
        case .markup(let s): return .string(s)
        case .none, .bool, .int, .float, .list, .dict, .callable, .undefined: return self
        }
    }
}

/// How a filter treats a markup-safe input (Jinja2 3.1.6, autoescape off).
enum MarkupFilterRule {
    /// Returns the input unchanged (`e`, `safe`, `string`, `default`…).
    case identity
    /// Runs on the text; a string result is markup again (Markup's own methods: `upper`, `center`…).
    case keep
    /// Runs on the text; the result is whatever it is for the plain string (`str(value)` first,
    /// iteration into plain characters, numbers…).
    case plain
    /// Handed the markup value itself: the filter knows what to do with it (`urlize`, `attr`).
    case markupAware
    /// Would differ from Jinja2: refused with a clear error.
    case unsupported(String)
}

enum MarkupFilters {
    static let rules: [String: MarkupFilterRule] = {
        var r: [String: MarkupFilterRule] = [:]
        for n in ["e", "escape", "safe", "string", "default", "d", "mandatory"] { r[n] = .identity }
        for n in ["capitalize", "center", "lower", "upper", "trim", "indent", "format", "truncate", "tojson",
                  "forceescape", "reverse", "last", "random", "ans_random", "regex_escape", "win_basename",
                  "win_dirname"] { r[n] = .keep }
        for n in ["urlize", "attr", "pprint", "type_debug"] { r[n] = .markupAware }
        for n in ["to_yaml", "to_nice_yaml"] {
            r[n] = .unsupported("PyYAML writes a markup-safe string as a tagged Python object (!!python/object/new:markupsafe.Markup)")
        }
        for n in ["splitext", "win_splitdrive"] {
            r[n] = .unsupported("Python returns a tuple of markup-safe strings, which the engine cannot print as Python does")
        }
        return r
    }()

    /// The rule for `name`; filters not listed treat the input as its plain text.
    static func rule(_ name: String) -> MarkupFilterRule { rules[name] ?? .plain }
}

extension Renderer {
    /// A built-in filter applied to a markup-safe string (see `MarkupFilters`).
    func markupFilter(_ name: String, _ filter: BuiltinFilter, _ text: String, _ a: FilterArgs) throws -> Value {
        switch MarkupFilters.rule(name) {
        case .identity:
            return .markup(text)
        case .plain:
            return try filter.apply(self, name, .string(text), a)
        case .markupAware:
            return try filter.apply(self, name, .markup(text), a)
        case .keep:
            switch name {
            case "forceescape":
                return .markup(htmlEscape(text))
            case "format":
                // `Markup % args` escapes its string arguments.
                let escaped = FilterArgs(args: a.args.map(\.escapedArgument),
                                         kwargs: a.kwargs.map { ($0.0, $0.1.escapedArgument) })
                try refusePercentRepr(text)
                return Value.markingSafe(try filter.apply(self, name, .string(text), escaped))
            case "truncate":
                // `s[:n] + end`: Markup's `+` escapes the end marker.
                let result = try filter.apply(self, name, .string(text), a)
                guard case .string(let cut) = result, cut != text else { return Value.markingSafe(result) }
                let end = try a.string(2, "end", "...") ?? "..."
                guard cut.hasSuffix(end) else { return .markup(cut) }
                return .markup(String(cut.dropLast(end.count)) + htmlEscape(end))
            default:
                return Value.markingSafe(try filter.apply(self, name, .string(text), a))
            }
        case .unsupported(let why):
            throw EvalError("filter '\(name)' of a markup-safe string (Markup) is not supported: \(why); apply `|string` first", .type)
        }
    }
}

/// `Markup % args` renders `%r`/`%a` as the escaped repr of the original argument; refused.
func refusePercentRepr(_ format: String) throws {
    var percent = false, inKey = false
    for c in format.unicodeScalars {
        if inKey {
            if c == ")" { inKey = false }
        } else if percent && c == "(" {
            inKey = true
        } else if percent {
            if c == "r" || c == "a" {
                throw EvalError("'%\(c)' in a markup-safe string's % formatting is not supported; apply `|string` first", .type)
            }
            if c == "%" || c.properties.isAlphabetic { percent = false }
        } else if c == "%" {
            percent = true
        }
    }
}

extension Operators {
    /// `+`, `*` and `%` with a markup-safe operand, as Markup's operators (nil: not a markup operation).
    static func markupBinary(_ op: BinaryOp, _ a: Value, _ b: Value, limits: RenderLimits) throws -> Value? {
        switch (op, a, b) {
        case (.add, .markup(let s), .string), (.add, .markup(let s), .markup):
            let t = try b.escapedMarkup().text()
            if s.utf8.count + t.utf8.count > limits.maxOutputBytes { throw EvalError("string too long", .limit) }
            return .markup(s + t)
        case (.add, .string(let s), .markup(let t)):
            // Markup's `__radd__` runs first (it subclasses str): the left side is escaped.
            let e = htmlEscape(s)
            if e.utf8.count + t.utf8.count > limits.maxOutputBytes { throw EvalError("string too long", .limit) }
            return .markup(e + t)
        case (.mul, .markup(let s), _) where b.isInteger:
            return .markup(try repeatString(s, b.intValue, limits))
        case (.mul, _, .markup(let s)) where a.isInteger:
            return .markup(try repeatString(s, a.intValue, limits))
        case (.mod, .markup(let s), _):
            try refusePercentRepr(s)
            if case .list(let items) = b { return .markup(try percentFormat(s, items.map(\.escapedArgument))) }
            if case .dict(let d) = b {
                var escaped = OrderedMapping()
                for (k, v) in d.pairs { escaped[k] = v.escapedArgument }
                return .markup(try percentFormat(s, [.dict(escaped)]))
            }
            return .markup(try percentFormat(s, [b.escapedArgument]))
        default:
            return nil
        }
    }
}

extension Methods {
    /// Markup's methods that return Markup (MarkupSafe 3.0), with the arguments each escapes:
    /// `replace`'s new text, the fill character of `ljust`/`rjust`/`center`, every item `join` joins.
    static let markupKeeping: [String: [Int]] = [
        "capitalize": [], "title": [], "lower": [], "upper": [], "replace": [1], "ljust": [1], "rjust": [1],
        "lstrip": [], "rstrip": [], "center": [1], "strip": [], "expandtabs": [], "swapcase": [], "zfill": [],
        "casefold": [], "removeprefix": [], "removesuffix": [], "split": [], "rsplit": [], "splitlines": [],
        "partition": [], "rpartition": [], "join": [],
    ]

    /// A method of a markup-safe string.
    static func markupMethod(_ s: String, _ name: String) -> NativeFunction? {
        switch name {
        case "unescape": return NativeFunction(builtin: name) { _, _ in .string(htmlUnescape(s)) }
        case "striptags": return NativeFunction(builtin: name) { _, _ in .string(stripTags(s)) }
        case "format", "format_map":
            return NativeFunction(builtin: name) { _, _ in
                throw EvalError("\(name)() of a markup-safe string (Markup) is not supported (MarkupSafe escapes each formatted field); apply `|string` first", .type)
            }
        default: break
        }
        guard let plain = stringMethod(s, name) else { return nil }
        guard let escaped = markupKeeping[name] else { return plain }
        return NativeFunction(builtin: name) { args, kwargs in
            var args = args
            for i in escaped where i < args.count { args[i] = .string(try args[i].escapedMarkup().text()) }
            if name == "join", let seq = args.first {
                // Markup.join escapes every item (`escape(5)` is Markup('5'), so numbers join too).
                args[0] = .list(try iterate(seq).map { .string(try $0.escapedMarkup().text()) })
            }
            let result = try plain.call(args, kwargs)
            if case .list(let items) = result { return .list(items.map(Value.markingSafe)) }
            return Value.markingSafe(result)
        }
    }
}
