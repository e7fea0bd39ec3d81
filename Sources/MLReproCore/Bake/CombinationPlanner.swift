/// One enumerable question for `bake`: its name and how many values it can take.
/// Values are referred to by index; the caller maps indices back to answers.
package struct CombinationDimension: Sendable, Equatable {
    package let name: String
    package let valueCount: Int

    package init(name: String, valueCount: Int) {
        self.name = name
        self.valueCount = valueCount
    }
}

/// Which combinations `bake` renders.
package enum CombinationStrategy: Sendable {
    /// A covering set: every value of every question and every pair of values of two
    /// questions that can be asked together appear in at least one combination.
    case pairwise
    /// The full product of all values (respecting `when`).
    case exhaustive
}

/// A combination: question name -> value index, for the questions that are asked.
package typealias Combination = [String: Int]

package enum CombinationPlannerError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooManyCombinations(limit: Int)

    package var description: String {
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
package struct CombinationPlanner {
    package typealias Applicability = (_ assigned: Combination, _ question: String) -> Bool
    package typealias Acceptance = (_ assigned: Combination) -> Bool
    /// The dimensions whose values a refusal of `assigned` depends on (nil: any of them).
    package typealias RefusalBlame = (_ assigned: Combination) -> Set<String>?

    let dimensions: [CombinationDimension]
    let isApplicable: Applicability
    let accepts: Acceptance
    let refusalBlame: RefusalBlame
    let dependenciesHold: (Combination) -> Bool
    /// For each dimension (by position), the earlier dimensions whose values can decide whether
    /// it is asked; nil where unknown (then every earlier dimension may).
    let influences: [Set<Int>?]
    let positions: [String: Int]

    /// `accepts` rejects partial combinations that cannot be valid (an answer outside the
    /// choices an earlier answer allows, a failing validator); the search then tries other values.
    /// `dependencies[name]` names the dimensions whose values decide whether `name` is asked (its
    /// `when`, through every question it reads); a dimension missing from it may depend on any
    /// earlier one; `dependenciesHold(assigned)` is false where they say nothing (the answers
    /// so far break the template, so no later question is asked whatever its `when`). They only make the search faster: a combination that cannot hold a target's
    /// values is given up without trying every value of unrelated questions.
    package init(dimensions: [CombinationDimension], dependencies: [String: Set<String>] = [:],
                isApplicable: @escaping Applicability, accepts: @escaping Acceptance = { _ in true },
                refusalBlame: @escaping RefusalBlame = { _ in nil },
                dependenciesHold: @escaping (_ assigned: Combination) -> Bool = { _ in true }) {
        self.dependenciesHold = dependenciesHold
        self.dimensions = dimensions.filter { $0.valueCount > 0 }
        self.isApplicable = isApplicable
        self.accepts = accepts
        self.refusalBlame = refusalBlame
        let positions = Dictionary(self.dimensions.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { a, _ in a })
        self.positions = positions
        influences = self.dimensions.map { dimension in
            dependencies[dimension.name].map { Set($0.compactMap { positions[$0] }) }
        }
    }

    /// The combinations to render. `seeds` (pairwise only) are partial combinations, dimension
    /// name -> value, each of which gets a combination of its own before the covering starts
    /// (a multiselect question's empty, single and full selections); one that no valid
    /// combination can hold is dropped.
    package func plan(_ strategy: CombinationStrategy, seeds: [[String: Int]] = [], limit: Int = 10_000) throws -> [Combination] {
        switch strategy {
        case .exhaustive: return try exhaustive(limit: limit)
        case .pairwise: return try pairwise(seeds: seeds, limit: limit)
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

    private func pairwise(seeds: [[String: Int]], limit: Int) throws -> [Combination] {
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
        let positions = Dictionary(dimensions.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { a, _ in a })

        var results: [Combination] = []
        func add(_ combination: Combination) throws {
            let slots = slots(of: combination)
            uncoveredPairs.subtract(pairs(of: slots))
            uncoveredSingles.subtract(slots)
            if results.count >= limit { throw CombinationPlannerError.tooManyCombinations(limit: limit) }
            results.append(combination)
        }
        for seed in seeds {
            var forced: [Int: Int] = [:]
            for (name, value) in seed {
                if let d = positions[name], value >= 0, value < dimensions[d].valueCount { forced[d] = value }
            }
            guard !forced.isEmpty, let combination = build(forcing: forced, uncoveredPairs: uncoveredPairs) else { continue }
            try add(combination)
        }
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
            try add(combination)
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

    func build(containing target: Target, uncoveredPairs: Set<Pair>) -> Combination? {
        switch target {
        case .pair(let pair):
            return build(forcing: [pair.first.dimension: pair.first.value, pair.second.dimension: pair.second.value],
                         uncoveredPairs: uncoveredPairs)
        case .single(let slot):
            return build(forcing: [slot.dimension: slot.value], uncoveredPairs: uncoveredPairs)
        }
    }

    /// What a failed search below a point learned: the dimensions whose values caused it. A
    /// dimension not in it need not try its other values (conflict-directed backjumping), which
    /// keeps a target that `when` forbids from costing a walk over every value of every question.
    enum SearchResult {
        case found(Combination)
        case conflict(Set<Int>)
    }

    /// Builds one combination, in manifest order, that holds the `forced` values (dimension
    /// position -> value): a depth-first search that takes the value covering the most uncovered
    /// pairs first and backjumps when a forced question ends up not asked. Nil when none exists
    /// within the search budget.
    func build(forcing forced: [Int: Int], uncoveredPairs: Set<Pair>) -> Combination? {
        var budget = 5_000
        func earlierFree(_ d: Int) -> Set<Int> { Set((0..<d).filter { forced[$0] == nil }) }
        func search(_ d: Int, _ assigned: Combination, _ chosen: [Slot]) -> SearchResult {
            guard d < dimensions.count else { return .found(assigned) }
            budget -= 1
            // Out of budget: an empty conflict unwinds the whole search.
            guard budget >= 0 else { return .conflict([]) }
            let dimension = dimensions[d]
            guard isApplicable(assigned, dimension.name) else {
                guard forced[d] != nil else { return search(d + 1, assigned, chosen) }
                let blamed = dependenciesHold(assigned)
                    ? influences[d].map { $0.filter { $0 < d && forced[$0] == nil } } ?? earlierFree(d)
                    : earlierFree(d)
                return .conflict(blamed)
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
            var conflict = Set<Int>()
            for value in candidates {
                var next = assigned
                next[dimension.name] = value
                guard accepts(next) else {
                    // A refused answer depends on the answers its validator or choices read.
                    if let blamed = refusalBlame(next) {
                        conflict.formUnion(blamed.compactMap { positions[$0] }.filter { $0 < d && forced[$0] == nil })
                    } else {
                        conflict.formUnion(earlierFree(d))
                    }
                    continue
                }
                switch search(d + 1, next, chosen + [Slot(dimension: d, value: value)]) {
                case .found(let combination):
                    return .found(combination)
                case .conflict(let below):
                    // This question's value played no part in the failure below: another value fails too.
                    if forced[d] == nil && !below.contains(d) { return .conflict(below) }
                    conflict.formUnion(below.subtracting([d]))
                }
            }
            return .conflict(conflict)
        }
        if case .found(let combination) = search(0, [:], []) { return combination }
        return nil
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
