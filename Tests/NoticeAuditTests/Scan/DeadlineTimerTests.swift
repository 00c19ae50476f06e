import Testing
@testable import NoticeAudit

/// The scan's one timer for every institution's deadline (issue 22): a cancelled wait leaves
/// nothing behind, a due one is woken, an early one is not.
struct DeadlineTimerTests {
    @Test func aCancelledWaitIsForgottenAtOnce() async throws {
        let timer = DeadlineTimer()
        let waits = (0..<100).map { _ in Task { try await timer.sleep(until: .now + .seconds(120)) } }
        while timer.pending < 100 { await Task.yield() }
        for wait in waits { wait.cancel() }
        for wait in waits { await #expect(throws: CancellationError.self) { try await wait.value } }
        #expect(timer.pending == 0)
    }

    @Test func aWaitIsWokenOnceItsDeadlinePassedAndNotBefore() async throws {
        let timer = DeadlineTimer()
        let deadline = ContinuousClock.now + .seconds(60)
        let wait = Task { try await timer.sleep(until: deadline) }
        while timer.pending < 1 { await Task.yield() }
        timer.fire(now: deadline - .seconds(1))
        #expect(timer.pending == 1)
        timer.fire(now: deadline)
        try await wait.value
        #expect(timer.pending == 0)
    }

    @Test func aWaitCancelledBeforeItStartsEndsAtOnce() async throws {
        let timer = DeadlineTimer()
        let wait = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await timer.sleep(until: .now + .seconds(120))
        }
        await #expect(throws: CancellationError.self) { try await wait.value }
        #expect(timer.pending == 0)
    }

    @Test func theLoopWakesDueWaits() async throws {
        let timer = DeadlineTimer()
        let loop = Task { await timer.run(every: .milliseconds(10)) }
        try await timer.sleep(until: .now + .milliseconds(50))
        loop.cancel()
        await loop.value
        #expect(timer.pending == 0)
    }
}
