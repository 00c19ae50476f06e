import Foundation
import Testing
@testable import NoticeAudit

@Suite("Scan history (SQLite)")
struct ScanStoreTests {
    static func result(_ id: String, _ status: ComplianceStatus) -> InstitutionResult {
        InstitutionResult(institutionID: id, name: id, method: .spf, status: status, spfResult: .pass, dmarcPolicy: nil, relayStatus: nil,
                          change: .new, findings: [Finding(code: .spfNotAuthorized, severity: .warning, target: id, message: "m", remediation: "r")],
                          domains: [], relay: nil, durationMilliseconds: 1)
    }

    /// The DNS queries of a run reach the outputs one way: recorded with the run as it ends.
    @Test func aRunKeepsTheDNSQueriesItSent() throws {
        let directory = try TemporaryDirectory()
        let store = ScanStore(database: try HistoryDatabase(path: directory.url.appendingPathComponent("h.sqlite").path))
        let catalog = CatalogStatus(snapshot: nil, catalog: DefaultRelayCatalog.catalog, isStale: false, lastError: nil, lastAttemptAt: nil)
        let run = try store.beginRun(trigger: .scheduled, consortium: "T", selection: nil, catalog: catalog, notes: [])
        #expect(try store.run(id: run)?.dnsQueries == nil, "nothing while it runs")
        try store.finishRun(run, status: .aborted, dnsQueries: 42)
        #expect(try store.run(id: run)?.dnsQueries == 42)
        try store.finishRun(run, status: .aborted, reportPath: "/r")
        #expect(try store.run(id: run)?.dnsQueries == 42, "a later update without a count keeps it")
    }

    @Test func changeIsAgainstThePreviousRunThatCoveredTheInstitution() throws {
        let directory = try TemporaryDirectory()
        let store = ScanStore(database: try HistoryDatabase(path: directory.url.appendingPathComponent("h.sqlite").path))
        let catalog = CatalogStatus(snapshot: nil, catalog: DefaultRelayCatalog.catalog, isStale: false, lastError: nil, lastAttemptAt: nil)
        let first = try store.beginRun(trigger: .scheduled, consortium: "T", selection: nil, catalog: catalog, notes: [])
        #expect(try store.record(Self.result("a", .compliant), run: first).change == .new)
        #expect(try store.record(Self.result("b", .noncompliant), run: first).change == .new)
        try store.finishRun(first, status: .completed)
        let adhoc = try store.beginRun(trigger: .adhoc, consortium: "T", selection: ["b"], catalog: catalog, notes: [])
        #expect(try store.record(Self.result("b", .compliant), run: adhoc).change == .fixed)
        try store.finishRun(adhoc, status: .completed)
        let second = try store.beginRun(trigger: .scheduled, consortium: "T", selection: nil, catalog: catalog, notes: [])
        #expect(try store.record(Self.result("a", .unknown), run: second).change == .unverified)
        // A consortium run compares with the consortium runs: the fix an ad-hoc rescan saw first is
        // still this night's news, with the rescan named (issue 19).
        let b = try store.record(Self.result("b", .compliant), run: second)
        #expect(b.change == .fixed)
        #expect(b.changeFirstSeen?.run == adhoc)
        #expect(try store.results(run: second).map(\.institutionID) == ["a", "b"])
        #expect(try store.trend(upTo: second).map(\.compliant) == [1, 1])
    }

