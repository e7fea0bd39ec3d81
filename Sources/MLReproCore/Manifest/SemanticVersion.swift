/// `major.minor.patch` with optional pre-release, compared numerically.
package struct SemanticVersion: Sendable, Comparable {
    package var parts: [Int]

    package init?(_ text: String) {
        let core = text.split(separator: "-", maxSplits: 1).first.map(String.init) ?? text
        let numbers = core.split(separator: ".").map { Int($0) }
        guard !numbers.isEmpty, numbers.count <= 4, numbers.allSatisfy({ $0 != nil }) else { return nil }
        parts = numbers.compactMap { $0 }
        while parts.count < 3 { parts.append(0) }
    }

    package static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        lhs.parts.lexicographicallyPrecedes(rhs.parts)
    }
}
