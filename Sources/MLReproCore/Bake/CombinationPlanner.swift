/// One enumerable question for `bake`: its name and how many values it can take.
/// Values are referred to by index; the caller maps indices back to answers.
public struct CombinationDimension: Sendable, Equatable {
    public let name: String
    public let valueCount: Int

    public init(name: String, valueCount: Int) {
        self.name = name
        self.valueCount = valueCount
    }
}

/// Which combinations `bake` renders.
public enum CombinationStrategy: Sendable {
    /// A covering set: every value of every question and every pair of values of two
    /// questions that can be asked together appear in at least one combination.
    case pairwise
    /// The full product of all values (respecting `when`).
    case exhaustive
}

/// A combination: question name -> value index, for the questions that are asked.
public typealias Combination = [String: Int]

public enum CombinationPlannerError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooManyCombinations(limit: Int)

    public var description: String {
        switch self {
        case .tooManyCombinations(let limit):
            return "more than \(limit) combinations; use the pairwise set (drop --all) or fix more answers with --data"
        }
    }
}

/// Plans the combinations `bake` renders.
///
/// Questions are visited in manifest order. `isApplicable(assigned, name)` says whether a
/// question is asked given the values chosen so far (the manifest's `when`); a question
/// that is not asked gets no value in that combination.
public struct CombinationPlanner {
    public typealias Applicability = (_ assigned: Combination, _ question: String) -> Bool
    public typealias Acceptance = (_ assigned: Combination) -> Bool

    let dimensions: [CombinationDimension]
    let isApplicable: Applicability
    let accepts: Acceptance

    /// `accepts` rejects partial combinations that cannot be valid (an answer outside the
    /// choices an earlier answer allows, a failing validator); the search then tries other values.
    public init(dimensions: [CombinationDimension], isApplicable: @escaping Applicability,
                accepts: @escaping Acceptance = { _ in true }) {
        self.dimensions = dimensions.filter { $0.valueCount > 0 }
        self.isApplicable = isApplicable
        self.accepts = accepts
    }

    public func plan(_ strategy: CombinationStrategy, limit: Int = 10_000) throws -> [Combination] {
        switch strategy {
        case .exhaustive: return try exhaustive(limit: limit)
        case .pairwise: return try pairwise(limit: limit)
        }
    }

    // MARK: - Exhaustive

    private func exhaustive(limit: Int) throws -> [Combination] {
        var results: [Combination] = []
        func visit(_ position: Int, _ assigned: Combination) throws {
            guard position < dimensions.count else {
                if results.count >= limit { throw CombinationPlannerError.tooManyCombinations(limit: limit) }
                results.append(assigned)
                return
            }
            let dimension = dimensions[position]
            guard isApplicable(assigned, dimension.name) else {
                try visit(position + 1, assigned)
                return
            }
            for value in 0..<dimension.valueCount {
                var next = assigned
                next[dimension.name] = value
                if accepts(next) { try visit(position + 1, next) }
            }
        }
        try visit(0, [:])
        return results
    }

    // MARK: - Pairwise (greedy, AETG-style)

    /// A value of one question: (dimension position, value index).
    struct Slot: Hashable { let dimension: Int; let value: Int }
    /// A pair of slots of two different questions, `first.dimension < second.dimension`.
    struct Pair: Hashable { let first: Slot; let second: Slot }

