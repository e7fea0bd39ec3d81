/// Line diffs in the unified format `diff -u` and `git diff` print.
///
/// The edit script comes from Myers' O(ND) algorithm after trimming the common prefix and
/// suffix; past `maximumEditDistance` edits it falls back to one replace-all hunk, which is
/// still a correct diff, only not a minimal one.
package enum UnifiedDiff {
    package static let maximumEditDistance = 4_000

    /// The diff between `old` and `new`, with `oldLabel`/`newLabel` in the `---`/`+++` headers
    /// (`/dev/null` for a missing side). Empty when the contents are equal. Contents with a
    /// zero byte are reported as binary, without lines.
    package static func text(old: [UInt8]?, new: [UInt8]?, oldLabel: String, newLabel: String,
                            context: Int = 3) -> String {
        let oldBytes = old ?? []
        let newBytes = new ?? []
        if oldBytes == newBytes && (old == nil) == (new == nil) { return "" }
        if oldBytes.contains(0) || newBytes.contains(0) {
            return "Binary files \(old == nil ? "/dev/null" : oldLabel) and \(new == nil ? "/dev/null" : newLabel) differ\n"
        }
        let oldLines = lines(oldBytes)
        let newLines = lines(newBytes)
        var output = "--- \(old == nil ? "/dev/null" : oldLabel)\n+++ \(new == nil ? "/dev/null" : newLabel)\n"
        for hunk in hunks(edits(oldLines, newLines), old: oldLines, new: newLines, context: context) {
            output += hunk.header
            for line in hunk.lines {
                output += line.marker + String(decoding: line.text, as: UTF8.self)
                if line.text.last != UInt8(ascii: "\n") { output += "\n\\ No newline at end of file\n" }
            }
        }
        return output
    }

    // MARK: - Lines and edits

    /// Splits bytes into lines, each keeping its `\n` (the last may have none).
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            result.append(bytes[start...index])
            start = index + 1
        }
        if start < bytes.count { result.append(bytes[start...]) }
        return result
    }

    enum Edit: Equatable {
        case keep(old: Int, new: Int)
        case delete(old: Int)
        case insert(new: Int)
    }

    struct Line {
        let marker: String
        let text: ArraySlice<UInt8>
    }

    struct Hunk {
        let oldStart: Int, oldCount: Int, newStart: Int, newCount: Int
        let lines: [Line]

        var header: String {
            func range(_ start: Int, _ count: Int) -> String {
                let shown = count == 0 ? start : start + 1
                return count == 1 ? "\(shown)" : "\(shown),\(count)"
            }
            return "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
        }
    }

    /// The shortest edit script turning `old` into `new` (keeps, deletes before inserts).
    static func edits(_ old: [ArraySlice<UInt8>], _ new: [ArraySlice<UInt8>]) -> [Edit] {
        // Number the distinct lines so comparisons are integer compares.
        var numbers: [ArraySlice<UInt8>: Int] = [:]
        let a = old.map { line in numbers[line] ?? { numbers[line] = numbers.count; return numbers.count - 1 }() }
        let b = new.map { line in numbers[line] ?? { numbers[line] = numbers.count; return numbers.count - 1 }() }
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix
            && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let middleA = Array(a[prefix..<(a.count - suffix)])
        let middleB = Array(b[prefix..<(b.count - suffix)])

        var script: [Edit] = (0..<prefix).map { .keep(old: $0, new: $0) }
        for edit in myers(middleA, middleB) {
            switch edit {
            case let .keep(o, n): script.append(.keep(old: o + prefix, new: n + prefix))
            case let .delete(o): script.append(.delete(old: o + prefix))
            case let .insert(n): script.append(.insert(new: n + prefix))
            }
        }
        for offset in 0..<suffix {
            script.append(.keep(old: a.count - suffix + offset, new: b.count - suffix + offset))
        }
        return script
    }

    private static func myers(_ a: [Int], _ b: [Int]) -> [Edit] {
        let n = a.count, m = b.count
        if n == 0 { return (0..<m).map { .insert(new: $0) } }
        if m == 0 { return (0..<n).map { .delete(old: $0) } }
        let maxD = min(n + m, maximumEditDistance)
        let offset = maxD + 1
        var v = [Int](repeating: 0, count: 2 * maxD + 3)
        var trace: [[Int]] = []
        var found = false
        search: for d in 0...maxD {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = v[offset + k + 1]
                } else {
                    x = v[offset + k - 1] + 1
                }
                var y = x - k
                while x < n && y < m && a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n && y >= m { found = true; break search }
            }
        }
        guard found else {
            return (0..<n).map { .delete(old: $0) } + (0..<m).map { .insert(new: $0) }
        }
        // Walk back through the saved frontiers.
        var result: [Edit] = []
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let frontier = trace[d]
            let k = x - y
            let previousK: Int
            if k == -d || (k != d && frontier[offset + k - 1] < frontier[offset + k + 1]) {
                previousK = k + 1
            } else {
                previousK = k - 1
            }
            let previousX = d == 0 ? 0 : frontier[offset + previousK]
            let previousY = previousX - previousK
            while x > previousX && y > previousY {
                x -= 1; y -= 1
                result.append(.keep(old: x, new: y))
            }
            if d > 0 {
                if x == previousX { y -= 1; result.append(.insert(new: y)) } else { x -= 1; result.append(.delete(old: x)) }
            }
        }
        return result.reversed()
    }

    // MARK: - Hunks

    private static func hunks(_ script: [Edit], old: [ArraySlice<UInt8>], new: [ArraySlice<UInt8>],
                              context: Int) -> [Hunk] {
        let changed = script.indices.filter { if case .keep = script[$0] { return false }; return true }
        guard let firstChange = changed.first else { return [] }
        // Group changes whose gap of kept lines is at most 2 * context.
        var groups: [(start: Int, end: Int)] = [(firstChange, firstChange)]
        for index in changed.dropFirst() {
            if index - groups[groups.count - 1].end - 1 <= 2 * context {
                groups[groups.count - 1].end = index
            } else {
                groups.append((index, index))
            }
        }
        return groups.map { group in
            let start = max(0, group.start - context)
            let end = min(script.count - 1, group.end + context)
            var oldStart = -1, newStart = -1, oldCount = 0, newCount = 0
            var lines: [Line] = []
            var oldBefore = 0, newBefore = 0
            for edit in script[..<start] {
                switch edit {
                case .keep: oldBefore += 1; newBefore += 1
                case .delete: oldBefore += 1
                case .insert: newBefore += 1
                }
            }
            for edit in script[start...end] {
                switch edit {
                case let .keep(o, n):
                    if oldStart < 0 { oldStart = o }
                    if newStart < 0 { newStart = n }
                    oldCount += 1; newCount += 1
                    lines.append(Line(marker: " ", text: old[o]))
                case let .delete(o):
                    if oldStart < 0 { oldStart = o }
                    oldCount += 1
                    lines.append(Line(marker: "-", text: old[o]))
                case let .insert(n):
                    if newStart < 0 { newStart = n }
                    newCount += 1
                    lines.append(Line(marker: "+", text: new[n]))
                }
            }
            return Hunk(oldStart: oldStart < 0 ? oldBefore : oldStart, oldCount: oldCount,
                        newStart: newStart < 0 ? newBefore : newStart, newCount: newCount, lines: lines)
        }
    }
}
