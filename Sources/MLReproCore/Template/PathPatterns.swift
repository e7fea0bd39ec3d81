/// gitignore-style patterns on relative output paths (`_exclude`, `_skip_if_exists`,
/// `_secret_files`).
///
/// A pattern without a slash matches a name at any depth; one with a slash (not only at
/// the end) is anchored at the root; a trailing slash matches directories only; `*` and `?`
/// stay inside one component, `**` spans components, `[abc]` is a class, `!` re-includes.
/// A path also matches when one of its parent directories matches.
public struct PathPatterns: Sendable, Equatable {
    struct Rule: Sendable, Equatable {
        var negated: Bool
        var directoryOnly: Bool
        var anchored: Bool
        var components: [String]
    }

    private var rules: [Rule] = []

    public init(_ patterns: [String]) {
        for raw in patterns {
            var text = raw
            if text.hasPrefix("#") || text.trimmingSpaces.isEmpty { continue }
            var rule = Rule(negated: false, directoryOnly: false, anchored: false, components: [])
            if text.hasPrefix("!") { rule.negated = true; text.removeFirst() }
            if text.hasPrefix("\\") { text.removeFirst() }
            while text.hasSuffix("/") { rule.directoryOnly = true; text.removeLast() }
            if text.hasPrefix("/") { rule.anchored = true; text.removeFirst() }
            if text.contains("/") { rule.anchored = true }
            rule.components = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            if rule.components.isEmpty { continue }
            rules.append(rule)
        }
    }

    public var isEmpty: Bool { rules.isEmpty }

    /// True when `path` (relative, `/`-separated) or one of its parents is matched.
    public func matches(_ path: String, isDirectory: Bool) -> Bool {
        if rules.isEmpty { return false }
        let parts = path.split(separator: "/").map(String.init)
        for end in 1...max(parts.count, 1) where end <= parts.count {
            let prefix = Array(parts[0..<end])
            let prefixIsDirectory = end < parts.count || isDirectory
            if decide(prefix, isDirectory: prefixIsDirectory) { return true }
        }
        return false
    }

    private func decide(_ parts: [String], isDirectory: Bool) -> Bool {
        var matched = false
        for rule in rules {
            if rule.directoryOnly && !isDirectory { continue }
            if ruleMatches(rule, parts) { matched = !rule.negated }
        }
        return matched
    }

    private func ruleMatches(_ rule: Rule, _ parts: [String]) -> Bool {
        if rule.anchored {
            return matchComponents(rule.components[...], parts[...])
        }
        guard let last = parts.last, rule.components.count == 1 else {
            return matchComponents(rule.components[...], parts[...])
        }
        return PathPatterns.wildcard(Array(rule.components[0].unicodeScalars)[...], Array(last.unicodeScalars)[...])
    }

    private func matchComponents(_ pattern: ArraySlice<String>, _ parts: ArraySlice<String>) -> Bool {
        guard let head = pattern.first else { return parts.isEmpty }
        if head == "**" {
            let rest = pattern.dropFirst()
            var index = parts.startIndex
            while true {
                if matchComponents(rest, parts[index...]) { return true }
                if index == parts.endIndex { return false }
                index += 1
            }
        }
        guard let part = parts.first else { return false }
        return PathPatterns.wildcard(Array(head.unicodeScalars)[...], Array(part.unicodeScalars)[...])
            && matchComponents(pattern.dropFirst(), parts.dropFirst())
    }

    /// fnmatch-style match of one component (no `/` inside).
    static func wildcard(_ pattern: ArraySlice<Unicode.Scalar>, _ text: ArraySlice<Unicode.Scalar>) -> Bool {
        var p = pattern.startIndex
        var t = text.startIndex
        var starP = -1
        var starT = -1
        while t < text.endIndex {
            if p < pattern.endIndex {
                let c = pattern[p]
                if c == "*" {
                    starP = p; starT = t; p += 1
                    continue
                }
                if c == "?" { p += 1; t += 1; continue }
                if c == "[", let (matched, next) = matchClass(pattern, p, text[t]) {
                    if matched { p = next; t += 1; continue }
                } else {
                    var literal = c
                    var next = p + 1
                    if c == "\\", next < pattern.endIndex { literal = pattern[next]; next += 1 }
                    if literal == text[t] { p = next; t += 1; continue }
                }
            }
            if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
                continue
            }
            return false
        }
        while p < pattern.endIndex, pattern[p] == "*" { p += 1 }
        return p == pattern.endIndex
    }

    private static func matchClass(_ pattern: ArraySlice<Unicode.Scalar>, _ start: Int, _ char: Unicode.Scalar)
        -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < pattern.endIndex, pattern[i] == "!" || pattern[i] == "^" { negate = true; i += 1 }
        var matched = false
        var first = true
        while i < pattern.endIndex {
            let c = pattern[i]
            if c == "]" && !first { return (matched != negate, i + 1) }
            first = false
            if i + 2 < pattern.endIndex, pattern[i + 1] == "-", pattern[i + 2] != "]" {
                if c.value <= char.value && char.value <= pattern[i + 2].value { matched = true }
                i += 3
            } else {
                if c == char { matched = true }
                i += 1
            }
        }
        return nil
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" || first == "\n" || first == "\r" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\n" || last == "\r" { text.removeLast() }
        return String(text)
    }
}