    private func pairwise(limit: Int) throws -> [Combination] {
        var uncoveredSingles = Set<Slot>()
        var uncoveredPairs = Set<Pair>()
        for (d, dimension) in dimensions.enumerated() {
            for v in 0..<dimension.valueCount {
                uncoveredSingles.insert(Slot(dimension: d, value: v))
                for e in (d + 1)..<dimensions.count {
                    for w in 0..<dimensions[e].valueCount {
                        uncoveredPairs.insert(Pair(first: Slot(dimension: d, value: v), second: Slot(dimension: e, value: w)))
                    }
                }
            }
        }

        var results: [Combination] = []
        // Each round builds one combination around an uncovered target (a lone value first,
        // then a pair). A target no combination can contain (`when` forbids it) is dropped.
        while let target = nextTarget(uncoveredPairs, uncoveredSingles) {
            guard let combination = build(containing: target, uncoveredPairs: uncoveredPairs) else {
                switch target {
                case .pair(let pair): uncoveredPairs.remove(pair)
                case .single(let slot):
                    // A value no combination can hold holds no pair either.
                    uncoveredSingles.remove(slot)
                    uncoveredPairs = uncoveredPairs.filter { $0.first != slot && $0.second != slot }
                }
                continue
            }
            let slots = slots(of: combination)
            uncoveredPairs.subtract(pairs(of: slots))
            uncoveredSingles.subtract(slots)
            if results.count >= limit { throw CombinationPlannerError.tooManyCombinations(limit: limit) }
            results.append(combination)
        }
        if results.isEmpty {
            // No enumerable question at all: one combination of defaults.
            results.append([:])
        }
        return results
    }

    enum Target { case pair(Pair), single(Slot) }

    private func nextTarget(_ pairs: Set<Pair>, _ singles: Set<Slot>) -> Target? {
        // Deterministic order: smallest dimension/value first.
        if let single = singles.min(by: { ($0.dimension, $0.value) < ($1.dimension, $1.value) }) {
            return .single(single)
        }
        if let pair = pairs.min(by: {
            ($0.first.dimension, $0.first.value, $0.second.dimension, $0.second.value)
                < ($1.first.dimension, $1.first.value, $1.second.dimension, $1.second.value)
        }) {
            return .pair(pair)
        }
        return nil
    }

    /// Builds one combination, in manifest order, that contains the target's values:
    /// a depth-first search that takes the value covering the most uncovered pairs first
    /// and backtracks when a target question ends up not asked. Nil when none exists within
    /// the search budget.
    func build(containing target: Target, uncoveredPairs: Set<Pair>) -> Combination? {
        var forced: [Int: Int] = [:]
        switch target {
        case .pair(let pair):
            forced[pair.first.dimension] = pair.first.value
            forced[pair.second.dimension] = pair.second.value
        case .single(let slot):
            forced[slot.dimension] = slot.value
        }
        var budget = 20_000
        func search(_ d: Int, _ assigned: Combination, _ chosen: [Slot]) -> Combination? {
            guard d < dimensions.count else { return assigned }
            budget -= 1
            guard budget >= 0 else { return nil }
            let dimension = dimensions[d]
            guard isApplicable(assigned, dimension.name) else {
                return forced[d] == nil ? search(d + 1, assigned, chosen) : nil
            }
            let candidates: [Int]
            if let value = forced[d] {
                candidates = [value]
            } else {
                let gains = (0..<dimension.valueCount).map { v in
                    chosen.filter { uncoveredPairs.contains(Pair(first: $0, second: Slot(dimension: d, value: v))) }.count
                }
                candidates = (0..<dimension.valueCount).sorted { (gains[$0], -$0) > (gains[$1], -$1) }
            }
            for value in candidates {
                var next = assigned
                next[dimension.name] = value
                guard accepts(next) else { continue }
                if let found = search(d + 1, next, chosen + [Slot(dimension: d, value: value)]) {
                    return found
                }
            }
            return nil
        }
        return search(0, [:], [])
    }

    private func slots(of combination: Combination) -> [Slot] {
        dimensions.enumerated().compactMap { d, dimension in
            combination[dimension.name].map { Slot(dimension: d, value: $0) }
        }
    }

    private func pairs(of slots: [Slot]) -> [Pair] {
        var result: [Pair] = []
        for i in slots.indices {
            for j in slots.indices where j > i {
                result.append(Pair(first: slots[i], second: slots[j]))
            }
        }
        return result
    }
}
