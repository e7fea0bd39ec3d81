// Where templates get the time: `{% now %}` and the time filters.
import Foundation

/// The current time and the local time zone, behind a protocol so tests can fix them.
public protocol TemplateClock: Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    func now() -> Double
    /// The zone `'local'` and `strftime` mean.
    var localTimeZone: TimeZone { get }
}

/// The machine's clock and time zone.
public struct SystemClock: TemplateClock {
    public init() {}
    public func now() -> Double { Date().timeIntervalSince1970 }
    public var localTimeZone: TimeZone { TimeZone.current }
}

/// A clock that always reads the same instant (tests, reproducible renders).
public struct FixedClock: TemplateClock {
    public var seconds: Double
    public var localTimeZone: TimeZone

    public init(seconds: Double, localTimeZone: TimeZone = TimeZone(identifier: "UTC") ?? .current) {
        self.seconds = seconds
        self.localTimeZone = localTimeZone
    }

    public func now() -> Double { seconds }
}
