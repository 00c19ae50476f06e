import Synchronization

/// One timer for the deadlines of every institution of a scan.
///
/// `Task.sleep` on Linux arms a dispatch timer that stays allocated until it fires, even when the
/// sleeping task is cancelled: a sleep of 120 s per institution, cancelled as soon as the
/// institution is done, kept about 700 bytes per institution alive for two minutes, most of the
/// memory a long scan grew by (issue 22). Here a waiter is forgotten the moment its task is
/// cancelled, and one loop (``run(every:)``) wakes the waiters whose deadline has passed.
final class DeadlineTimer: Sendable {
    private struct Waiter {
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// How many waiters are pending.
    var pending: Int { state.withLock { $0.waiters.count } }

    /// Returns once `deadline` has passed (at the next turn of ``run(every:)``); throws
    /// `CancellationError` as soon as the calling task is cancelled.
    func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { $0.waiters[id] = Waiter(deadline: deadline, continuation: continuation) }
                // Cancelled before the waiter was registered: the handler found nothing to resume.
                if Task.isCancelled { resume(id, throwing: CancellationError()) }
            }
        } onCancel: {
            resume(id, throwing: CancellationError())
        }
    }

    /// Wakes the waiters whose deadline has passed, every `interval`, until the task is cancelled.
    func run(every interval: Duration) async {
        while !Task.isCancelled {
            // The sleep throws only when the task is cancelled, which ends the loop.
            try? await Task.sleep(for: interval)
            fire(now: .now)
        }
    }

    /// Resumes every waiter whose deadline is at or before `now`.
    func fire(now: ContinuousClock.Instant) {
        let due = state.withLock { state in
            let ids = state.waiters.filter { $0.value.deadline <= now }.map(\.key)
            return ids.compactMap { state.waiters.removeValue(forKey: $0) }
        }
        for waiter in due { waiter.continuation.resume() }
    }

    private func resume(_ id: UInt64, throwing error: any Error) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.continuation.resume(throwing: error)
    }
}
