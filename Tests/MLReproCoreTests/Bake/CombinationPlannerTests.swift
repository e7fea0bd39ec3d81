import Testing
@testable import MLReproCore

@Suite struct CombinationPlannerTests {
    /// Every pair of (question, value) that occurs together in some valid combination.
    func feasiblePairs(_ all: [Combination]) -> Set<[String]> {
        var pairs = Set<[String]>()
        for combination in all {
            let slots = combination.map { "\($0.key)=\($0.value)" }.sorted()
            for i in slots.indices { for j in slots.indices where j > i { pairs.insert([slots[i], slots[j]]) } }
        }
        return pairs
    }

    func check(_ planner: CombinationPlanner) throws -> (pairwise: [Combination], all: [Combination]) {
        let all = try planner.plan(.exhaustive)
        let pairwise = try planner.plan(.pairwise)
        let missing = feasiblePairs(all).subtracting(feasiblePairs(pairwise))
        #expect(missing.isEmpty, "pairs not covered: \(missing.sorted { $0.joined() < $1.joined() }.prefix(5))")
        let singles = Set(all.flatMap { $0.map { "\($0.key)=\($0.value)" } })
        let coveredSingles = Set(pairwise.flatMap { $0.map { "\($0.key)=\($0.value)" } })
        #expect(singles == coveredSingles)
        return (pairwise, all)
    }

    @Test func coversEveryPairWithFarFewerCombinationsThanTheProduct() throws {
        let dims = (0..<6).map { CombinationDimension(name: "q\($0)", valueCount: 3) }
        let planner = CombinationPlanner(dimensions: dims) { _, _ in true }
        let (pairwise, all) = try check(planner)
        #expect(all.count == 729)
        #expect(pairwise.count <= 20)
    }

    @Test func respectsWhenAndStillCoversConditionalPairs() throws {
        // accelerator: nvidia(0) amd(1) cpu(2); cuda_version only when nvidia; rocm only when amd.
        let dims = [
            CombinationDimension(name: "framework", valueCount: 5),
            CombinationDimension(name: "accelerator", valueCount: 3),
            CombinationDimension(name: "cuda_version", valueCount: 3),
            CombinationDimension(name: "rocm", valueCount: 2),
            CombinationDimension(name: "notebooks", valueCount: 2),
        ]
        let planner = CombinationPlanner(dimensions: dims) { assigned, name in
            switch name {
            case "cuda_version": return assigned["accelerator"] == 0
            case "rocm": return assigned["accelerator"] == 1
            default: return true
            }
        }
        let (pairwise, _) = try check(planner)
        for combination in pairwise {
            #expect((combination["cuda_version"] != nil) == (combination["accelerator"] == 0))
            #expect((combination["rocm"] != nil) == (combination["accelerator"] == 1))
        }
        // framework x cuda_version needs accelerator=nvidia, which the greedy choice alone would miss.
        let frameworkCuda = Set(pairwise.compactMap { c in c["cuda_version"].map { "\(c["framework"] ?? -1)/\($0)" } })
        #expect(frameworkCuda.count == 15)
    }

    @Test func exhaustiveCountsOnlyAskedQuestions() throws {
        let dims = [
            CombinationDimension(name: "accelerator", valueCount: 3),
            CombinationDimension(name: "cuda_version", valueCount: 2),
            CombinationDimension(name: "ci", valueCount: 2),
        ]
        let planner = CombinationPlanner(dimensions: dims) { assigned, name in
            name != "cuda_version" || assigned["accelerator"] == 0
        }
        #expect(try planner.plan(.exhaustive).count == (2 + 1 + 1) * 2)
    }

    @Test func isDeterministic() throws {
        let dims = (0..<5).map { CombinationDimension(name: "q\($0)", valueCount: $0 + 2) }
        let planner = CombinationPlanner(dimensions: dims) { assigned, name in name != "q3" || assigned["q1"] != 0 }
        #expect(try planner.plan(.pairwise) == planner.plan(.pairwise))
    }

    @Test func refusesMoreCombinationsThanTheLimit() {
        let dims = (0..<10).map { CombinationDimension(name: "q\($0)", valueCount: 4) }
        let planner = CombinationPlanner(dimensions: dims) { _, _ in true }
        #expect(throws: CombinationPlannerError.tooManyCombinations(limit: 1000)) {
            try planner.plan(.exhaustive, limit: 1000)
        }
    }

    @Test func noEnumerableQuestionGivesOneCombinationOfDefaults() throws {
        let planner = CombinationPlanner(dimensions: []) { _, _ in true }
        #expect(try planner.plan(.pairwise) == [[:]])
    }

    @Test func aTargetWhenForbidsIsGivenUpWithoutWalkingUnrelatedQuestions() throws {
        // q0..q11 (3 values each) are unrelated to `gated`, asked only when `switch` is 0: every
        // pair of (switch=1, gated=v) is impossible, and the dependencies say only `switch` decides it.
        var dims = [CombinationDimension(name: "switch", valueCount: 2)]
        dims += (0..<12).map { CombinationDimension(name: "q\($0)", valueCount: 3) }
        dims.append(CombinationDimension(name: "gated", valueCount: 3))
        var calls = 0
        let planner = CombinationPlanner(dimensions: dims, dependencies: ["gated": ["switch"]]) { assigned, name in
            calls += 1
            return name != "gated" || assigned["switch"] == 0
        }
        let pairwise = try planner.plan(.pairwise)
        #expect(pairwise.allSatisfy { ($0["gated"] != nil) == ($0["switch"] == 0) })
        #expect(Set(pairwise.compactMap { $0["gated"] }) == [0, 1, 2])
        // Without backjumping each impossible pair walks 3^12 prefixes (up to the search budget).
        #expect(calls < 20_000, "\(calls) applicability checks")
    }

    @Test func seedsGetACombinationEachAndImpossibleOnesAreDropped() throws {
        let dims = [CombinationDimension(name: "a", valueCount: 2), CombinationDimension(name: "b", valueCount: 2),
                    CombinationDimension(name: "c", valueCount: 2)]
        // Refuses a=0,b=0 (an empty selection its validator rejects).
        let planner = CombinationPlanner(dimensions: dims, isApplicable: { _, _ in true },
                                         accepts: { !($0["a"] == 0 && $0["b"] == 0) })
        let plan = try planner.plan(.pairwise, seeds: [["a": 0, "b": 0], ["a": 1, "b": 1, "c": 1], ["a": 0, "b": 1]])
        #expect(plan.first == ["a": 1, "b": 1, "c": 1])
        #expect(plan.contains { $0["a"] == 0 && $0["b"] == 1 })
        #expect(!plan.contains { $0["a"] == 0 && $0["b"] == 0 })
    }
}
