import Yams

/// The type of a plain, untagged YAML scalar, decided the way Yams' default resolver decides it
/// (YAML 1.1: `yes`/`on` are booleans, `0o17` and `1:30` are integers, `~` and the empty scalar
/// are null, ...), without its regular expressions: compiling those through ICU cost several
/// milliseconds on every run. `YAMLImplicitTagTests` checks the two agree.
enum YAMLImplicitTag {
    static func resolve(_ text: String) -> Tag.Name {
        let b = Array(text.utf8)
        if isBool(b) { return .bool }
        if isInt(b) { return .int }
        if isFloat(b) { return .float }
        if b == [0x3C, 0x3C] { return .merge }   // <<
        if isNull(b) { return .null }
        if isTimestamp(b) { return .timestamp }
        if b == [0x3D] { return .value }         // =
        return .str
    }

    private static let bools: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ]
    private static let nulls: Set<String> = ["~", "null", "Null", "NULL", ""]

    private static func isBool(_ b: [UInt8]) -> Bool {
        b.count <= 5 && bools.contains(String(decoding: b, as: UTF8.self))
    }

    private static func isNull(_ b: [UInt8]) -> Bool {
        b.count <= 4 && nulls.contains(String(decoding: b, as: UTF8.self))
    }

    // MARK: - Scanning helpers

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isOctal(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x37 }
    private static func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }
    private static let underscore = UInt8(ascii: "_")
    private static func isDigitOrUnderscore(_ c: UInt8) -> Bool { isDigit(c) || c == underscore }
    private static func isOctalOrUnderscore(_ c: UInt8) -> Bool { isOctal(c) || c == underscore }

    /// Index after an optional `+` or `-`.
    private static func afterSign(_ b: [UInt8], _ i: Int = 0) -> Int {
        i < b.count && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) ? i + 1 : i
    }

    /// Index after a run of bytes satisfying `accept` starting at `i`.
    private static func run(_ b: [UInt8], _ i: Int, _ accept: (UInt8) -> Bool) -> Int {
        var j = i
        while j < b.count && accept(b[j]) { j += 1 }
        return j
    }

    /// Index after one or more `:` [0-5]?[0-9] groups at `i`, or nil when there is none.
    private static func sexagesimalGroups(_ b: [UInt8], _ i: Int) -> Int? {
        var j = i
        var groups = 0
        while j < b.count && b[j] == UInt8(ascii: ":") {
            // [0-5]?[0-9]: two digits when the first is 0-5 and a digit follows, else one digit
            // (taking one where two are possible leaves a digit where `:`, `.` or the end must be).
            let k = j + 1
            guard k < b.count, isDigit(b[k]) else { break }
            if k + 1 < b.count, b[k] >= 0x30, b[k] <= 0x35, isDigit(b[k + 1]) {
                j = k + 2
            } else {
                j = k + 1
            }
            groups += 1
        }
        return groups > 0 ? j : nil
    }

    // MARK: - int

    private static func isInt(_ b: [UInt8]) -> Bool {
        let s = afterSign(b)
        let n = b.count
        guard s < n else { return false }
        // [-+]?0b[0-1_]+
        if n - s >= 3, b[s] == 0x30, b[s + 1] == UInt8(ascii: "b"),
           run(b, s + 2, { $0 == 0x30 || $0 == 0x31 || $0 == underscore }) == n { return true }
        // [-+]?0x[0-9a-fA-F_]+
        if n - s >= 3, b[s] == 0x30, b[s + 1] == UInt8(ascii: "x"),
           run(b, s + 2, { isHex($0) || $0 == underscore }) == n { return true }
        // [-+]?0o?[0-7_]+
        if b[s] == 0x30 {
            if n - s >= 2, run(b, s + 1, isOctalOrUnderscore) == n { return true }
            if n - s >= 3, b[s + 1] == UInt8(ascii: "o"),
               run(b, s + 2, isOctalOrUnderscore) == n { return true }
            // [-+]?0
            if n - s == 1 { return true }
            return false
        }
        // [-+]?[1-9][0-9_]*, optionally followed by sexagesimal groups
        guard b[s] >= 0x31 && b[s] <= 0x39 else { return false }
        let digits = run(b, s + 1, isDigitOrUnderscore)
        if digits == n { return true }
        return sexagesimalEnds(b, from: s + 1, at: n)
    }

    /// Whether `[0-9_]*(?::[0-5]?[0-9])+` can match exactly b[from..<end]: the `[0-9_]*` part
    /// may give back digits only if a `:` follows, and it never spans a `:`, so a greedy scan
    /// to the first `:` is the only split.
    private static func sexagesimalEnds(_ b: [UInt8], from: Int, at end: Int) -> Bool {
        let colon = run(b, from, isDigitOrUnderscore)
        guard colon < end, b[colon] == UInt8(ascii: ":") else { return false }
        return sexagesimalGroups(b, colon) == end
    }

    // MARK: - float

    private static func isFloat(_ b: [UInt8]) -> Bool {
        let n = b.count
        guard n > 0 else { return false }
        let s = afterSign(b)
        // [-+]?\.(inf|Inf|INF)
        if n - s == 4, b[s] == UInt8(ascii: "."),
           ["inf", "Inf", "INF"].contains(String(decoding: b[(s + 1)...], as: UTF8.self)) { return true }
        // \.(nan|NaN|NAN)
        if n == 4, b[0] == UInt8(ascii: "."),
           ["nan", "NaN", "NAN"].contains(String(decoding: b[1...], as: UTF8.self)) { return true }
        // \.[0-9_]+([eE][-+][0-9]+)?   (no sign in front)
        if b[0] == UInt8(ascii: ".") {
            let end = run(b, 1, isDigitOrUnderscore)
            if end > 1 {
                if end == n { return true }
                if b[end] == UInt8(ascii: "e") || b[end] == UInt8(ascii: "E"), end + 1 < n,
                   b[end + 1] == UInt8(ascii: "+") || b[end + 1] == UInt8(ascii: "-") {
                    let exponent = run(b, end + 2, isDigit)
                    if exponent > end + 2 && exponent == n { return true }
                }
            }
        }
        guard s < n, isDigit(b[s]) else { return false }
        let whole = run(b, s + 1, isDigitOrUnderscore)
        // [-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?
        var i = whole
        if i < n, b[i] == UInt8(ascii: ".") { i = run(b, i + 1, isDigitOrUnderscore) }
        if i == n { return true }
        if b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            var j = i + 1
            if j < n, b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-") { j += 1 }
            let exponent = run(b, j, isDigit)
            if exponent > j && exponent == n { return true }
        }
        // [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
        guard whole < n, b[whole] == UInt8(ascii: ":"), let groups = sexagesimalGroups(b, whole),
              groups < n, b[groups] == UInt8(ascii: ".") else { return false }
        return run(b, groups + 1, isDigitOrUnderscore) == n
    }

    // MARK: - timestamp

    private static func isTimestamp(_ b: [UInt8]) -> Bool {
        let n = b.count
        func digits(_ i: Int, _ count: Int) -> Bool {
            i + count <= n && (i..<(i + count)).allSatisfy { isDigit(b[$0]) }
        }
        let dash = UInt8(ascii: "-")
        // [0-9]{4}-[0-9]{2}-[0-9]{2}
        if n == 10, digits(0, 4), b[4] == dash, digits(5, 2), b[7] == dash, digits(8, 2) { return true }
        guard digits(0, 4), n > 4, b[4] == dash else { return false }
        // The regex backtracks between one and two digits; try both splits where they differ.
        for month in oneOrTwoDigits(b, 5) {
            guard month < n, b[month] == dash else { continue }
            for day in oneOrTwoDigits(b, month + 1) where timeTail(b, day) { return true }
        }
        return false
    }

    /// Where `[0-9][0-9]?` at `i` may end: after two digits when there are two, and after one.
    private static func oneOrTwoDigits(_ b: [UInt8], _ i: Int) -> [Int] {
        guard i < b.count, isDigit(b[i]) else { return [] }
        return i + 1 < b.count && isDigit(b[i + 1]) ? [i + 2, i + 1] : [i + 1]
    }

    /// `([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](\.[0-9]*)?([ \t]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?))?` to the end.
    private static func timeTail(_ b: [UInt8], _ start: Int) -> Bool {
        let n = b.count
        func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        func digit(_ i: Int) -> Bool { i < n && isDigit(b[i]) }
        guard start < n else { return false }
        var i: Int
        if b[start] == UInt8(ascii: "T") || b[start] == UInt8(ascii: "t") {
            i = start + 1
        } else {
            i = run(b, start, isBlank)
            guard i > start else { return false }
        }
        for hourEnd in oneOrTwoDigits(b, i) {
            var j = hourEnd
            guard j + 6 <= n, b[j] == UInt8(ascii: ":"), digit(j + 1), digit(j + 2),
                  b[j + 3] == UInt8(ascii: ":"), digit(j + 4), digit(j + 5) else { continue }
            j += 6
            if j < n, b[j] == UInt8(ascii: ".") { j = run(b, j + 1, isDigit) }
            if j == n { return true }
            // [ \t]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?)
            let zone = run(b, j, isBlank)
            guard zone < n else { continue }
            if b[zone] == UInt8(ascii: "Z") {
                if zone + 1 == n { return true }
                continue
            }
            guard b[zone] == UInt8(ascii: "+") || b[zone] == UInt8(ascii: "-") else { continue }
            for hoursEnd in oneOrTwoDigits(b, zone + 1) {
                if hoursEnd == n { return true }
                if hoursEnd + 3 == n, b[hoursEnd] == UInt8(ascii: ":"), digit(hoursEnd + 1), digit(hoursEnd + 2) {
                    return true
                }
            }
        }
        return false
    }
}
