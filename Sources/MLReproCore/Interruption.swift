import Dispatch
import Foundation

/// Removes the staging directory when SIGINT or SIGTERM arrives before the final move, then
/// exits with status 130. During the move itself the signal waits until the move is done.
public final class InterruptionGuard: @unchecked Sendable {
    public static let shared = InterruptionGuard()

    private let lock = NSLock()
    private var stagingPath: String?
    private var committing = false
    private var pendingSignal = false
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "mlrepro.signals")

    private init() {}

    /// Starts watching SIGINT/SIGTERM (idempotent).
    public func install() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.handleSignal() }
            source.resume()
            sources.append(source)
        }
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
            lock.unlock()
            if pending { handleSignal() }
        }
        return try body()
    }

    /// The staging directory is gone (moved or removed): nothing to clean any more.
    public func release() {
        lock.lock()
        stagingPath = nil
        lock.unlock()
    }

    private func handleSignal() {
        lock.lock()
        if committing {
            pendingSignal = true
            lock.unlock()
            return
        }
        let path = stagingPath
        stagingPath = nil
        lock.unlock()
        if let path { try? FileManager.default.removeItem(atPath: path) }
        let message = "mlrepro: interrupted; nothing was written\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        exit(130)
    }
}
