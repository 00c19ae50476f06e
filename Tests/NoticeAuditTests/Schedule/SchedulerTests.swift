import Foundation
import Testing
@testable import NoticeAudit

/// `schedule run` with a test clock (60 simulated seconds per second): a scan every minute from two
/// schedulers on one database, then SIGTERM.
@Suite("schedule run", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct SchedulerTests {
    static var lab: LabEnvironment { LabEnvironment.current! }

    @Test func scansNeverOverlapAndSIGTERMLeavesTheDatabaseConsistent() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.url.appendingPathComponent("history.sqlite").path
        let quick = ["good-include", "good-ip"].map { #"{"id": "\#($0)", "name": "\#($0)", "sender_domains": ["\#($0).demo.test"]}"# }
        let slow = (0..<2).map { #"{"id": "silent\#($0)", "name": "Silent \#($0)", "sender_domains": ["relay.demo.test"], "delivery": "relay", "envelope_from": "a@relay.demo.test", "relay": {"host": "smtp.lab.test", "port": 2592, "security": "starttls"}}"# }
        let inventory = try directory.write(#"{"consortium": "SCHED", "defaults": {"region": "NA"}, "institutions": ["# + (quick + slow).joined(separator: ",") + "]}", to: "inventory.json")
        let arguments = Self.lab.scan.arguments(inventory: inventory.path, in: directory.url, database: database, timeout: "3")
            + ["--trigger", "scheduled", "--concurrency", "1"]
        let config: [String: Any] = ["timezone": "America/New_York", "lock": database, "jobs": [["name": "every-minute", "cron": "* * * * *", "arguments": arguments]]]
        let configFile = directory.url.appendingPathComponent("schedule.json")
        try JSONSerialization.data(withJSONObject: config).write(to: configFile)

        var schedulers: [(Process, URL)] = []
        for index in 0..<2 {
            let process = Process()
            process.executableURL = CommandRunner.binary
            process.arguments = ["schedule", "run", "--config", configFile.path, "--time-scale", "60", "--log-level", "info"]
            process.environment = CommandRunner.environment()
            let log = directory.url.appendingPathComponent("scheduler\(index).log")
            try Data().write(to: log)
            process.standardError = try FileHandle(forWritingTo: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            schedulers.append((process, log))
        }
        // Wait for what the test is about (two finished scans and one skip), not for a fixed time.
        func logs() -> String { schedulers.map { (try? String(contentsOf: $0.1, encoding: .utf8)) ?? "" }.joined(separator: "\n") }
        let seen = await waitUntil(upTo: .seconds(120)) {
            let text = logs()
            return text.components(separatedBy: "every-minute finished with status").count - 1 >= 2 && text.contains("skipped every-minute: another job holds")
        }
        for (process, _) in schedulers { kill(process.processIdentifier, SIGTERM) }
        for (process, _) in schedulers { await Self.waitForExit(process) }
        let text = logs()
        #expect(seen, "\(text)")
        for (process, _) in schedulers { #expect(process.terminationStatus == 0, "\(text)") }
        #expect(text.contains("skipped every-minute: another job holds"), "\(text)")

        let history = try HistoryDatabase(path: database)
        let store = ScanStore(database: history)
        var runs: [ScanRunRecord] = []
        var id: Int64 = 1
        while let run = try store.run(id: id) { runs.append(run); id += 1 }
        runs.sort { $0.startedAt < $1.startedAt }
        #expect(runs.count >= 2)
        #expect(runs.allSatisfy { $0.status != .running })
        for (earlier, later) in zip(runs, runs.dropFirst()) {
            #expect((earlier.finishedAt ?? .distantFuture) <= later.startedAt, "runs \(earlier.id) and \(later.id) overlap")
        }
        #expect(try history.integrityCheck() == "ok")
    }

    @Test func aRunMissedWhileDownRunsOnceAtStartUp() async throws {
        let directory = try TemporaryDirectory()
        let lock = directory.url.appendingPathComponent("history.sqlite").path
        let inventory = CommandRunner.packageRoot.appendingPathComponent("inventory.json").path
        let config: [String: Any] = ["timezone": "UTC", "lock": lock,
                                     "jobs": [["name": "nightly", "cron": "0 3 * * *", "arguments": ["inventory", "validate", inventory]]]]
        let configFile = directory.url.appendingPathComponent("schedule.json")
        try JSONSerialization.data(withJSONObject: config).write(to: configFile)
        // Down for three nights: the state says the job last ran three days ago.
        try JSONSerialization.data(withJSONObject: ["nightly": Date().timeIntervalSince1970 - 3 * 86_400]).write(to: URL(fileURLWithPath: lock + ".schedule.json"))
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = ["schedule", "run", "--config", configFile.path, "--log-level", "info"]
        process.environment = CommandRunner.environment()
        let logFile = directory.url.appendingPathComponent("scheduler.log")
        try Data().write(to: logFile)
        process.standardError = try FileHandle(forWritingTo: logFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let finished = await waitUntil(upTo: .seconds(60)) {
            ((try? String(contentsOf: logFile, encoding: .utf8)) ?? "").contains("nightly finished with status 0")
        }
        kill(process.processIdentifier, SIGTERM)
        await Self.waitForExit(process)
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        #expect(finished, "\(log)")
        #expect(log.components(separatedBy: "missed run of nightly").count - 1 == 1, "\(log)")
        #expect(log.components(separatedBy: "nightly finished with status 0").count - 1 == 1, "\(log)")
    }

    /// Waits for the process to end on a thread of its own (the test pool stays free).
    static func waitForExit(_ process: Process) async {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }

    @Test func invalidConfigSaysWhere() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(#"{"timezone": "America/New_York", "lock": "/tmp/x", "jobs": [{"name": "a", "cron": "61 * * * *", "arguments": ["scan"]}]}"#, to: "s.json")
        let run = try await CommandRunner.run(["schedule", "run", "--config", file.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("jobs[0] (a): invalid cron '61 * * * *': minute field"))
    }
}
