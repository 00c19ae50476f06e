import Foundation
import Synchronization

/// A signal between a C library's owner thread (held in a test hook) and a test, awaited without
/// holding a thread of the test pool.
final class ThreadSignal: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    func signal() { semaphore.signal() }

    /// Blocks the calling thread (an owner thread inside a hook) until signalled.
    func block() { semaphore.wait() }

    /// Waits on a thread of its own; false when `limit` passed first.
    func wait(upTo limit: Duration = .seconds(60)) async -> Bool {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
                continuation.resume(returning: self.semaphore.wait(timeout: .now() + seconds) == .success)
            }
        }
    }
}

/// Holds an owner thread at its next round when engaged, until released: the test then orders
/// what the thread will see next.
final class OwnerThreadPause: Sendable {
    private let engaged = Mutex(false)
    private let held = ThreadSignal()
    private let released = ThreadSignal()

    /// For the owner thread's `beforeRound` hook.
    func check() {
        let hold = engaged.withLock { value in
            defer { value = false }
            return value
        }
        guard hold else { return }
        held.signal()
        released.block()
    }

    /// Asks for the hold; `wake` interrupts the owner's wait. Returns once the thread is held.
    func engage(wake: () -> Void) async -> Bool {
        engaged.withLock { $0 = true }
        wake()
        return await held.wait()
    }

    func release() { released.signal() }
}

/// A count updated from any thread.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// Lets a caller's thread wait, inside a hook, until an owner thread has gone through two more
/// rounds of its loop: whatever was queued before the wait has then been handled.
final class OwnerRoundWatcher: Sendable {
    private let remaining = Mutex(0)
    private let done = ThreadSignal()

    /// For the owner thread's `beforeRound` hook.
    func round() {
        let finished = remaining.withLock { count -> Bool in
            guard count > 0 else { return false }
            count -= 1
            return count == 0
        }
        if finished { done.signal() }
    }

    /// Blocks the calling thread until two rounds passed (each at most the owner's poll interval).
    func waitForTwoRounds() {
        remaining.withLock { $0 = 2 }
        done.block()
    }
}

/// Polls `condition` every 100 ms until it holds or `limit` passes; true when it held. For an event
/// another process makes (a log line written, a file renamed): waiting on it, never for a fixed time.
func waitUntil(upTo limit: Duration, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return condition()
}
