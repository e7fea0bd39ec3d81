import CSHA256

/// SHA-256 (FIPS 180-4): the `hash('sha256')` filter, `.mlrepro/checksums` and template content hashes.
public struct SHA256: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0
    /// Whether this hasher uses the CPU's SHA-256 instructions (the portable code otherwise).
    private let hardware: Bool

    /// True when the CPU has SHA-256 instructions (x86-64 SHA extensions).
    public static let hardwareAvailable = mlrepro_sha256_hw_available() == 1

    /// A hasher; `hardware: false` forces the portable code (tests compare the two).
    public init(hardware: Bool = SHA256.hardwareAvailable) {
        self.hardware = hardware && SHA256.hardwareAvailable
        buffer.reserveCapacity(64)
    }

    /// The hex digest of `bytes`.
    public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    /// Adds `bytes`. Contiguous collections (arrays, slices, `Data`) are hashed in place,
    /// without element-by-element iteration (which is slow when the call is not specialised
    /// across modules); others are copied into an array first.
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(buffer: UnsafeRawBufferPointer($0)) }
        if done == nil {
            let copy = [UInt8](bytes)
            copy.withUnsafeBytes { update(buffer: $0) }
        }
    }

    /// Adds the bytes in `input`, compressing whole 64-byte blocks straight from it.
    public mutating func update(buffer input: UnsafeRawBufferPointer) {
        length &+= UInt64(input.count)
        var offset = 0
        if !buffer.isEmpty {
            let take = min(64 - buffer.count, input.count)
            buffer.append(contentsOf: input[0..<take])
            offset = take
            if buffer.count < 64 { return }
            buffer.withUnsafeBytes { compress(blocks: $0) }
            buffer.removeAll(keepingCapacity: true)
        }
        let whole = (input.count - offset) / 64 * 64
        if whole > 0 {
            compress(blocks: UnsafeRawBufferPointer(rebasing: input[offset..<offset + whole]))
            offset += whole
        }
        if offset < input.count { buffer.append(contentsOf: input[offset...]) }
    }

    public mutating func finalizeHex() -> String {
        let bitLength = length &* 8
        var tail = buffer
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        tail.withUnsafeBytes { compress(blocks: $0) }
        buffer.removeAll()
        let words = [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7]
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for word in words {
            for shift in stride(from: 28, through: 0, by: -4) {
                out.append(digits[Int((word >> UInt32(shift)) & 0xf)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compresses `blocks.count / 64` consecutive blocks, with the message schedule in one
    /// temporary buffer and the round constants read without bounds checks.
    private mutating func compress(blocks: UnsafeRawBufferPointer) {
        if hardware, let base = blocks.baseAddress {
            withUnsafeMutableBytes(of: &state) { words in
                mlrepro_sha256_hw_blocks(words.baseAddress!.assumingMemoryBound(to: UInt32.self),
                                         base.assumingMemoryBound(to: UInt8.self), blocks.count / 64)
            }
            return
        }
        var (h0, h1, h2, h3, h4, h5, h6, h7) = state
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            // The 64 round constants (FIPS 180-4, 4.2.2), shared with the C code.
            let k: UnsafePointer<UInt32> = mlrepro_sha256_round_constants()
            var base = 0
            while blocks.count - base >= 64 {
                for i in 0..<16 {
                    w[i] = UInt32(bigEndian: blocks.loadUnaligned(fromByteOffset: base + i * 4, as: UInt32.self))
                }
                for i in 16..<64 {
                    let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                    let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                    w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
                }
                var (a, b, c, d, e, f, g, h) = (h0, h1, h2, h3, h4, h5, h6, h7)
                for i in 0..<64 {
                    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = h &+ s1 &+ ch &+ k[i] &+ w[i]
                    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    h = g; g = f; f = e; e = d &+ t1
                    d = c; c = b; b = a; a = t1 &+ t2
                }
                h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
                h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                base += 64
            }
        }
        state = (h0, h1, h2, h3, h4, h5, h6, h7)
    }
}

@inline(__always) private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }

extension SHA256 {
    /// One entry of a template tree in its content hash (`TemplateTree.contentHash`, and the
    /// hash the template embedder computes for built-in templates at build time): the same
    /// bytes in both, so the two always agree.
    public mutating func updateTreeEntry(isDirectory: Bool, mode: UInt16, path: String, bytes: [UInt8], linkTarget: String?) {
        update(Array("\(isDirectory ? "d" : "f") \(String(mode, radix: 8)) \(path)\n".utf8))
        if !isDirectory {
            update(Array("\(bytes.count)\n".utf8))
            update(bytes)
        }
        if let linkTarget { update(Array("-> \(linkTarget)\n".utf8)) }
    }
}
