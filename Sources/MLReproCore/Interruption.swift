import Dispatch
import Foundation

/// Removes the staging directory when SIGINT or SIGTERM arrives before the final move, then
/// exits with status 128 + the signal (130 for SIGINT, 143 for SIGTERM). During the move itself the signal waits until the move is done.
public final class InterruptionGuard: @unchecked Sendable {
    public static let shared = InterruptionGuard()

    private let lock = NSLock()
    private var stagingPath: String?
    private var committing = false
    private var pendingSignal: Int32?
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "mlrepro.signals")
    private var interceptor: (@Sendable (Int32) -> Bool)?
    private var interrupting = false

    /// True once a signal is being handled: writers stop, and the program waits for the
    /// handler's exit instead of ending on its own (which could cut the cleanup short).
    public var isInterrupting: Bool {
        lock.lock()
        defer { lock.unlock() }
        return interrupting
    }

    /// Blocks for good while a signal is being handled; the handler ends the process.
    public func waitIfInterrupting() {
        while isInterrupting { usleep(50_000) }
    }

    private init() {}

    /// Starts watching SIGINT/SIGTERM (idempotent).
    public func install() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.handleSignal(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// Gives `body` the first look at each signal; when it returns true the signal is handled
    /// elsewhere (an interactive prompt that ends itself and restores the terminal).
    public func intercept(_ body: (@Sendable (Int32) -> Bool)?) {
        lock.lock()
        interceptor = body
        lock.unlock()
    }

    /// Marks `path` as the staging directory to remove on interruption.
    public func protect(_ path: String) {
        lock.lock()
        stagingPath = path
        lock.unlock()
    }

    /// Runs the final move; an interruption meanwhile is handled once it is done.
    public func committing<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        committing = true
        lock.unlock()
        defer {
            lock.lock()
            committing = false
            let pending = pendingSignal
            pendingSignal = nil
            lock.unlock()
            if let pending { handleSignal(pending) }
        }
        return try body()
    }

    /// The staging directory is gone (moved or removed): nothing to clean any more.
    public func release() {
        lock.lock()
        stagingPath = nil
        lock.unlock()
    }

    private func handleSignal(_ number: Int32) {
        lock.lock()
        if committing {
            pendingSignal = number
            lock.unlock()
            return
        }
        if let interceptor, interceptor(number) {
            lock.unlock()
            return
        }
        let path = stagingPath
        stagingPath = nil
        interrupting = true
        lock.unlock()
        if let path { Self.remove(path) }
        let message = "mlrepro: \(number == SIGINT ? "interrupted" : "terminated"); nothing was written\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        exit(128 + number)
    }

    /// Renames the staging folder out of the writers' way (their next open fails), then removes
    /// it, again if a write that was already under way created a file meanwhile.
    private static func remove(_ path: String) {
        let tombstone = path + ".removing"
        let target = rename(path, tombstone) == 0 ? tombstone : path
        for _ in 0..<20 {
            try? FileManager.default.removeItem(atPath: target)
            if !FileManager.default.fileExists(atPath: target) { return }
            usleep(10_000)
        }
    }
}
