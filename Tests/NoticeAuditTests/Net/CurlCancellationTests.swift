import CCurl
import Foundation
import Testing
@testable import NoticeAudit

/// Cancellation of a libcurl transfer in every order against the engine's thread, ordered by the
/// engine's hooks, never by sleeps. The lab's `/slow` page answers after 10 s and the transfer
/// may take a minute, so a lost cancellation shows as an answer, never as a pass.
@Suite("curl cancellation in every order", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct CurlCancellationTests {
    static var lab: LabEnvironment { LabEnvironment.current! }

    /// A GET of the lab's page at `path`, pinned to the lab's address, run by `engine`.
    static func get(_ path: String, on engine: CurlEngine) async throws -> Int {
        let transfer = try CurlTransfer(engine: engine)
        let port = Int(lab["LAB_HTTPS_PORT"])!
        transfer.set(CURLOPT_URL, "https://\(lab["LAB_HTTPS_HOSTNAME"]):\(port)\(path)")
        transfer.set(CURLOPT_CAINFO, lab["LAB_CA_FILE"])
        transfer.set(CURLOPT_TIMEOUT_MS, 60_000)
        CurlHTTPClient.pin(transfer, host: lab["LAB_HTTPS_HOSTNAME"], port: port, to: [IPAddress(lab["LAB_HTTPS_ADDRESS"])!])
        let code = try await engine.perform(transfer)
        #expect(code == CURLE_OK, "\(transfer.errorMessage)")
        return transfer.info(CURLINFO_RESPONSE_CODE)
    }

    /// The order that used to lose the cancellation: the engine's thread handles the cancellation
    /// before the transfer is submitted.
    @Test func cancelledBeforeSubmissionEndsAtOnceAndNeverStarts() async throws {
        let started = Counter(), rounds = OwnerRoundWatcher()
        let engine = try CurlEngine(hooks: CurlEngineHooks(beforeRound: { rounds.round() }, cancelRecorded: { rounds.waitForTwoRounds() }, started: { started.increment() }))
        defer { engine.shutdown() }
        let gate = ThreadSignal()
        let task = Task {
            _ = await gate.wait()
            return try await Self.get("/slow", on: engine)
        }
        task.cancel()
        gate.signal()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(started.value == 0)
    }

    @Test func cancelledWhileQueuedForTheEngineNeverStarts() async throws {
        let pause = OwnerThreadPause()
        let submitted = ThreadSignal()
        let started = Counter()
        let engine = try CurlEngine(hooks: CurlEngineHooks(beforeRound: { pause.check() }, submitted: { submitted.signal() }, started: { started.increment() }))
        defer { engine.shutdown() }
        #expect(await pause.engage(wake: engine.wake))
        let task = Task { try await Self.get("/slow", on: engine) }
        #expect(await submitted.wait())
        task.cancel()
        pause.release()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(started.value == 0)
        #expect(engine.activeTransfers == 0)
    }

    @Test func cancelledInFlightEndsAtOnceAndLeavesTheMultiHandle() async throws {
        let started = ThreadSignal()
        let engine = try CurlEngine(hooks: CurlEngineHooks(started: { started.signal() }))
        defer { engine.shutdown() }
        let task = Task { try await Self.get("/slow", on: engine) }
        #expect(await started.wait())
        #expect(engine.activeTransfers == 1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(engine.activeTransfers == 0)
    }

    @Test func anAnswerThatCameFirstIsKept() async throws {
        let completed = ThreadSignal(), cancelled = ThreadSignal()
        let engine = try CurlEngine(hooks: CurlEngineHooks(completed: {
            completed.signal()
            cancelled.block()
        }))
        defer { engine.shutdown() }
        let task = Task { try await Self.get("/exlibris/v1.html", on: engine) }
        #expect(await completed.wait())
        task.cancel()
        cancelled.signal()
        #expect(try await task.value == 200)
    }
}