    @Test func runsLeftRunningByADeadProcessAreMarkedAbortedAndOldRunsArePruned() throws {
        let directory = try TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.url.appendingPathComponent("h.sqlite").path)
        let store = ScanStore(database: database)
        let catalog = CatalogStatus(snapshot: nil, catalog: DefaultRelayCatalog.catalog, isStale: false, lastError: nil, lastAttemptAt: nil)
        let old = try store.beginRun(trigger: .scheduled, consortium: "T", selection: nil, catalog: catalog, notes: [], now: Date().addingTimeInterval(-10 * 86_400))
        _ = try store.record(Self.result("a", .compliant), run: old)
        // Pretend the process that started it is gone.
        try database.write { db in try db.execute(sql: "UPDATE scan_run SET pid = 999999999 WHERE id = ?", arguments: [old]) }
        let current = try store.beginRun(trigger: .manual, consortium: "T", selection: nil, catalog: catalog, notes: [])
        #expect(try store.run(id: old)?.status == .aborted)
        #expect(try store.run(id: current)?.status == .running)
        #expect(try store.prune(keepDays: 5) == 1)
        #expect(try store.run(id: old) == nil)
        #expect(try store.results(run: old).isEmpty)
        #expect(try database.integrityCheck() == "ok")
    }

    @Test func aFileThatIsNotADatabaseGivesAClearError() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("this is not SQLite\n" + String(repeating: "x", count: 5000), to: "h.sqlite")
        #expect { _ = try HistoryDatabase(path: file.path) } throws: { error in
            guard let error = error as? HistoryError else { return false }
            return error.shortCode == "db_corrupt" && error.message.contains("move it aside")
        }
    }

    /// Issue 12 item 7: a run is dead when its heartbeat is old, whatever host wrote it; a run of
    /// another host (a container) that still beats is left running.
    @Test func runsAreTakenForDeadByTheirHeartbeatNotTheirHost() throws {
        let directory = try TemporaryDirectory()
        let store = ScanStore(database: try HistoryDatabase(path: directory.url.appendingPathComponent("h.sqlite").path))
        let catalog = CatalogStatus(snapshot: nil, catalog: DefaultRelayCatalog.catalog, isStale: false, lastError: nil, lastAttemptAt: nil)
        let now = Date()
        let silent = try store.beginRun(trigger: .scheduled, consortium: "T", selection: nil, catalog: catalog, notes: [], now: now.addingTimeInterval(-3_600), host: "container-a")
        let beating = try store.beginRun(trigger: .scheduled, consortium: "T", selection: nil, catalog: catalog, notes: [], now: now.addingTimeInterval(-3_600), host: "container-b")
        try store.heartbeat(run: beating, now: now.addingTimeInterval(-30))
        let current = try store.beginRun(trigger: .manual, consortium: "T", selection: nil, catalog: catalog, notes: [], now: now, host: "container-c")
        #expect(try store.run(id: silent)?.status == .aborted)
        #expect(try store.run(id: beating)?.status == .running)
        #expect(try store.run(id: current)?.status == .running)
        // Once it falls silent too, the next scan ends it.
        _ = try store.beginRun(trigger: .manual, consortium: "T", selection: nil, catalog: catalog, notes: [], now: now.addingTimeInterval(ScanStore.staleAfter + 60), host: "container-d")
        #expect(try store.run(id: beating)?.status == .aborted)
    }

    /// Issue 12 item 3: a stored result that cannot be decoded is an error, not a dropped row.
    @Test func anUndecodableResultIsAnErrorNotADroppedRow() throws {
        let directory = try TemporaryDirectory()
        let database = try HistoryDatabase(path: directory.url.appendingPathComponent("h.sqlite").path)
        let store = ScanStore(database: database)
        let catalog = CatalogStatus(snapshot: nil, catalog: DefaultRelayCatalog.catalog, isStale: false, lastError: nil, lastAttemptAt: nil)
        let run = try store.beginRun(trigger: .scheduled, consortium: "T", selection: nil, catalog: catalog, notes: [])
        _ = try store.record(Self.result("a", .compliant), run: run)
        _ = try store.record(Self.result("b", .compliant), run: run)
        try database.write { db in try db.execute(sql: "UPDATE institution_result SET detail = '{\"not\": \"a result\"}' WHERE institution_id = 'b'") }
        for read in [{ _ = try store.results(run: run) }, { _ = try store.timeline(institution: "b") }] {
            #expect { try read() } throws: { error in
                guard let error = error as? HistoryError else { return false }
                return error.shortCode == "db_corrupt" && error.message.contains("the result of b in run \(run)")
            }
        }
    }

    /// Issue 12 item 4: read-only access never creates a database.
    @Test func readOnlyAccessNeverCreatesADatabase() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("none.sqlite").path
        #expect { _ = try HistoryDatabase(path: path, access: .readOnly) } throws: { error in
            (error as? HistoryError)?.shortCode == "db_missing" && (error as? HistoryError)?.message.contains("run a scan first") == true
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        let written = ScanStore(database: try HistoryDatabase(path: path))
        let catalog = CatalogStatus(snapshot: nil, catalog: DefaultRelayCatalog.catalog, isStale: false, lastError: nil, lastAttemptAt: nil)
        let run = try written.beginRun(trigger: .manual, consortium: "T", selection: nil, catalog: catalog, notes: [])
        let reader = ScanStore(database: try HistoryDatabase(path: path, access: .readOnly))
        #expect(try reader.run(id: run)?.status == .running)
        #expect(throws: HistoryError.self) { try reader.finishRun(run, status: .completed) }
    }

    /// ../shared/domain.md, "Changes between runs", over a history: an outage night, the
    /// recovery, then a real regression.
    @Test func outageRecoveryAndRegressionAcrossRuns() throws {
        let directory = try TemporaryDirectory()
        let store = ScanStore(database: try HistoryDatabase(path: directory.url.appendingPathComponent("h.sqlite").path))
        let catalog = CatalogStatus(snapshot: nil, catalog: DefaultRelayCatalog.catalog, isStale: false, lastError: nil, lastAttemptAt: nil)
        func night(_ status: ComplianceStatus) throws -> InstitutionResult {
            let run = try store.beginRun(trigger: .scheduled, consortium: "T", selection: nil, catalog: catalog, notes: [])
            defer { try? store.finishRun(run, status: .completed) }
            return try store.record(Self.result("a", status), run: run)
        }
        let first = try night(.unknown)
        #expect(first.change == .unverified && first.unknownRuns == 1)
        let known = try night(.noncompliant)
        #expect(known.change == .new && known.unknownRuns == 0)
        let outage = try night(.unknown)
        #expect(outage.change == .unverified && outage.unknownRuns == 1)
        let outage2 = try night(.unknown)
        #expect(outage2.change == .unverified && outage2.unknownRuns == 2)
        let recovered = try night(.noncompliant)
        #expect(recovered.change == .unchanged, "unknown, then the same as last known")
        let fixed = try night(.compliant)
        #expect(fixed.change == .fixed)
        _ = try night(.unknown)
        let regressed = try night(.noncompliant)
        #expect(regressed.change == .regressed, "last known compliant, now noncompliant, an unknown night between")
    }

    /// The history strip and "since when" (issue 15): the first run of the current state, unknown
    /// runs in between not ending a known state; the last `limit` runs, oldest first.
    @Test func sinceIsTheFirstRunOfTheCurrentState() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        func history(_ statuses: [ComplianceStatus], limit: Int = 3) throws -> InstitutionHistory {
            // statuses oldest first, one night each; run ids 1...
            let directory = try TemporaryDirectory()
            let store = ScanStore(database: try HistoryDatabase(path: directory.url.appendingPathComponent("h.sqlite").path))
            let catalog = CatalogStatus(snapshot: nil, catalog: DefaultRelayCatalog.catalog, isStale: false, lastError: nil, lastAttemptAt: nil)
            var last: Int64 = 0
            for (night, status) in statuses.enumerated() {
                let date = start.addingTimeInterval(Double(night) * 86_400)
                last = try store.beginRun(trigger: .scheduled, consortium: "T", selection: nil, catalog: catalog, notes: [], now: date)
                _ = try store.record(Self.result("a", status), run: last, now: date)
                _ = try store.record(Self.result("other", night % 2 == 0 ? .compliant : .noncompliant), run: last, now: date)
                try store.finishRun(last, status: .completed, now: date)
            }
            return try #require(try store.histories(upTo: last, limit: limit)["a"])
        }
        #expect(try history([.compliant, .noncompliant, .noncompliant]).since?.run == 2)
        #expect(try history([.compliant, .noncompliant, .unknown, .noncompliant]).since?.run == 2)
        #expect(try history([.noncompliant, .unknown, .unknown]).since?.run == 2)
        #expect(try history([.compliant]).since?.run == 1)
        #expect(try history([.compliant, .noncompliant, .compliant, .compliant, .compliant]).recent.map(\.run) == [3, 4, 5])
        #expect(try history([.noncompliant, .compliant, .unknown, .compliant]).since?.run == 2)
        #expect(try history([.noncompliant, .noncompliant]).days(until: start.addingTimeInterval(86_400 * 1.5)) == 1)
        #expect(try history([.compliant, .unknown, .noncompliant], limit: 30).recent.map(\.status) == [.compliant, .unknown, .noncompliant])
    }

    @Test func runLevelFindingsAreKept() throws {
        let directory = try TemporaryDirectory()
        let store = ScanStore(database: try HistoryDatabase(path: directory.url.appendingPathComponent("h.sqlite").path))
        let catalog = CatalogStatus(snapshot: nil, catalog: DefaultRelayCatalog.catalog, isStale: false, lastError: nil, lastAttemptAt: nil)
        let finding = Finding(code: .catalogIncomplete, severity: .warning, target: "NA", message: "m", remediation: "r")
        let run = try store.beginRun(trigger: .manual, consortium: "T", selection: nil, catalog: catalog, notes: [], findings: [finding])
        #expect(try store.run(id: run)?.findings == [finding])
    }
}

