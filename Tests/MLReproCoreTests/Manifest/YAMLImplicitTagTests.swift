import Testing
import Yams
@testable import MLReproCore

/// `YAMLImplicitTag` must type every plain scalar exactly as Yams' default resolver (regular
/// expressions) does.
@Suite struct YAMLImplicitTagTests {
    private func expected(_ text: String) -> Yams.Tag.Name { Resolver.default.resolveTag(of: Node(text)) }

    @Test func examplesFromTheYAML11Types() {
        let cases: [(String, Yams.Tag.Name)] = [
            ("yes", .bool), ("on", .bool), ("no", .bool), ("Off", .bool), ("TRUE", .bool), ("y", .str), ("tRUE", .str),
            ("0", .int), ("-0", .int), ("+12_345", .int), ("0b1010", .int), ("0x_1F", .int), ("017", .int),
            ("0o17", .int), ("0o", .str), ("08", .float), ("190:20:30", .int), ("1:60", .str),
            ("1.5", .float), ("-1.5e+3", .float), (".5", .float), ("-.5", .str), (".5e3", .str), (".5e+3", .float),
            ("1e3", .float), ("1_000.", .float), ("190:20:30.15", .float), ("-.inf", .float), (".NaN", .float),
            ("+.nan", .str), ("<<", .merge), ("~", .null), ("", .null), ("Null", .null), ("nULL", .str),
            ("2001-12-14", .timestamp), ("2001-12-14t21:59:43.10-05:00", .timestamp),
            ("2001-1-4 1:59:43", .timestamp), ("2001-12-14 21:59:43 Z", .timestamp), ("2001-12-14T21:59", .str),
            ("=", .value), ("1.0.0", .str), ("v1", .str), ("12:30", .int), ("3.10", .float),
        ]
        for (text, tag) in cases {
            #expect(expected(text) == tag, "Yams disagrees with the test's own expectation for '\(text)'")
            #expect(YAMLImplicitTag.resolve(text) == tag, "'\(text)'")
        }
    }

    @Test func randomStringsAgreeWithYams() {
        let alphabet = Array("0123456789_:.+-eExXbBoOaAfFiInNlLuUtTrRsSyYZ<=~ \t".utf8)
        var generator = TestGenerator(state: 20_261_123)
        var disagreements: [String] = []
        for _ in 0..<60_000 {
            let length = generator.next(9)
            let text = String(decoding: (0..<length).map { _ in alphabet[generator.next(alphabet.count)] }, as: UTF8.self)
            if YAMLImplicitTag.resolve(text) != expected(text) { disagreements.append(text) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(20))")
    }

    @Test func numberAndTimestampShapesAgreeWithYams() {
        var g = TestGenerator(state: 7)
        var disagreements: [String] = []
        let digits = ["0", "1", "5", "6", "9", "00", "05", "59", "60", "12", "123", "1_0", "_", ""]
        for _ in 0..<40_000 {
            var text: String
            switch g.next(3) {
            case 0:  // numbers: sign, digits, sexagesimal groups, fraction, exponent
                text = g.pick(["", "+", "-"]) + g.pick(["", "0", "0x", "0b", "0o", "."]) + g.pick(digits)
                for _ in 0..<g.next(3) { text += ":" + g.pick(digits) }
                if g.next(2) == 0 { text += "." + g.pick(digits) }
                if g.next(3) == 0 { text += g.pick(["e", "E"]) + g.pick(["", "+", "-"]) + g.pick(digits) }
            case 1:  // dates and times
                text = g.pick(["2001", "201", "20011"]) + "-" + g.pick(["1", "12", "123", ""]) + "-" + g.pick(["4", "14", "144", ""])
                if g.next(4) != 0 {
                    text += g.pick(["T", "t", " ", "\t", "  ", "", "x"]) + g.pick(["1", "21", "211"])
                    text += ":" + g.pick(["59", "5", "599"]) + ":" + g.pick(["43", "4", "433"])
                    if g.next(2) == 0 { text += "." + g.pick(["", "1", "10", "x"]) }
                    if g.next(2) == 0 {
                        text += g.pick(["", " ", "\t "]) + g.pick(["Z", "z", "-5", "+05", "-05:00", "+5:0", "-055", "+05:000"])
                    }
                }
            default:  // words
                text = g.pick(["yes", "No", "ON", "oFF", "true", "False", "null", "NULL", "~", ".inf", "-.Inf", ".nan",
                               ".NAN", "<<", "=", "y", "n", "nan", "inf"]) + g.pick(["", "", "", " ", "x", "0"])
            }
            if YAMLImplicitTag.resolve(text) != expected(text) { disagreements.append(text) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(20))")
    }
}
