import Foundation
import GRDB

/// Who started a run.
public enum ScanTrigger: String, Sendable, Codable {
    case scheduled, manual, adhoc
}

/// How a run ended.
public enum ScanRunStatus: String, Sendable, Codable {
    case running, completed, aborted, failed
}

/// One row of `scan_run`.
public struct ScanRunRecord: Sendable, Equatable {
    public var id: Int64
    public var startedAt: Date
    public var finishedAt: Date?
    public var status: ScanRunStatus
    public var trigger: ScanTrigger
    public var toolVersion: String
    public var consortium: String
    /// The institution ids of an ad-hoc rescan; nil for a full run.
    public var selection: [String]?
    public var catalogSnapshotID: Int64?
    public var catalogSource: String?
    public var catalogStale: Bool
    /// Run-level notes in words, as runs before 0.2 recorded them.
    public var notes: [String]
    /// Run-level findings (catalog stale, incomplete, changed; page and include disagreeing).
    public var findings: [Finding] = []
    /// The DNS queries the run sent to a server (cache hits not counted), as it ended; nil while it
    /// runs, and for runs recorded before it was kept.
    public var dnsQueries: Int? = nil
}

/// Scan runs, per-institution results and findings in the history database. Each result is
/// committed as it completes, so a killed run keeps what it finished.
public struct ScanStore: Sendable {
    public let database: HistoryDatabase

