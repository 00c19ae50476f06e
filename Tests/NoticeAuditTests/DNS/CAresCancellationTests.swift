import Foundation
import Testing
@testable import NoticeAudit

/// Cancellation of a c-ares query in every order against the owner thread, ordered by the
/// channel's hooks, never by sleeps. The name never answers and the channel's timeout is a
/// minute, so a lost cancellation shows as a timeout error, never as a pass.
@Suite("c-ares cancellation in every order", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct CAresCancellationTests {
    static var lab: LabEnvironment { LabEnvironment.current! }
    static let silentName = "blackhole.fault.lab.test"

    static func channel(fault: Bool = true, hooks: CAresChannelHooks) throws -> CAresChannel {
        try CAresChannel(servers: [lab[fault ? "LAB_FAULT_DNS" : "LAB_DNS"]], timeout: .seconds(60), hooks: hooks)
    }

    /// The order that used to lose the cancellation: the owner thread handles the cancellation
    /// before the query is submitted.
    @Test func cancelledBeforeSubmissionEndsAtOnceAndNeverStarts() async throws {
        let started = Counter(), rounds = OwnerRoundWatcher()
        let channel = try Self.channel(hooks: CAresChannelHooks(beforeRound: { rounds.round() }, cancelRecorded: { rounds.waitForTwoRounds() }, started: { _ in started.increment() }))
        defer { channel.shutdown() }
        let gate = ThreadSignal()
        let task = Task {
            _ = await gate.wait()
            return try await channel.exchange(Self.silentName, type: .txt)
        }
        task.cancel()
        gate.signal()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(started.value == 0)
    }

    @Test func cancelledWhileQueuedForTheOwnerThreadNeverStarts() async throws {
        let pause = OwnerThreadPause()
        let submitted = ThreadSignal()
        let started = Counter()
        let channel = try Self.channel(hooks: CAresChannelHooks(beforeRound: { pause.check() }, submitted: { _ in submitted.signal() }, started: { _ in started.increment() }))
        defer { channel.shutdown() }
        #expect(await pause.engage(wake: channel.wake))
        let task = Task { try await channel.exchange(Self.silentName, type: .txt) }
        #expect(await submitted.wait())
        task.cancel()
        pause.release()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(started.value == 0)
    }

    @Test func cancelledInFlightEndsAtOnce() async throws {
        let started = ThreadSignal()
        let channel = try Self.channel(hooks: CAresChannelHooks(started: { _ in started.signal() }))
        defer { channel.shutdown() }
        let task = Task { try await channel.exchange(Self.silentName, type: .txt) }
        #expect(await started.wait())
        let cancelledAt = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - cancelledAt < .seconds(30))
    }

    @Test func anAnswerThatCameFirstIsKept() async throws {
        let answered = ThreadSignal(), cancelled = ThreadSignal()
        let channel = try Self.channel(fault: false, hooks: CAresChannelHooks(answered: { _ in
            answered.signal()
            cancelled.block()
        }))
        defer { channel.shutdown() }
        let task = Task { try await channel.exchange("lab.test", type: .txt) }
        #expect(await answered.wait())
        task.cancel()
        cancelled.signal()
        let response = try await task.value
        #expect(response.answer.records.count == 1)
    }

    @Test func cancellingOneQueryLeavesTheOthersAlone() async throws {
        let started = Counter(), allStarted = ThreadSignal()
        let channel = try Self.channel(hooks: CAresChannelHooks(started: { _ in
            started.increment()
            if started.value == 11 { allStarted.signal() }
        }))
        defer { channel.shutdown() }
        // The victim asks a name that never answers: whenever its cancellation is handled, no
        // answer can have come first (a 2 s answer did, on a loaded machine).
        let victim = Task { try await channel.exchange(Self.silentName, type: .txt) }
        let others = (0..<10).map { _ in Task { try await channel.exchange("slower.fault.lab.test", type: .txt) } }
        #expect(await allStarted.wait())
        victim.cancel()
        await #expect(throws: CancellationError.self) { try await victim.value }
        for other in others { #expect(try await other.value.answer.records.count == 1) }
    }
}
