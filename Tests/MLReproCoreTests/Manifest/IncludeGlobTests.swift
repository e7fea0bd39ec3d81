import Testing
@testable import MLReproCore

/// `!include` globs match as Python's `Path.glob` does (the old backtracking matcher is the
/// reference here), in one pass over the path however many `**` a pattern holds.
@Suite struct IncludeGlobTests {
    /// The matcher `!include` used before: exponential in the number of `**`, exact otherwise.
    private func reference(_ parts: [String], _ path: String) -> Bool {
        let components = path.split(separator: "/").map { Array($0.unicodeScalars) }
        let pattern = parts.filter { $0 != "." }.map { Array($0.unicodeScalars) }
        func match(_ p: Int, _ c: Int) -> Bool {
            if p == pattern.count { return c == components.count }
            if pattern[p] == Array("**".unicodeScalars) {
                for next in c...components.count where match(p + 1, next) { return true }
                return false
            }
            guard c < components.count else { return false }
            if components[c].first == "." && pattern[p].first != "." { return false }
            return PathPatterns.wildcard(pattern[p][...], components[c][...]) && match(p + 1, c + 1)
        }
        return match(0, 0)
    }

    @Test func matchesLikeTheReference() {
        let patterns = ["*.yml", "a/*.yml", "**/*.yml", "a/**/b.yml", "**", "**/**/x/*.yml", "./a/*.yml",
                        "**/.hidden/*.yml", "a/**", "*/b/**/*.y?l", "[ab]/**/c*.yml", "**/a/**/a/*.yml"]
        let paths = ["x.yml", "a/x.yml", "a/b.yml", "a/c/b.yml", "a/c/d/b.yml", ".hidden/q.yml", "a/.hidden/q.yml",
                     "z/x/q.yml", "x/x/x/q.yml", "a/b/c.yml", "b/b/b/cq.yml", "a/a/a/a.yml", "q.yaml"]
        for pattern in patterns {
            let parts = pattern.split(separator: "/").map(String.init)
            let glob = IncludeGlob(parts)
            for path in paths {
                #expect(glob.matches(path) == reference(parts, path), "\(pattern) against \(path)")
            }
        }
    }

    @Test func manyDoubleStarsMatchInOnePass() {
        let deep = (0..<120).map { "d\($0)" }.joined(separator: "/") + "/q.yml"
        let parts = Array(repeating: ["**", "d*"], count: 60).flatMap { $0 } + ["nomatch.yml"]
        #expect(!IncludeGlob(parts).matches(deep))
        #expect(IncludeGlob(["**", "d119", "*.yml"]).matches(deep))
    }
}