    public init(database: HistoryDatabase) {
        self.database = database
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// How long a running scan may stay silent (no heartbeat) before another scan takes it for
    /// dead: ten missed heartbeats of the default interval.
    public static let staleAfter: TimeInterval = 300

    /// Marks as aborted every run left `running` by a scan that is gone, then records a new run.
    /// Returns its id.
    ///
    /// A run is gone when its heartbeat is older than ``staleAfter``, whatever host wrote it
    /// (containers get a new host name every run), or sooner when it was started on this host by
    /// a process that no longer exists.
    public func beginRun(trigger: ScanTrigger, consortium: String, selection: [String]?, catalog: CatalogStatus, notes: [String], findings: [Finding] = [],
                         now: Date = Date(), host: String = ProcessInfo.processInfo.hostName) throws(HistoryError) -> Int64 {
        let pid = Int(getpid())
        let encodedFindings: String
        do { encodedFindings = String(decoding: try Self.encoder.encode(findings), as: UTF8.self) } catch {
            throw HistoryError(path: database.path, underlying: error)
        }
        return try database.write { db in
            for row in try Row.fetchAll(db, sql: "SELECT id, pid, host, COALESCE(heartbeat_at, started_at) AS heartbeat FROM scan_run WHERE status = 'running'") {
                let otherPID: Int? = row["pid"], otherHost: String? = row["host"], heartbeat = DatabaseTime.date(row, "heartbeat")
                let silent = now.timeIntervalSince(heartbeat) > Self.staleAfter
                let deadHere = otherHost == host && otherPID.map { kill(pid_t($0), 0) != 0 && errno == ESRCH } == true
                if silent || deadHere {
                    try db.execute(sql: "UPDATE scan_run SET status = 'aborted', finished_at = COALESCE(finished_at, ?) WHERE id = ?", arguments: [DatabaseTime.text(now), row["id"] as Int64])
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO scan_run (started_at, status, trigger, tool_version, consortium, selection, catalog_snapshot_id, catalog_source, catalog_stale, notes, pid, host, heartbeat_at, findings)
                    VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [DatabaseTime.text(now), trigger.rawValue, NoticeAuditVersion.current, consortium, selection?.joined(separator: ","), catalog.snapshot?.id,
                            catalog.catalog.source, catalog.isStale, notes.joined(separator: "\n"), pid, host, DatabaseTime.text(now), encodedFindings])
            return db.lastInsertedRowID
        }
    }

    /// Says that the scan recording `run` is still alive.
    public func heartbeat(run: Int64, now: Date = Date()) throws(HistoryError) {
        try database.write { db in try db.execute(sql: "UPDATE scan_run SET heartbeat_at = ? WHERE id = ? AND status = 'running'", arguments: [DatabaseTime.text(now), run]) }
    }

    /// Stores one institution's result with its change against the previous run that covered the
    /// institution, and its findings; returns the result with `change` set.
    public func record(_ result: InstitutionResult, run: Int64, now: Date = Date()) throws(HistoryError) -> InstitutionResult {
        try recordRow(result, run: run, now: now).result
    }

    /// What ``recordRow(_:run:now:)`` stored: the result with its change, its row
    /// (``storedResult(row:historyLimit:)`` reads it back) and its encoding (scan.json writes the same tree).
    public struct RecordedRow: Sendable {
        public var result: InstitutionResult
        public var row: Int64
        var encoded: EncodedJSONTree
    }

    /// ``record(_:run:now:)``, saying what it stored.
    func recordRow(_ result: InstitutionResult, run: Int64, now: Date = Date()) throws(HistoryError) -> RecordedRow {
        var result = result
        return try database.write { db in
            // Earlier results, newest first, with their run's trigger and status.
            // Statements cached by the connection: compiled once per scan, not per institution.
            let trigger: String? = try String.fetchOne(db.cachedStatement(sql: "SELECT trigger FROM scan_run WHERE id = ?"), arguments: [run])
            let earlier = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT r.status, r.run_id, s.trigger, s.status AS run_status, s.started_at FROM institution_result r JOIN scan_run s ON s.id = r.run_id
                    WHERE r.institution_id = ? AND r.run_id < ? ORDER BY r.run_id DESC
                    """),
                arguments: [result.institutionID, run]).compactMap { row -> StatusChange.Earlier? in
                    guard let status = ComplianceStatus(rawValue: row["status"]) else { return nil }
                    return StatusChange.Earlier(run: row["run_id"], startedAt: DatabaseTime.date(row, "started_at"), status: status,
                                                adhoc: (row["trigger"] as String?) == ScanTrigger.adhoc.rawValue,
                                                completed: (row["run_status"] as String?) == ScanRunStatus.completed.rawValue)
                }
            let assessment = StatusChange.assess(current: result.status, consortiumRun: trigger != ScanTrigger.adhoc.rawValue, earlier: earlier)
            result.change = assessment.change
            result.changeFirstSeen = assessment.firstSeen
            result.unknownRuns = assessment.unknownRuns
            result.unknownAlert = assessment.unknownAlert ? true : nil
            // Members in encoding order: `detail` is read by a decoder, never compared as text.
            let encoder = JSONTextEncoder()
            let encoded = try encoder.tree(result)
            let detail = String(decoding: encoder.write(encoded), as: UTF8.self)
            try db.cachedStatement(
                sql: """
                    INSERT INTO institution_result (run_id, institution_id, status, method, spf_result, dmarc_policy, relay_status, change, finished_at, detail)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(
                arguments: [run, result.institutionID, result.status.rawValue, result.method.rawValue, result.spfResult?.rawValue, result.dmarcPolicy?.rawValue,
                            result.relayStatus?.rawValue, result.change.rawValue, DatabaseTime.text(now), detail])
            let resultID = db.lastInsertedRowID
            let insertFinding = try db.cachedStatement(
                sql: "INSERT INTO finding (result_id, run_id, institution_id, code, severity, target, message, remediation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            for finding in result.findings {
                try insertFinding.execute(
                    arguments: [resultID, run, result.institutionID, finding.code.rawValue, finding.severity.rawValue, finding.target, finding.message, finding.remediation])
            }
            return RecordedRow(result: result, row: resultID, encoded: encoded)
        }
    }

    /// Ends `run` with `status`; `dnsQueries`, the queries it sent to a server, when known.
    public func finishRun(_ run: Int64, status: ScanRunStatus, reportPath: String? = nil, dnsQueries: Int? = nil, now: Date = Date()) throws(HistoryError) {
        try database.write { db in
            try db.execute(sql: "UPDATE scan_run SET status = ?, finished_at = ?, report_path = COALESCE(?, report_path), dns_queries = COALESCE(?, dns_queries) WHERE id = ?",
                           arguments: [status.rawValue, DatabaseTime.text(now), reportPath, dnsQueries, run])
        }
    }

    /// The catalog snapshot the latest consortium run (not an ad-hoc rescan) used; nil before the first.
    public func previousConsortiumCatalogSnapshotID() throws(HistoryError) -> Int64? {
        try database.read { db in
            try Int64.fetchOne(db, sql: "SELECT catalog_snapshot_id FROM scan_run WHERE trigger != 'adhoc' AND catalog_snapshot_id IS NOT NULL ORDER BY id DESC LIMIT 1")
        }
    }

    /// Replaces the run-level findings of `run` (the scan names the institutions each cause affects once they are checked).
    public func setRunFindings(_ findings: [Finding], run: Int64) throws(HistoryError) {
        let encoded: String
        do { encoded = String(decoding: try Self.encoder.encode(findings), as: UTF8.self) } catch {
            throw HistoryError(path: database.path, underlying: error)
        }
        try database.write { db in try db.execute(sql: "UPDATE scan_run SET findings = ? WHERE id = ?", arguments: [encoded, run]) }
    }

    public func setReportPath(_ path: String, run: Int64) throws(HistoryError) {
        try database.write { db in try db.execute(sql: "UPDATE scan_run SET report_path = ? WHERE id = ?", arguments: [path, run]) }
    }
}
