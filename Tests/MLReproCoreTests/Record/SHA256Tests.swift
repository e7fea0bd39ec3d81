import Foundation
import Testing
import TemplateEngine
@testable import MLReproCore

@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// The CPU's SHA instructions (used where the CPU has them) and the portable code agree on
    /// every length around the block boundaries and on long inputs fed in uneven pieces.
    @Test func hardwareAndPortableCodeAgree() {
        var generator = TestGenerator(state: 0x9E37_79B9_7F4A_7C15)
        let bytes = (0..<70_000).map { _ in UInt8(generator.next(256)) }
        for length in Array(0...300) + [1023, 1024, 1025, 4096 + 17, 70_000] {
            var fast = SHA256()
            var portable = SHA256(hardware: false)
            var start = 0
            var piece = 1
            while start < length {
                let end = min(length, start + piece)
                fast.update(bytes[start..<end])
                portable.update(bytes[start..<end])
                start = end
                piece = piece * 3 + 1
            }
            #expect(fast.finalizeHex() == portable.finalizeHex(), "length \(length)")
        }
        #if arch(x86_64)
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        if cpu.contains(" sha_ni") { #expect(SHA256.hardwareAvailable, "the CPU has SHA instructions") }
        #endif
        var portable = SHA256(hardware: false)
        portable.update(Array("abc".utf8))
        #expect(portable.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func incrementalUpdatesMatchOneShot() {
        let bytes = (0..<1000).map { UInt8($0 % 251) }
        var hasher = SHA256()
        hasher.update(bytes[0..<3])
        hasher.update(bytes[3..<130])
        hasher.update(bytes[130...])
        #expect(hasher.finalizeHex() == SHA256.hex(bytes))
    }

    @Test func nonContiguousCollectionsAndDataHashTheSame() {
        let bytes = (0..<1000).map { UInt8($0 % 251) }
        #expect(SHA256.hex((0..<1000).lazy.map { UInt8($0 % 251) }) == SHA256.hex(bytes))
        #expect(SHA256.hex(Data(bytes)) == SHA256.hex(bytes))
        var hasher = SHA256()
        let head = Array(bytes[0..<63])
        head.withUnsafeBytes { raw in hasher.update(buffer: raw) }
        hasher.update(bytes[63...].lazy.map { $0 })
        #expect(hasher.finalizeHex() == SHA256.hex(bytes))
    }
}
