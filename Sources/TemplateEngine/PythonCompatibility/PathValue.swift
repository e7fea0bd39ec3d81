// A POSIX path object like Python's pathlib.PurePosixPath, as copier hands templates
// `_copier_conf.src_path`: prints as the path, `/` joins, `.name`, `.parent`, `.stem`, `.suffix`.

extension Value {
    /// This value with every mapping in it (at any depth) printing as Python's `OrderedDict`.
    public var orderedDicts: Value {
        switch self {
        case .dict(let map):
            var marked = OrderedMapping(map.pairs.map { ($0.key, $0.value.orderedDicts) })
            marked.printsAsOrderedDict = true
            return .dict(marked)
        case .list(let items): return .list(items.map(\.orderedDicts))
        default: return self
        }
    }

    /// A path value for `text` (normalised as pathlib does: repeated and `.` parts dropped).
    public static func path(_ text: String) -> Value {
        let normalized = normalizePath(text)
        var object = NativeFunction(builtin: "PosixPath") { _, _ in throw EvalError("'PosixPath' object is not callable") }
        object.pathText = normalized
        object.attributes = { name in
            let parts = normalized.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            let last = normalized == "." || (normalized.hasPrefix("/") && parts.isEmpty) ? "" : (parts.last ?? "")
            let dot = last.lastIndex(of: ".")
            let hasSuffix = dot.map { $0 != last.startIndex && last.index(after: $0) != last.endIndex } ?? false
            switch name {
            case "name": return .string(last)
            case "parent":
                if last.isEmpty { return .path(normalized) }
                let root = normalized.hasPrefix("//") && !normalized.hasPrefix("///") ? "//" : (normalized.hasPrefix("/") ? "/" : "")
                let rest = parts.dropLast().joined(separator: "/")
                return .path(root + rest == "" ? "." : root + rest)
            case "suffix": return .string(hasSuffix ? String(last[dot!...]) : "")
            case "stem": return .string(hasSuffix ? String(last[..<dot!]) : last)
            default:
                throw EvalError("path attribute '\(name)' is not supported (a path answers to name, parent, stem, suffix and '/')", .undefined)
            }
        }
        return .callable(object)
    }

    /// The text of a path value; nil for any other value.
    public var pathText: String? {
        if case .callable(let f) = self { return f.pathText }
        return nil
    }

    /// `path / other` and `'text' / path`: pathlib's join (an absolute right side replaces the left).
    static func joinPaths(_ a: Value, _ b: Value) throws -> Value? {
        guard a.pathText != nil || b.pathText != nil else { return nil }
        func part(_ v: Value) -> String? {
            if let p = v.pathText { return p }
            if case .string(let s) = v.unmarked { return s }
            return nil
        }
        guard let left = part(a), let right = part(b) else { return nil }
        if right.hasPrefix("/") { return .path(right) }
        return .path(left + "/" + right)
    }
}

private func normalizePath(_ text: String) -> String {
    let parts = text.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
    let root = text.hasPrefix("//") && !text.hasPrefix("///") ? "//" : (text.hasPrefix("/") ? "/" : "")
    let joined = root + parts.joined(separator: "/")
    return joined.isEmpty ? "." : joined
}
