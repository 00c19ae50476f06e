import Foundation
import Testing
@testable import NoticeAudit

@Suite("Scan history (SQLite)")
struct ScanStoreTests {
    static func result(_ id: String, _ status: ComplianceStatus) -> InstitutionResult {
        InstitutionResult(institutionID: id, name: id, method: .spf, status: status, spfResult: .pass, dmarcPolicy: nil, relayStatus: nil,
                          change: .new, findings: [Finding(code: "X", severity: .warning, target: id, message: "m", remediation: "r")],
                          domains: [], relay: nil, durationMilliseconds: 1)
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
        #expect(try store.record(Self.result("a", .unknown), run: second).change == .regressed)
        #expect(try store.record(Self.result("b", .compliant), run: second).change == .unchanged)
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
}
