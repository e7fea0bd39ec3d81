// Python's random.Random: MT19937 seeded as CPython seeds it, with its randbelow, randrange,
// choice and shuffle, so seeded `shuffle`/`ans_random` give the numbers copier's filters give.

struct PythonRandom {
    private var mt = [UInt32](repeating: 0, count: 624)
    private var index = 624

    /// `random.Random(seed)` for an int seed (its absolute value, in 32-bit words, least significant first).
    init(seed: Int) {
        let magnitude = seed.magnitude
        var key: [UInt32] = [UInt32(truncatingIfNeeded: magnitude)]
        if magnitude >> 32 != 0 { key.append(UInt32(truncatingIfNeeded: magnitude >> 32)) }
        initByArray(key)
    }

    /// `random.Random(seed)` for a str seed (version 2: the UTF-8 bytes followed by their SHA-512,
    /// read as one big-endian integer).
    init(seed: String) {
        let utf8 = Array(seed.utf8)
        var bytes = utf8 + Digest.sha512(utf8)
        while bytes.first == 0 { bytes.removeFirst() }
        var key: [UInt32] = []
        var end = bytes.count
        while end > 0 {
            let start = max(0, end - 4)
            var word: UInt32 = 0
            for b in bytes[start..<end] { word = word << 8 | UInt32(b) }
            key.append(word)
            end = start
        }
        if key.isEmpty { key = [0] }
        initByArray(key)
    }

    private mutating func initGenrand(_ s: UInt32) {
        mt[0] = s
        for i in 1..<624 {
            mt[i] = 1_812_433_253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i)
        }
        index = 624
    }

    private mutating func initByArray(_ key: [UInt32]) {
        initGenrand(19_650_218)
        var i = 1, j = 0
        for _ in 0..<max(624, key.count) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(j)
            i += 1; j += 1
            if i >= 624 { mt[0] = mt[623]; i = 1 }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<623 {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= 624 { mt[0] = mt[623]; i = 1 }
        }
        mt[0] = 0x8000_0000
    }

    mutating func nextUInt32() -> UInt32 {
        if index >= 624 {
            for k in 0..<624 {
                let y = (mt[k] & 0x8000_0000) | (mt[(k + 1) % 624] & 0x7fff_ffff)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_b0df)
            }
            index = 0
        }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// `getrandbits(k)` for k ≤ 64.
    mutating func bits(_ k: Int) -> UInt64 {
        if k == 0 { return 0 }
        if k <= 32 { return UInt64(nextUInt32() >> (32 - UInt32(k))) }
        let low = UInt64(nextUInt32())
        let high = UInt64(nextUInt32() >> (64 - UInt32(k)))
        return high << 32 | low
    }

    /// `_randbelow(n)` for n > 0: rejection sampling over `n.bit_length()` bits.
    mutating func below(_ n: Int) -> Int {
        let k = Int.bitWidth - n.leadingZeroBitCount
        var r = bits(k)
        while r >= UInt64(n) { r = bits(k) }
        return Int(r)
    }

    mutating func randrange(_ start: Int, _ stop: Int, _ step: Int) throws -> Int {
        let (width, overflow) = stop.subtractingReportingOverflow(start)
        guard !overflow else { throw EvalError("randrange: range too large", .value) }
        if step == 1 {
            guard width > 0 else { throw EvalError("empty range for randrange() (\(start), \(stop), \(width))", .value) }
            return start + below(width)
        }
        guard step != 0 else { throw EvalError("zero step for randrange()", .value) }
        let (shifted, overflowed) = width.addingReportingOverflow(step > 0 ? step - 1 : step + 1)
        guard !overflowed else { throw EvalError("randrange: range too large", .value) }
        let n = shifted.floorDiv(step)
        guard n > 0 else { throw EvalError("empty range for randrange()", .value) }
        let (offset, o1) = step.multipliedReportingOverflow(by: below(n))
        let (result, o2) = start.addingReportingOverflow(offset)
        guard !o1, !o2 else { throw EvalError("randrange: range too large", .value) }
        return result
    }

    mutating func shuffle(_ items: inout [Value]) {
        var i = items.count - 1
        while i >= 1 {
            let j = below(i + 1)
            items.swapAt(i, j)
            i -= 1
        }
    }
}

private extension Int {
    func floorDiv(_ d: Int) -> Int {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
