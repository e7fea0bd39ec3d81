// What renders may spend together, and the meter one render draws on it with.
import Foundation

/// What all the renders of one environment (a whole generation: question defaults, file names,
/// file contents, messages) may spend together: bytes of the strings they build and render, and
/// values visited by walks over lists and dicts (printing, comparing, sorting, serialising,
/// handing values to the host). Renders draw on it in chunks, so the shared counters are touched
/// rarely; it is safe to share between threads.
public final class RenderBudget: @unchecked Sendable {
    /// Bytes of strings built by filters, calls, `*` and serialisation, and of rendered output.
    public let maxBytes: Int
    /// Values (list and dict items) visited by walks over values.
    public let maxVisits: Int
    private let lock = NSLock()
    private var bytesLeft: Int
    private var visitsLeft: Int

    public init(maxBytes: Int = RenderLimits().maxBuiltBytes, maxVisits: Int = RenderLimits().maxVisits) {
        self.maxBytes = maxBytes
        self.maxVisits = maxVisits
        bytesLeft = maxBytes
        visitsLeft = maxVisits
    }

    /// Takes `needed` bytes plus up to `extra` more; nil when fewer than `needed` are left.
    func drawBytes(_ needed: Int, extra: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard needed <= bytesLeft else { bytesLeft = 0; return nil }
        let taken = min(bytesLeft, needed + extra)
        bytesLeft -= taken
        return taken
    }

    /// Takes `needed` visits plus up to `extra` more; nil when fewer than `needed` are left.
    func drawVisits(_ needed: Int, extra: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard needed <= visitsLeft else { visitsLeft = 0; return nil }
        let taken = min(visitsLeft, needed + extra)
        visitsLeft -= taken
        return taken
    }

    /// Returns what a render drew and did not spend.
    func giveBack(bytes: Int, visits: Int) {
        lock.lock()
        bytesLeft += max(0, bytes)
        visitsLeft += max(0, visits)
        lock.unlock()
    }
}

/// One render's share of its `RenderBudget`: spending is a local subtraction; the shared budget
/// is asked for more in chunks (1 MiB, 65,536 visits) only when the share runs out.
final class RenderMeter {
    let budget: RenderBudget
    /// The largest string one walk may build (`RenderLimits.maxOutputBytes`).
    let maxString: Int
    private var bytes = 0
    private var visits = 0

    init(budget: RenderBudget, maxString: Int) {
        self.budget = budget
        self.maxString = maxString
    }

    @inline(__always)
    func spend(bytes count: Int) throws {
        bytes -= count
        if bytes < 0 { try drawBytes() }
    }

    @inline(__always)
    func visit(_ count: Int = 1) throws {
        visits -= count
        if visits < 0 { try drawVisits() }
    }

    private func drawBytes() throws {
        guard let taken = budget.drawBytes(-bytes, extra: 1 << 20) else {
            bytes = 0
            throw EvalError("the strings built and rendered exceed \(budget.maxBytes) bytes in one generation", .limit)
        }
        bytes += taken
    }

    private func drawVisits() throws {
        guard let taken = budget.drawVisits(-visits, extra: 1 << 16) else {
            visits = 0
            throw EvalError("printing, comparing and serialising values visit more than \(budget.maxVisits) list and dict items in one generation", .limit)
        }
        visits += taken
    }

    /// Gives the unspent share back to the budget (at the end of a render).
    func close() {
        budget.giveBack(bytes: bytes, visits: visits)
        bytes = 0
        visits = 0
    }

    // MARK: - the render running on this thread

    /// The meter of the render running on this thread; walks over values that cannot be handed
    /// it (inside `==`-like helpers, string methods, formatting) find it here.
    static var current: RenderMeter? {
        guard let pointer = pthread_getspecific(currentMeterKey) else { return nil }
        return Unmanaged<RenderMeter>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Runs `body` with `self` as the thread's current meter (restoring the previous one after).
    func install<T>(_ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(currentMeterKey)
        pthread_setspecific(currentMeterKey, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(currentMeterKey, previous) }
        return try body()
    }
}

private let currentMeterKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
