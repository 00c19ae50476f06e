import CCurl
import Foundation
import Testing
@testable import NoticeAudit

/// Cancellation of a libcurl transfer in every order against the engine's thread, ordered by the
/// engine's hooks, never by sleeps. The cancelled transfers go to a server that never answers and
/// may take a minute, so a lost cancellation shows as a timeout error, never as a pass.
@Suite("curl cancellation in every order", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct CurlCancellationTests {
    static var lab: LabEnvironment { LabEnvironment.current! }

    /// A GET of the lab's page at `path`, pinned to the lab's address, run by `engine`. With
    /// `silent`, the connection goes to a lab server that accepts and never says a word, so the
    /// transfer can only end by cancellation (or after a minute): no answer can race it.
    static func get(_ path: String, on engine: CurlEngine, silent: Bool = false) async throws -> Int {
        let transfer = try CurlTransfer(engine: engine)
        let silentPort = (try? JSONSerialization.jsonObject(with: Data(lab["LAB_SMTP_PORTS"].utf8)) as? [String: Int])?["silent"]
        let port = silent ? silentPort! : Int(lab["LAB_HTTPS_PORT"])!
        transfer.set(CURLOPT_URL, "https://\(lab["LAB_HTTPS_HOSTNAME"]):\(port)\(path)")
        transfer.set(CURLOPT_CAINFO, lab["LAB_CA_FILE"])
        transfer.set(CURLOPT_TIMEOUT_MS, 60_000)
        CurlHTTPClient.pin(transfer, host: lab["LAB_HTTPS_HOSTNAME"], port: port, to: [IPAddress(lab[silent ? "LAB_SMTP_ADDRESS" : "LAB_HTTPS_ADDRESS"])!])
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
            return try await Self.get("/", on: engine, silent: true)
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
        let task = Task { try await Self.get("/", on: engine, silent: true) }
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
        let task = Task { try await Self.get("/", on: engine, silent: true) }
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
