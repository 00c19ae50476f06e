import Foundation
import Testing
@testable import NoticeAudit

/// Issue 12 item 8: a second SIGINT/SIGTERM ends the scan at once (exit 3), even while the
/// graceful stop is stuck (here: on the history's write lock, which the test holds).
@Suite("signals (the binary)", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct SignalTests {
    static var lab: LabEnvironment { LabEnvironment.current! }

    @Test func aSecondSignalStopsAtOnceWhileTheFirstWaitsForTheDatabase() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.url.appendingPathComponent("history.sqlite").path
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = Self.lab.scan.arguments(inventory: CommandRunner.packageRoot.appendingPathComponent("Tests/Lab/demo/inventory.json").path,
                                                    in: directory.url, database: database, timeout: "3") + ["--concurrency", "1"]
        process.environment = CommandRunner.environment()
        process.standardOutput = FileHandle.nullDevice
        let stderrURL = directory.url.appendingPathComponent("scan.stderr")
        try Data().write(to: stderrURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        let exited = ThreadSignal()
        process.terminationHandler = { _ in exited.signal() }
        try process.run()

        // Once the run is recorded, take the write lock: the scan's next write waits for it.
        let locked = ThreadSignal(), release = ThreadSignal()
        Thread.detachNewThread {
            for _ in 0..<600 {
                if let store = try? ScanStore(database: HistoryDatabase(path: database, access: .readOnly)), (try? store.latestRun()) != nil { break }
                usleep(50_000)
            }
            try? HistoryDatabase(path: database).write { db in
                try db.execute(sql: "UPDATE scan_run SET notes = notes")
                locked.signal()
                release.block()
            }
        }
        #expect(await locked.wait())
        // Two different signals: the kernel never merges them, whichever is handled first.
        kill(process.processIdentifier, SIGINT)
        kill(process.processIdentifier, SIGTERM)
        let stoppedInTime = await exited.wait(upTo: .seconds(20))
        release.signal()
        if !stoppedInTime { process.waitUntilExit() }
        let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        #expect(stoppedInTime, "still running 20 s after the second signal (the busy timeout is 30 s): \(stderr.suffix(1500))")
        #expect(process.terminationStatus == 3)
        #expect(stderr.contains("stopped at once by a second signal; run 1"), "\(stderr.suffix(1500))")

        // The run is recorded as aborted, now or by the next scan.
        let next = try await CommandRunner.run(Self.lab.scan.arguments(inventory: CommandRunner.packageRoot.appendingPathComponent("Tests/Lab/demo/inventory.json").path,
                                                                       in: directory.url, database: database, nameServer: .direct, timeout: "5")
                                               + ["--institution", "good-ip"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try ScanStore(database: HistoryDatabase(path: database, access: .readOnly)).run(id: 1)?.status == .aborted)
    }

    /// Issue 12 item 7: an interrupted scan names its own run, even while a later run is going on.
    @Test func anInterruptedScanNamesItsOwnRunNotTheLatest() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.url.appendingPathComponent("history.sqlite").path
        // Forty relays that never greet, one at a time: the first scan lasts minutes, whatever the
        // machine's load, so it is certainly still running when it is interrupted.
        let silent = (0..<40).map { #"{"id": "silent\#($0)", "name": "Silent \#($0)", "sender_domains": ["relay.demo.test"], "delivery": "relay", "envelope_from": "a@relay.demo.test", "relay": {"host": "smtp.lab.test", "port": 2592, "security": "starttls"}}"# }
        let inventory = try directory.write(#"{"consortium": "SIG", "defaults": {"region": "NA"}, "institutions": ["# + silent.joined(separator: ",") + "]}", to: "inventory.json")
        func start(_ extra: [String], stderr name: String) throws -> (Process, URL, ThreadSignal) {
            let process = Process()
            process.executableURL = CommandRunner.binary
            process.arguments = Self.lab.scan.arguments(inventory: inventory.path, in: directory.url, database: database, timeout: "5")
                + ["--concurrency", "1"] + extra
            process.environment = CommandRunner.environment()
            process.standardOutput = FileHandle.nullDevice
            let stderr = directory.url.appendingPathComponent(name)
            try Data().write(to: stderr)
            process.standardError = try FileHandle(forWritingTo: stderr)
            let exited = ThreadSignal()
            process.terminationHandler = { _ in exited.signal() }
            try process.run()
            return (process, stderr, exited)
        }
        func runRecorded(_ id: Int64) async -> Bool {
            await waitUntil(upTo: .seconds(60)) {
                (try? ScanStore(database: HistoryDatabase(path: database, access: .readOnly)).run(id: id)) != nil
            }
        }
        let (first, firstStderr, firstExited) = try start([], stderr: "first.stderr")
        #expect(await runRecorded(1))
        let (_, _, secondExited) = try start(["--institution", "silent0"], stderr: "second.stderr")
        #expect(await runRecorded(2))
        kill(first.processIdentifier, SIGTERM)
        #expect(await firstExited.wait())
        let message = (try? String(contentsOf: firstStderr, encoding: .utf8)) ?? ""
        #expect(first.terminationStatus == 3)
        #expect(message.contains("the scan was interrupted; run 1 is recorded as aborted"), "\(message.suffix(1500))")
        #expect(await secondExited.wait())
        let store = ScanStore(database: try HistoryDatabase(path: database, access: .readOnly))
        #expect(try store.run(id: 1)?.status == .aborted)
        #expect(try store.run(id: 2)?.status == .completed)
        // Issue 19: the aborted run's partial report keeps its path, so the list of runs links it
        // as run 1 rather than as a folder "no longer in the history database".
        #expect(try store.reportedRuns().contains { $0.run == 1 && $0.reportPath.hasSuffix("-run1") })
    }
}
