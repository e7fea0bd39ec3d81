/// Parent folder and last component of a `/`-separated path inside a template or project, in
/// plain Swift: Foundation's `NSString` path methods trap on some one-character paths (`R`).
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
