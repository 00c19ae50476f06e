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
                let otherPID: Int? = row["pid"], otherHost: String? = row["host"], heartbeat: Date = row["heartbeat"]
                let silent = now.timeIntervalSince(heartbeat) > Self.staleAfter
                let deadHere = otherHost == host && otherPID.map { kill(pid_t($0), 0) != 0 && errno == ESRCH } == true
                if silent || deadHere {
                    try db.execute(sql: "UPDATE scan_run SET status = 'aborted', finished_at = COALESCE(finished_at, ?) WHERE id = ?", arguments: [now, row["id"] as Int64])
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO scan_run (started_at, status, trigger, tool_version, consortium, selection, catalog_snapshot_id, catalog_source, catalog_stale, notes, pid, host, heartbeat_at, findings)
                    VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [now, trigger.rawValue, NoticeAuditVersion.current, consortium, selection?.joined(separator: ","), catalog.snapshot?.id,
                            catalog.catalog.source, catalog.isStale, notes.joined(separator: "\n"), pid, host, now, encodedFindings])
            return db.lastInsertedRowID
        }
    }

    /// Says that the scan recording `run` is still alive.
    public func heartbeat(run: Int64, now: Date = Date()) throws(HistoryError) {
        try database.write { db in try db.execute(sql: "UPDATE scan_run SET heartbeat_at = ? WHERE id = ? AND status = 'running'", arguments: [now, run]) }
    }

    /// Stores one institution's result with its change against the previous run that covered the
    /// institution, and its findings; returns the result with `change` set.
    public func record(_ result: InstitutionResult, run: Int64, now: Date = Date()) throws(HistoryError) -> InstitutionResult {
        var result = result
        return try database.write { db in
            // Earlier results, newest first, with their run's trigger and status.
            let trigger: String? = try String.fetchOne(db, sql: "SELECT trigger FROM scan_run WHERE id = ?", arguments: [run])
            let earlier = try Row.fetchAll(
                db, sql: """
                    SELECT r.status, r.run_id, s.trigger, s.status AS run_status, s.started_at FROM institution_result r JOIN scan_run s ON s.id = r.run_id
                    WHERE r.institution_id = ? AND r.run_id < ? ORDER BY r.run_id DESC
                    """,
                arguments: [result.institutionID, run]).compactMap { row -> StatusChange.Earlier? in
                    guard let status = ComplianceStatus(rawValue: row["status"]) else { return nil }
                    return StatusChange.Earlier(run: row["run_id"], startedAt: row["started_at"], status: status,
                                                adhoc: (row["trigger"] as String?) == ScanTrigger.adhoc.rawValue,
                                                completed: (row["run_status"] as String?) == ScanRunStatus.completed.rawValue)
                }
            let assessment = StatusChange.assess(current: result.status, consortiumRun: trigger != ScanTrigger.adhoc.rawValue, earlier: earlier)
            result.change = assessment.change
            result.changeFirstSeen = assessment.firstSeen
            result.unknownRuns = assessment.unknownRuns
            result.unknownAlert = assessment.unknownAlert ? true : nil
            let detail = String(decoding: try Self.encoder.encode(result), as: UTF8.self)
            try db.execute(
                sql: """
                    INSERT INTO institution_result (run_id, institution_id, status, method, spf_result, dmarc_policy, relay_status, change, finished_at, detail)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [run, result.institutionID, result.status.rawValue, result.method.rawValue, result.spfResult?.rawValue, result.dmarcPolicy?.rawValue,
                            result.relayStatus?.rawValue, result.change.rawValue, now, detail])
            let resultID = db.lastInsertedRowID
            for finding in result.findings {
                try db.execute(
                    sql: "INSERT INTO finding (result_id, run_id, institution_id, code, severity, target, message, remediation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [resultID, run, result.institutionID, finding.code.rawValue, finding.severity.rawValue, finding.target, finding.message, finding.remediation])
            }
            return result
        }
    }

    public func finishRun(_ run: Int64, status: ScanRunStatus, reportPath: String? = nil, now: Date = Date()) throws(HistoryError) {
        try database.write { db in
            try db.execute(sql: "UPDATE scan_run SET status = ?, finished_at = ?, report_path = COALESCE(?, report_path) WHERE id = ?",
                           arguments: [status.rawValue, now, reportPath, run])
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

    private func run(from row: Row) throws(HistoryError) -> ScanRunRecord {
        let selection: String? = row["selection"]
        let notes: String? = row["notes"]
        let id: Int64 = row["id"]
        var findings: [Finding] = []
        if let text: String = row["findings"] {
            do { findings = try JSONDecoder().decode([Finding].self, from: Data(text.utf8)) } catch {
                throw HistoryError.undecodable(path: database.path, what: "the run-level findings of run \(id)", underlying: error)
            }
        }
        return ScanRunRecord(
            id: id, startedAt: row["started_at"], finishedAt: row["finished_at"],
            status: ScanRunStatus(rawValue: row["status"]) ?? .failed, trigger: ScanTrigger(rawValue: row["trigger"]) ?? .manual,
            toolVersion: row["tool_version"], consortium: row["consortium"], selection: selection.map { $0.split(separator: ",").map(String.init) },
            catalogSnapshotID: row["catalog_snapshot_id"], catalogSource: row["catalog_source"], catalogStale: row["catalog_stale"],
            notes: notes.map { $0.split(separator: "\n").map(String.init) } ?? [], findings: findings)
    }

    public func run(id: Int64) throws(HistoryError) -> ScanRunRecord? {
        try database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM scan_run WHERE id = ?", arguments: [id]).map { try run(from: $0) } }
    }

    public func latestRun() throws(HistoryError) -> ScanRunRecord? {
        try database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM scan_run ORDER BY id DESC LIMIT 1").map { try run(from: $0) } }
    }

    /// The results of a run, as stored (with their change).
    public func results(run: Int64) throws(HistoryError) -> [InstitutionResult] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT institution_id, detail FROM institution_result WHERE run_id = ? ORDER BY institution_id", arguments: [run]).map { row in
                try decodeResult(row["detail"], what: "the result of \(row["institution_id"] as String) in run \(run)")
            }
        }
    }

    /// A stored result; one that cannot be decoded is an error, never a silently dropped row.
    private func decodeResult(_ detail: String, what: String) throws(HistoryError) -> InstitutionResult {
        do {
            return try JSONDecoder().decode(InstitutionResult.self, from: Data(detail.utf8))
        } catch {
            throw HistoryError.undecodable(path: database.path, what: what, underlying: error)
        }
    }

    /// Compliant and total institutions of the last `limit` completed full runs up to `run`, oldest first.
    public func trend(upTo run: Int64, limit: Int = 30) throws(HistoryError) -> [(run: Int64, startedAt: Date, compliant: Int, total: Int)] {
        try database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.id, r.started_at, SUM(CASE WHEN i.status = 'compliant' THEN 1 ELSE 0 END) AS compliant, COUNT(i.id) AS total
                FROM scan_run r JOIN institution_result i ON i.run_id = r.id
                WHERE r.id <= ? AND r.trigger != 'adhoc' AND (r.status = 'completed' OR r.id = ?)
                GROUP BY r.id ORDER BY r.id DESC LIMIT ?
                """, arguments: [run, run, limit])
            return rows.reversed().map { ($0["id"], $0["started_at"], $0["compliant"], $0["total"]) }
        }
    }

    /// The history of every institution that has a result in `run`: its last `limit` runs up to
    /// `run` and the first run of its current state. Two queries that read the history index
    /// (`institution_result_history`), never every stored result.
    ///
    /// The first run of the state (../shared/domain.md, "Changes between runs": unknown runs do not
    /// end a known state): for a known status, the earliest run with that status after the last run
    /// with another known status; for `unknown`, the first run after the last known one.
    public func histories(upTo run: Int64, limit: Int = 30) throws(HistoryError) -> [String: InstitutionHistory] {
        try database.read { db in
            func point(_ row: Row) -> InstitutionHistory.Point? {
                ComplianceStatus(rawValue: row["status"]).map { InstitutionHistory.Point(run: row["run_id"], startedAt: row["started_at"], status: $0) }
            }
            var recent: [String: [InstitutionHistory.Point]] = [:]
            let recentRows = try Row.fetchCursor(db, sql: """
                SELECT c.institution_id, i.run_id, r.started_at, i.status
                FROM institution_result c
                JOIN institution_result i ON i.institution_id = c.institution_id AND i.run_id <= c.run_id AND i.run_id >= COALESCE((
                    SELECT o.run_id FROM institution_result o WHERE o.institution_id = c.institution_id AND o.run_id <= c.run_id
                    ORDER BY o.run_id DESC LIMIT 1 OFFSET ?), 0)
                JOIN scan_run r ON r.id = i.run_id
                WHERE c.run_id = ?
                ORDER BY c.institution_id, i.run_id
                """, arguments: [limit - 1, run])
            while let row = try recentRows.next() {
                if let point = point(row) { recent[row["institution_id"], default: []].append(point) }
            }
            var since: [String: InstitutionHistory.Point] = [:]
            let sinceRows = try Row.fetchCursor(db, sql: """
                SELECT c.institution_id, s.run_id, r.started_at, s.status
                FROM institution_result c
                JOIN institution_result s ON s.institution_id = c.institution_id AND s.run_id = (
                    SELECT MIN(x.run_id) FROM institution_result x
                    WHERE x.institution_id = c.institution_id AND x.run_id <= c.run_id AND (c.status = 'unknown' OR x.status = c.status)
                      AND x.run_id > COALESCE((
                        SELECT MAX(o.run_id) FROM institution_result o
                        WHERE o.institution_id = c.institution_id AND o.run_id < c.run_id AND o.status != 'unknown' AND o.status != c.status), 0))
                JOIN scan_run r ON r.id = s.run_id
                WHERE c.run_id = ?
                """, arguments: [run])
            while let row = try sinceRows.next() {
                if let point = point(row) { since[row["institution_id"]] = point }
            }
            return recent.reduce(into: [:]) { histories, entry in
                histories[entry.key] = InstitutionHistory(recent: entry.value, since: since[entry.key])
            }
        }
    }

    /// Every run that has reports, newest first, with its counts (for `Reports/index.html`).
    public func reportedRuns(limit: Int = 1000) throws(HistoryError) -> [RunListing] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.id, r.started_at, r.status, r.trigger, r.selection, r.report_path,
                       SUM(i.status = 'compliant') AS compliant, SUM(i.status = 'noncompliant') AS noncompliant,
                       SUM(i.status = 'unknown') AS unknown, COUNT(i.id) AS total
                FROM scan_run r LEFT JOIN institution_result i ON i.run_id = r.id
                WHERE r.report_path IS NOT NULL
                GROUP BY r.id ORDER BY r.id DESC LIMIT ?
                """, arguments: [limit]).map { row in
                RunListing(run: row["id"], startedAt: row["started_at"], status: row["status"], trigger: row["trigger"],
                           adhoc: (row["selection"] as String?) != nil, reportPath: row["report_path"],
                           compliant: row["compliant"] ?? 0, noncompliant: row["noncompliant"] ?? 0, unknown: row["unknown"] ?? 0, total: row["total"] ?? 0)
            }
        }
    }

    /// Every stored result of one institution, oldest first: (run, started, trigger, status, change, spf, relay).
    public func timeline(institution: String) throws(HistoryError) -> [(run: Int64, startedAt: Date, trigger: String, runStatus: String, result: InstitutionResult)] {
        try database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.id, r.started_at, r.trigger, r.status AS run_status, i.detail
                FROM institution_result i JOIN scan_run r ON r.id = i.run_id
                WHERE i.institution_id = ? ORDER BY r.id
                """, arguments: [institution]).map { row in
                let run: Int64 = row["id"]
                let result = try decodeResult(row["detail"], what: "the result of \(institution) in run \(run)")
                return (run, row["started_at"], row["trigger"], row["run_status"], result)
            }
        }
    }

    /// Deletes runs (with their results and findings) that started more than `days` days ago.
    @discardableResult
    public func prune(keepDays days: Int, now: Date = Date()) throws(HistoryError) -> Int {
        try database.write { db in
            try db.execute(sql: "DELETE FROM scan_run WHERE started_at < ? AND status != 'running'", arguments: [now.addingTimeInterval(-Double(days) * 86_400)])
            return db.changesCount
        }
    }
}
