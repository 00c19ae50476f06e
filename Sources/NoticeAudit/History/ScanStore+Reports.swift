import Foundation
import GRDB

/// The questions the reports ask of history: runs, results, the trend, each institution's recent
/// runs, the list of reported runs, one institution's timeline.
extension ScanStore {
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
            id: id, startedAt: DatabaseTime.date(row, "started_at"), finishedAt: DatabaseTime.optionalDate(row, "finished_at"),
            status: ScanRunStatus(rawValue: row["status"]) ?? .failed, trigger: ScanTrigger(rawValue: row["trigger"]) ?? .manual,
            toolVersion: row["tool_version"], consortium: row["consortium"], selection: selection.map { $0.split(separator: ",").map(String.init) },
            catalogSnapshotID: row["catalog_snapshot_id"], catalogSource: row["catalog_source"], catalogStale: row["catalog_stale"],
            notes: notes.map { $0.split(separator: "\n").map(String.init) } ?? [], findings: findings, dnsQueries: row["dns_queries"])
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

    /// The order of every report in SQL: worst first (noncompliant, unknown, compliant), then by id.
    private static let reportOrder = "CASE %@ WHEN 'noncompliant' THEN 0 WHEN 'unknown' THEN 1 ELSE 2 END, %@"

    /// The last runs (`OFFSET ?`: the limit less one) of every institution with a result in run `?`,
    /// one row per institution and run; the caller adds the order.
    private static let recentRunsSQL = """
        SELECT c.institution_id, i.run_id, r.started_at, i.status
        FROM institution_result c
        JOIN institution_result i ON i.institution_id = c.institution_id AND i.run_id <= c.run_id AND i.run_id >= COALESCE((
            SELECT o.run_id FROM institution_result o WHERE o.institution_id = c.institution_id AND o.run_id <= c.run_id
            ORDER BY o.run_id DESC LIMIT 1 OFFSET ?), 0)
        JOIN scan_run r ON r.id = i.run_id
        WHERE c.run_id = ?

        """

    /// The first run of the current state of every institution with a result in run `?` (the rule
    /// is ``histories(upTo:limit:)``'s); the caller adds the order, if any.
    private static let sinceSQL = """
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

        """

    /// One stored result as read, not yet decoded (``decode(_:)``), with its history.
    public struct StoredResult: Sendable {
        public var run: Int64
        public var institutionID: String
        public var detail: String
        public var history: InstitutionHistory?
    }

    /// The history rows of `run`'s results, in the order they were recorded (the reports put them
    /// in report order once rendered, ``PrerenderedReport``).
    public func resultRows(run: Int64) throws(HistoryError) -> [Int64] {
        try database.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM institution_result WHERE run_id = ? ORDER BY id", arguments: [run]) }
    }

    /// One row of ``recentRunsSQL`` or ``sinceSQL`` as a point of an institution's history.
    private static func historyPoint(_ row: Row) -> InstitutionHistory.Point? {
        ComplianceStatus(rawValue: row["status"]).map { InstitutionHistory.Point(run: row["run_id"], startedAt: DatabaseTime.date(row, "started_at"), status: $0) }
    }

    /// The result stored as `row` (``recordRow(_:run:now:)``), not yet decoded, with its history (the
    /// last `historyLimit` runs and the first run of its current state): the reports render each
    /// result from it (``PrerenderedReport``). Nil when there is no such row.
    public func storedResult(row: Int64, historyLimit: Int = 30) throws(HistoryError) -> StoredResult? {
        try database.read { db in
            guard let stored = try Row.fetchOne(db.cachedStatement(sql: "SELECT run_id, institution_id, detail FROM institution_result WHERE id = ?"), arguments: [row]) else {
                return nil
            }
            let run: Int64 = stored["run_id"]
            return StoredResult(run: run, institutionID: stored["institution_id"], detail: stored["detail"],
                                history: try Self.history(row: row, run: run, historyLimit: historyLimit, db))
        }
    }

    /// The history of the result stored as `row` of `run`, as ``storedResult(row:historyLimit:)``
    /// reads it, for a result still in memory.
    public func history(row: Int64, run: Int64, historyLimit: Int = 30) throws(HistoryError) -> InstitutionHistory? {
        try database.read { db in try Self.history(row: row, run: run, historyLimit: historyLimit, db) }
    }

    private static func history(row: Int64, run: Int64, historyLimit: Int, _ db: Database) throws -> InstitutionHistory? {
        let recent = try Row.fetchAll(db.cachedStatement(sql: recentRunsSQL + "AND c.id = ? ORDER BY i.run_id"), arguments: [historyLimit - 1, run, row])
        let points = recent.compactMap(historyPoint)
        let since = try Row.fetchOne(db.cachedStatement(sql: sinceSQL + "AND c.id = ?"), arguments: [run, row]).flatMap(historyPoint)
        return points.isEmpty ? nil : InstitutionHistory(recent: points, since: since)
    }

    /// How many results `run` has.
    public func resultCount(run: Int64) throws(HistoryError) -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM institution_result WHERE run_id = ?", arguments: [run]) ?? 0 }
    }

    /// The result `stored` holds.
    public func decode(_ stored: StoredResult) throws(HistoryError) -> InstitutionResult {
        try decodeResult(stored.detail, what: "the result of \(stored.institutionID) in run \(stored.run)")
    }

    /// A stored result; one that cannot be decoded is an error, never a silently dropped row.
    private func decodeResult(_ detail: String, what: String) throws(HistoryError) -> InstitutionResult {
        do {
            // Foundation's decoder: as fast as the hand-written one it replaced on Swift 6.3
            // (`report --run` of 1,000 results, docs/benchmarks.md), and a scan decodes a result
            // only when its renderers fall behind (``PrerenderedReport``).
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
            return rows.reversed().map { ($0["id"], DatabaseTime.date($0, "started_at"), $0["compliant"], $0["total"]) }
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
            let point = Self.historyPoint
            var recent: [String: [InstitutionHistory.Point]] = [:]
            let recentRows = try Row.fetchCursor(db, sql: Self.recentRunsSQL + "ORDER BY c.institution_id, i.run_id", arguments: [limit - 1, run])
            while let row = try recentRows.next() {
                if let point = point(row) { recent[row["institution_id"], default: []].append(point) }
            }
            var since: [String: InstitutionHistory.Point] = [:]
            let sinceRows = try Row.fetchCursor(db, sql: Self.sinceSQL, arguments: [run])
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
                RunListing(run: row["id"], startedAt: DatabaseTime.date(row, "started_at"), status: row["status"], trigger: row["trigger"],
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
                return (run, DatabaseTime.date(row, "started_at"), row["trigger"], row["run_status"], result)
            }
        }
    }
}