/// History's dates written as GRDB writes a `Date` (issue 22: without its `DateFormatter`), and read
/// back as the same instant to the millisecond.
struct DatabaseTimeTests {
    @Test func datesAreStoredAsGRDBStoresThem() throws {
        var generator = SeededGenerator(seed: 22)
        let dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_796_000_000.9996), Date(timeIntervalSince1970: -1.5)]
            + (0..<500).map { _ in Date(timeIntervalSince1970: Double.random(in: 0...4_102_444_800, using: &generator)) }
        for date in dates {
            guard case .string(let expected) = date.databaseValue.storage else {
                Issue.record("GRDB stores \(date) as \(date.databaseValue)")
                continue
            }
            #expect(DatabaseTime.text(date) == expected, "\(date.timeIntervalSince1970)")
            let read = try #require(Date.fromDatabaseValue(DatabaseTime.text(date).databaseValue))
            #expect(abs(read.timeIntervalSince(date)) < 0.001)
            // Read back without GRDB's calendar: the instant GRDB reads, to the microsecond.
            let parsed = try #require(DatabaseTime.parse(DatabaseTime.text(date)))
            #expect(abs(parsed.timeIntervalSince(read)) < 0.000_001, "\(DatabaseTime.text(date))")
        }
        for text in ["2026-12-04 09:35:06", "2026-12-04 09:35:06.5", "2026-12-04T09:35:06.123"] {
            let read = try #require(Date.fromDatabaseValue(text.databaseValue))
            #expect(abs(try #require(DatabaseTime.parse(text)).timeIntervalSince(read)) < 0.000_001, "\(text)")
        }
        for text in ["2026-12-04", "yesterday", "2026-12-04 09:35:06.12345", "2026-12-04 09:35"] {
            #expect(DatabaseTime.parse(text) == nil, "\(text)")
        }
    }
}
