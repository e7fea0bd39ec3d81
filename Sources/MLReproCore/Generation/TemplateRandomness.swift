import Foundation
import TemplateEngine

/// Where cookiecutter's `uuid4()` and `random_ascii_string()` draw from, and what `{% now %}`
/// reads. By default, as cookiecutter: fresh random values and the current time. With
/// `MLREPRO_SEED` set, the random values are derived from the seed, the file being rendered and
/// the call's position in it, so that the same inputs render the same bytes (on any number of
/// cores); with `SOURCE_DATE_EPOCH` set, `{% now %}` and the date filters read that instant.
/// `random_token()` (secret files) never follows a seed, and neither follows `SOURCE_DATE_EPOCH`:
/// a seed makes values predictable, which a template's secrets must not be.
package enum TemplateRandomness {
    package static let seedVariable = "MLREPRO_SEED"

    /// The seed from the environment; nil when unset or empty.
    static var seed: String? {
        ProcessInfo.processInfo.environment[seedVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The clock templates read: `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) when set.
    static func clock(environment: [String: String] = ProcessInfo.processInfo.environment) -> any TemplateClock {
        if let text = environment["SOURCE_DATE_EPOCH"], let seconds = Double(text), seconds.isFinite {
            return FixedClock(seconds: seconds, localTimeZone: .current)
        }
        return SystemClock()
    }

    /// The render a call belongs to (a file's path, or the questions and names), counting its calls.
    final class Scope: @unchecked Sendable {
        let name: String
        var calls = 0
        init(name: String) { self.name = name }
    }

    private static let key = "mlrepro.template-randomness-scope"

    /// Runs `body` with calls on this thread counted in a scope of their own named `name`.
    static func within<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let dictionary = Thread.current.threadDictionary
        let previous = dictionary[key]
        dictionary[key] = Scope(name: name)
        defer { dictionary[key] = previous }
        return try body()
    }

    /// `count` bytes: system randomness, or with a seed the next bytes of the current scope.
    static func bytes(_ count: Int, for function: String) -> [UInt8] {
        guard let seed else {
            var generator = SystemRandomNumberGenerator()
            return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        let dictionary = Thread.current.threadDictionary
        let scope: Scope
        if let current = dictionary[key] as? Scope {
            scope = current
        } else {
            scope = Scope(name: "")
            dictionary[key] = scope
        }
        scope.calls += 1
        var out: [UInt8] = []
        var block = 0
        while out.count < count {
            let hex = SHA256.hex(Array("\(seed)\u{0}\(scope.name)\u{0}\(function)\u{0}\(scope.calls)\u{0}\(block)".utf8))
            var digits = hex.utf8.makeIterator()
            while let high = digits.next(), let low = digits.next() {
                out.append(UInt8(hexDigit(high) << 4 | hexDigit(low)))
            }
            block += 1
        }
        return Array(out.prefix(count))
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8 { byte <= 57 ? byte - 48 : byte - 87 }

    /// A version-4 UUID as Python's `str(uuid.uuid4())` writes it.
    static func uuid4() -> String {
        var bytes = self.bytes(16, for: "uuid4")
        bytes[6] = bytes[6] & 0x0f | 0x40
        bytes[8] = bytes[8] & 0x3f | 0x80
        let hex = bytes.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    /// `length` characters of `corpus`, as cookiecutter's `random_ascii_string` picks them.
    static func string(length: Int, from corpus: [UInt8]) -> String {
        if seed == nil {
            var generator = SystemRandomNumberGenerator()
            return String(decoding: (0..<length).map { _ in corpus[Int.random(in: 0..<corpus.count, using: &generator)] }, as: UTF8.self)
        }
        // Two bytes per character keep the bias of the modulo below 1 in 600.
        let bytes = self.bytes(length * 2, for: "random_ascii_string")
        return String(decoding: (0..<length).map { index in
            corpus[(Int(bytes[2 * index]) << 8 | Int(bytes[2 * index + 1])) % corpus.count]
        }, as: UTF8.self)
    }
}
