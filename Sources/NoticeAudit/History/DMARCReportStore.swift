import Foundation
import GRDB

/// DMARC aggregate reports in the history database (`dmarc_report`, `dmarc_record`): each report
/// once per reporting organization and report id (re-ingesting adds nothing), its raw XML kept
/// gzip-compressed for re-reading.
public struct DMARCReportStore: Sendable {
    public let database: HistoryDatabase

    public init(database: HistoryDatabase) {
        self.database = database
    }

    /// The auth results of a record, as kept in one JSON column.
    private struct AuthResults: Codable {
        var dkim: [AggregateReport.DKIMResult]
        var spf: [AggregateReport.SPFResult]
        var reasons: [String]
    }

    /// Stores `report` with its raw XML; false when it was stored before (same organization and id).
    public func store(_ report: AggregateReport, raw: [UInt8], now: Date = Date()) throws(HistoryError) -> Bool {
        let compressed: [UInt8]
        do { compressed = try Archive.gzip(raw) } catch { throw HistoryError(path: database.path, shortCode: "db_error", message: "could not compress a report: \(error)") }
        return try database.write { db in
            let policy = String(decoding: try JSONEncoder().encode(report.policy), as: UTF8.self)
            try db.execute(sql: """
                INSERT OR IGNORE INTO dmarc_report (org_name, report_id, format, begin, "end", domain, email, generator, policy, raw_gzip, ingested_at, org_name_given)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [report.orgName, report.reportID, report.format.rawValue, DatabaseTime.text(report.begin), DatabaseTime.text(report.end), report.domain, report.email,
                                 report.generator, policy, Data(compressed), DatabaseTime.text(now), report.orgNameGiven])
            guard db.changesCount == 1 else { return false }
            let reportRef = db.lastInsertedRowID
            let encoder = JSONEncoder()
            let insert = try db.makeStatement(sql: """
                INSERT INTO dmarc_record (report_ref, source_ip, count, disposition, dkim, spf, header_from, envelope_from, auth_results)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for record in report.records {
                let auth = String(decoding: try encoder.encode(AuthResults(dkim: record.dkimResults, spf: record.spfResults, reasons: record.reasons)), as: UTF8.self)
                try insert.execute(arguments: [reportRef, record.sourceIP, record.count, record.disposition, record.dkim, record.spf, record.headerFrom,
                                               record.envelopeFrom, auth])
            }
            return true
        }
    }

    /// Every stored report, oldest first; `domain` keeps those of that policy domain, `since` those
    /// whose interval ends at or after it.
    public func reports(domain: String? = nil, since: Date? = nil) throws(HistoryError) -> [AggregateReport] {
        try database.read { db in
            var sql = "SELECT * FROM dmarc_report WHERE 1"
            var arguments: StatementArguments = []
            if let domain {
                sql += " AND domain = ?"
                _ = arguments.append(contentsOf: [DomainName.normalized(domain)])
            }
            if let since {
                sql += " AND \"end\" >= ?"
                _ = arguments.append(contentsOf: [DatabaseTime.text(since)])
            }
            sql += " ORDER BY begin, org_name, report_id"
            let decoder = JSONDecoder()
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let id: Int64 = row["id"]
                let records = try Row.fetchAll(db, sql: "SELECT * FROM dmarc_record WHERE report_ref = ? ORDER BY id", arguments: [id]).map { record in
                    let auth = try decoder.decode(AuthResults.self, from: Data((record["auth_results"] as String).utf8))
                    return AggregateReport.Record(sourceIP: record["source_ip"], count: record["count"], disposition: record["disposition"], dkim: record["dkim"],
                                                  spf: record["spf"], headerFrom: record["header_from"], envelopeFrom: record["envelope_from"],
                                                  dkimResults: auth.dkim, spfResults: auth.spf, reasons: auth.reasons)
                }
                let policy = try decoder.decode(AggregateReport.Policy.self, from: Data((row["policy"] as String).utf8))
                return AggregateReport(orgName: row["org_name"], email: row["email"], reportID: row["report_id"],
                                       format: AggregateReport.Format(rawValue: row["format"]) ?? .rfc7489, begin: DatabaseTime.date(row, "begin"), end: DatabaseTime.date(row, "end"),
                                       domain: row["domain"], generator: row["generator"], policy: policy, records: records, orgNameGiven: row["org_name_given"])
            }
        }
    }
}
