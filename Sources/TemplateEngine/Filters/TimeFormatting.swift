// jinja2-time's `{% now %}` tag and the ansible `strftime` filter: C strftime over a given instant and zone.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Renderer {
    /// `{% now zone[, format] %}`, as jinja2-time renders it (arrow's `now(zone).strftime(format)`).
    func renderNow(_ zoneExpr: Expr, shift: (sign: String, Expr)?, format formatExpr: Expr?, at offset: Int) throws -> String {
        let zoneValue = try eval(zoneExpr)
        let format = try formatExpr.map { try eval($0) } ?? .string("%Y-%m-%d")
        guard case .string(let zoneName) = zoneValue else {
            throw source.error("now: the time zone must be a string such as 'utc' or 'local', got \(zoneValue.typeName)",
                               at: offset, kind: .type)
        }
        guard case .string(let fmt) = format else {
            throw source.error("now: the format must be a string, got \(format.typeName)", at: offset, kind: .type)
        }
        guard let zone = timeZone(named: zoneName) else {
            throw source.error("now: unknown time zone '\(zoneName)'", at: offset, kind: .value)
        }
        if let shift, environment.options.nowShiftsLikeArrow {
            let text = try eval(shift.1).text()
            let seconds = try arrowShift(environment.clock.now(), zone: zone, sign: shift.sign, offset: text, at: offset)
            return try positioned(offset) { try pythonStrftime(fmt, seconds: seconds, zone: zone, pythonDirectives: true) }
        }
        if let shift {
            // jinja2-time 0.2.0 passes the offset to arrow's replace(), which arrow 1.x refuses for
            // every name: plural names are unknown attributes, singular ones get a float.
            let text = try eval(shift.1).text()
            let first = text.split(separator: ",", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let parts = first.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw source.error("now: offset '\(text)' must look like 'hours=1'", at: offset, kind: .value)
            }
            let unit = pythonStrip(String(parts[0]), chars: nil)
            let singular = ["year", "month", "day", "hour", "minute", "second", "microsecond"]
            if singular.contains(unit) {
                throw source.error("now: 'float' object cannot be interpreted as an integer (arrow's replace() sets \(unit) absolutely and jinja2-time passes \(shift.sign)\(pythonStrip(String(parts[1]), chars: nil)) as a float)",
                                   at: offset, kind: .type)
            }
            throw source.error("now: Unknown attribute: '\(unit)'. (jinja2-time 0.2.0 cannot shift times with arrow 1.x; the offset form always fails in copier too)",
                               at: offset, kind: .value)
        }
        let seconds = environment.clock.now()
        return try positioned(offset) { try pythonStrftime(fmt, seconds: seconds, zone: zone, pythonDirectives: true) }
    }

    /// cookiecutter's TimeExtension: `offset` is `name=value[, name=value]`, each value a float
    /// with `sign` in front, given to arrow's `shift()` (years, quarters and months move the
    /// calendar and must be whole; weeks, days, hours, minutes, seconds and microseconds add time).
    func arrowShift(_ seconds: Double, zone: TimeZone, sign: String, offset text: String, at offset: Int) throws -> Double {
        var months = 0.0
        var added = 0.0
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "=", omittingEmptySubsequences: false)
            guard pieces.count == 2 else {
                throw source.error("now: offset '\(text)' must look like 'hours=1' (ValueError: not enough values to unpack)", at: offset, kind: .value)
            }
            let name = pythonStrip(String(pieces[0]), chars: nil)
            guard let value = Double(sign + pythonStrip(String(pieces[1]), chars: nil)) else {
                throw source.error("now: could not convert string to float: '\(pythonStrip(String(pieces[1]), chars: nil))'", at: offset, kind: .value)
            }
            switch name {
            case "years": months += value * 12
            case "quarters": months += value * 3
            case "months": months += value
            case "weeks": added += value * 604_800
            case "days": added += value * 86_400
            case "hours": added += value * 3_600
            case "minutes": added += value * 60
            case "seconds": added += value
            case "microseconds": added += value / 1_000_000
            default:
                throw source.error("now: invalid shift time frame '\(name)' (arrow's shift() takes years, quarters, months, weeks, days, hours, minutes, seconds, microseconds)",
                                   at: offset, kind: .value)
            }
        }
        var result = seconds
        if months != 0 {
            guard months == months.rounded(), abs(months) < 1e6 else {
                throw source.error("now: Non-integer years and months are ambiguous and not currently supported.", at: offset, kind: .value)
            }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            guard let moved = calendar.date(byAdding: .month, value: Int(months), to: Date(timeIntervalSince1970: seconds)) else {
                throw source.error("now: the shifted date is out of range", at: offset, kind: .value)
            }
            result = moved.timeIntervalSince1970
        }
        return result + added
    }

    /// `'utc'`, `'local'`, an IANA name (`'Europe/Paris'`) or a fixed offset (`'+01:00'`).
    func timeZone(named name: String) -> TimeZone? {
        switch name.lowercased() {
        case "utc", "z": return TimeZone(identifier: "UTC")
        case "local": return environment.clock.localTimeZone
        default: break
        }
        let scalars = Array(name.unicodeScalars)
        if let sign = scalars.first, sign == "+" || sign == "-" {
            let digits = name.dropFirst().filter { $0 != ":" }
            guard digits.count == 4 || digits.count == 2, digits.allSatisfy(\.isNumber),
                  let n = Int(digits) else { return nil }
            let (h, m) = digits.count == 4 ? (n / 100, n % 100) : (n, 0)
            guard h < 24, m < 60 else { return nil }
            return TimeZone(secondsFromGMT: (sign == "-" ? -1 : 1) * (h * 3600 + m * 60))
        }
        return TimeZone(identifier: name)
    }

    /// Python's `strftime`: with `pythonDirectives`, `%z`, `%Z` and `%f` are expanded first as
    /// `datetime.strftime` does; the rest goes to the C library's strftime, as Python's does.
    func pythonStrftime(_ format: String, seconds: Double, zone: TimeZone, pythonDirectives: Bool) throws -> String {
        let whole = seconds.rounded(.down)
        guard whole.isFinite, abs(whole) < 1e14 else { throw EvalError("timestamp out of range", .value) }
        let instant = Date(timeIntervalSince1970: whole)
        let gmtOffset = zone.secondsFromGMT(for: instant)
        let abbreviation = zoneAbbreviation(zone, at: instant)
        let isDST = zone.isDaylightSavingTime(for: instant)
        var fmt = format
        if pythonDirectives {
            fmt = ""
            var it = Array(format.unicodeScalars)[...]
            while let c = it.first {
                it = it.dropFirst()
                guard c == "%", let d = it.first else { fmt.unicodeScalars.append(c); continue }
                it = it.dropFirst()
                switch d {
                case "z":
                    let sign = gmtOffset < 0 ? "-" : "+"
                    let a = abs(gmtOffset)
                    fmt += sign + twoDigits(a / 3600) + twoDigits(a % 3600 / 60)
                    if a % 60 != 0 { fmt += twoDigits(a % 60) }
                case "Z": fmt += abbreviation.replacingOccurrences(of: "%", with: "%%")
                case "f":
                    let micro = Int(((seconds - whole) * 1_000_000).rounded(.down))
                    fmt += String(repeating: "0", count: max(0, 6 - String(micro).count)) + String(micro)
                default:
                    fmt.unicodeScalars.append(c)
                    fmt.unicodeScalars.append(d)
                }
            }
        }
        let capacity = fmt.utf8.count * 256 + 64
        guard capacity <= limits.maxOutputBytes else {
            throw EvalError("strftime format would exceed \(limits.maxOutputBytes) bytes", .limit)
        }
        if fmt.isEmpty { return "" }
        var t = brokenDown(Int(whole) + gmtOffset)
        t.tm_isdst = isDST ? 1 : 0
        t.tm_gmtoff = gmtOffset
        var buffer = [CChar](repeating: 0, count: capacity)
        let written = abbreviation.withCString { zoneName -> Int in
            t.tm_zone = zoneName
            return fmt.withCString { f in strftime(&buffer, capacity, f, &t) }
        }
        return String(decoding: buffer.prefix(written).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The zone's short name as Python's dateutil gives it: "UTC" for UTC, the tz database's
    /// abbreviation (CET, EST) for named zones, "+0530" style for fixed offsets.
    func zoneAbbreviation(_ zone: TimeZone, at instant: Date) -> String {
        if zone.identifier == "UTC" || zone.identifier == "GMT" && zone.secondsFromGMT(for: instant) == 0 { return "UTC" }
        if let name = TZifAbbreviation.lookup(zone.identifier, at: Int(instant.timeIntervalSince1970)) { return name }
        return zone.abbreviation(for: instant) ?? ""
    }

    private func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

    /// The calendar fields of `local` seconds since the epoch (already shifted into the zone).
    private func brokenDown(_ local: Int) -> tm {
        var days = local / 86400
        var rem = local % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        // Civil-from-days (proleptic Gregorian).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        var year = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        if month <= 2 { year += 1 }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        var yday = cumulative[month - 1] + day - 1
        if leap && month > 2 { yday += 1 }
        var t = tm()
        t.tm_year = Int32(year - 1900)
        t.tm_mon = Int32(month - 1)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(rem / 3600)
        t.tm_min = Int32(rem % 3600 / 60)
        t.tm_sec = Int32(rem % 60)
        t.tm_yday = Int32(yday)
        let weekday = (days % 7 + 11) % 7  // 1970-01-01 was a Thursday (4)
        t.tm_wday = Int32(weekday)
        return t
    }
}
