import Dispatch
import Foundation

/// Removes the staging directory when SIGINT or SIGTERM arrives before the final move, then
/// ends the process with status 128 + the signal (130 for SIGINT, 143 for SIGTERM) through the
/// exit the program handed over at start-up (`handOverExit`): the library never ends the process
/// itself, and until a program hands its exit over, `install()` leaves signals as they are.
///
/// The thread that owns the staging directory stops first: the signal handler marks the run as
/// interrupted and waits until the owner reaches a checkpoint (between two files, before the git
/// step's result is moved, in `discard`) and parks there. Only then is the directory removed, so
/// no write that is still under way (libgit2 creates missing parent folders) can bring it back.
/// During the move itself the signal waits until the move is done.
package final class InterruptionGuard: @unchecked Sendable {
    package static let shared = InterruptionGuard()

    /// How long the handler waits for the owner to park before removing the staging directory
    /// regardless (a single write that takes this long is stuck, not busy).
    static let ownerGrace: TimeInterval = 5

    private let lock = NSLock()
    private var stagingPath: String?
    private var ownerBusy = false
    private var parked = false
    private var committing = false
    private var moved = false
    private var pendingSignal: Int32?
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "mlrepro.signals")
    private var interceptor: (@Sendable (Int32) -> Bool)?
    private var interrupting = false
    private var terminate: (@Sendable (Int32) -> Never)?

    /// True once a signal is being handled: writers stop, and the program waits for the
    /// handler's exit instead of ending on its own (which could cut the cleanup short).
    package var isInterrupting: Bool {
        lock.lock()
        defer { lock.unlock() }
        return interrupting
    }

    /// Parks the calling thread for good while a signal is being handled (the handler ends the
    /// process): the staging owner's checkpoint between steps, and the program's last step.
    package func waitIfInterrupting() {
        if isInterrupting { park() }
    }

    /// Stops this thread for good: the signal handler, which is ending the process, may now
    /// remove the staging directory.
    private func park() -> Never {
        lock.lock()
        parked = true
        lock.unlock()
        while true { usleep(50_000) }
    }

    /// Takes the lock, or parks for good when a signal is already being handled.
    private func lockOrPark() {
        lock.lock()
        if interrupting {
            lock.unlock()
            park()
        }
    }

    private init() {}

    /// How the process ends after a signal was handled: the program's own exit, called with
    /// 128 + the signal once the staging directory is removed and the message written.
    package func handOverExit(_ terminate: @escaping @Sendable (Int32) -> Never) {
        lock.lock()
        self.terminate = terminate
        lock.unlock()
    }

    /// Starts watching SIGINT/SIGTERM (idempotent); does nothing before `handOverExit`.
    package func install() {
        lock.lock()
        defer { lock.unlock() }
        guard sources.isEmpty, terminate != nil else { return }
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.handleSignal(number, onOwnerThread: false) }
            source.resume()
            sources.append(source)
        }
    }

    /// Gives `body` the first look at each signal; when it returns true the signal is handled
    /// elsewhere (an interactive prompt that ends itself and restores the terminal).
    package func intercept(_ body: (@Sendable (Int32) -> Bool)?) {
        lock.lock()
        interceptor = body
        lock.unlock()
    }

    /// What the message after a signal says of the target: before the move, and after it.
    package func describeOutcomes(before: String, after: String) {
        lock.lock()
        outcomeBefore = before
        outcomeAfter = after
        lock.unlock()
    }

    private var outcomeBefore = "nothing was written"
    private var outcomeAfter = "the project was already in place"

    /// Creates the staging directory with `make` and marks it for removal on interruption, in
    /// one step: a signal either comes first (and nothing is created) or finds the path.
    package func createStaging(_ make: () throws -> String) throws -> String {
        lockOrPark()
        defer { lock.unlock() }
        let path = try make()
        stagingPath = path
        ownerBusy = true
        moved = false
        return path
    }

    /// Runs the final move; an interruption meanwhile is handled once it is done.
    package func committing<T>(_ body: () throws -> T) rethrows -> T {
        lockOrPark()
        committing = true
        lock.unlock()
        defer {
            lock.lock()
            committing = false
            let pending = pendingSignal
            pendingSignal = nil
            lock.unlock()
            if let pending { handleSignal(pending, onOwnerThread: true) }
        }
        let result = try body()
        lock.lock()
        moved = true
        lock.unlock()
        return result
    }

    /// The staging directory is gone (moved or removed): nothing to clean any more.
    package func release() {
        lock.lock()
        stagingPath = nil
        ownerBusy = false
        lock.unlock()
    }

    /// Removes the staging directory at `path` for its owner (after an error, or after a
    /// file-by-file move), or parks when a signal handler is already removing it.
    package func discard(_ path: String) {
        lockOrPark()
        stagingPath = nil
        lock.unlock()
        try? FileManager.default.removeItem(atPath: path)
        release()
    }

    private func handleSignal(_ number: Int32, onOwnerThread: Bool) {
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
        guard let terminate else {
            lock.unlock()
            return
        }
        interrupting = true
        lock.unlock()
        if !onOwnerThread { waitForOwner() }
        lock.lock()
        let path = stagingPath
        stagingPath = nil
        let outcome = moved ? outcomeAfter : outcomeBefore
        lock.unlock()
        if let path { Self.remove(path) }
        let message = "mlrepro: \(number == SIGINT ? "interrupted" : "terminated"); \(outcome)\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        terminate(128 + number)
    }

    /// Waits until the staging owner has parked or let go of the directory, at most `ownerGrace`.
    private func waitForOwner() {
        let deadline = Date().addingTimeInterval(Self.ownerGrace)
        while Date() < deadline {
            lock.lock()
            let settled = !ownerBusy || parked
            lock.unlock()
            if settled { return }
            usleep(2_000)
        }
    }

    /// Removes the staging directory; again if a write was still finishing (only after the
    /// owner missed its grace period).
    private static func remove(_ path: String) {
        for _ in 0..<20 {
            try? FileManager.default.removeItem(atPath: path)
            if !FileManager.default.fileExists(atPath: path) { return }
            usleep(10_000)
        }
    }
}
