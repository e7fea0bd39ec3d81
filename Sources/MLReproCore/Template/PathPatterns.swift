/// gitignore-style patterns on relative output paths (`_exclude`, `_skip_if_exists`,
/// `_secret_files`).
///
/// A pattern without a slash matches a name at any depth; one with a slash (not only at
/// the end) is anchored at the root; a trailing slash matches directories only; `*` and `?`
/// stay inside one component, `**` spans components, `[abc]` is a class, `!` re-includes.
/// A path also matches when one of its parent directories matches.
package struct PathPatterns: Sendable, Equatable {
    struct Rule: Sendable, Equatable {
        var negated: Bool
        var directoryOnly: Bool
        var anchored: Bool
        /// Components as scalars; `nil` stands for `**` (repeats collapsed to one).
        var components: [[Unicode.Scalar]?]
    }

    private var rules: [Rule] = []

    package init(_ patterns: [String]) {
        for raw in patterns {
            var text = raw
            if text.hasPrefix("#") || text.trimmingSpaces.isEmpty { continue }
            var rule = Rule(negated: false, directoryOnly: false, anchored: false, components: [])
            if text.hasPrefix("!") { rule.negated = true; text.removeFirst() }
            if text.hasPrefix("\\") { text.removeFirst() }
            while text.hasSuffix("/") { rule.directoryOnly = true; text.removeLast() }
            if text.hasPrefix("/") { rule.anchored = true; text.removeFirst() }
            if text.contains("/") { rule.anchored = true }
            for component in text.split(separator: "/", omittingEmptySubsequences: true) {
                if component == "**" {
                    if let last = rule.components.last, last == nil { continue }
                    rule.components.append(nil)
                } else {
                    rule.components.append(Array(component.unicodeScalars))
                }
            }
            if rule.components.isEmpty { continue }
            rules.append(rule)
        }
    }

    package var isEmpty: Bool { rules.isEmpty }

    /// True when `path` (relative, `/`-separated) or one of its parents is matched.
    /// Linear in the path's depth times the patterns' lengths, whatever the patterns hold.
    package func matches(_ path: String, isDirectory: Bool) -> Bool {
        if rules.isEmpty { return false }
        let parts = path.split(separator: "/").map { Array($0.unicodeScalars) }
        if parts.isEmpty { return false }
        // matched[r][end]: rule r matches the prefix of `end` components.
        let matched = rules.map { Self.prefixMatches($0, parts) }
        for end in 1...parts.count {
            let prefixIsDirectory = end < parts.count || isDirectory
            var decided = false
            for (index, rule) in rules.enumerated() {
                if rule.directoryOnly && !prefixIsDirectory { continue }
                if matched[index][end] { decided = !rule.negated }
            }
            if decided { return true }
        }
        return false
    }

    /// For every prefix length 0...parts.count, whether `rule` matches that prefix.
    private static func prefixMatches(_ rule: Rule, _ parts: [[Unicode.Scalar]]) -> [Bool] {
        var result = [Bool](repeating: false, count: parts.count + 1)
        if !rule.anchored, rule.components.count == 1, let only = rule.components[0] {
            for end in 1...parts.count { result[end] = wildcard(only[...], parts[end - 1][...]) }
            return result
        }
        // The pattern positions reachable after consuming each prefix (an NFA run over components).
        let count = rule.components.count
        var states = [Bool](repeating: false, count: count + 1)
        func close(_ states: inout [Bool]) {
            for position in 0..<count where states[position] && rule.components[position] == nil {
                states[position + 1] = true
            }
        }
        states[0] = true
        close(&states)
        result[0] = states[count]
        for (index, part) in parts.enumerated() {
            var next = [Bool](repeating: false, count: count + 1)
            for position in 0..<count where states[position] {
                if let component = rule.components[position] {
                    if wildcard(component[...], part[...]) { next[position + 1] = true }
                } else {
                    next[position] = true
                }
            }
            close(&next)
            states = next
            result[index + 1] = states[count]
        }
        return result
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
