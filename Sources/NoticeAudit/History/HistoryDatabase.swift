import Foundation
import GRDB

/// The history database (SQLite through GRDB): WAL, a busy timeout so that two scans can share
/// it, and append-only migrations named for their intent.
public final class HistoryDatabase: Sendable {
    /// How a command uses the history.
    public enum Access: Sendable {
        /// The scan and `ranges fetch`: created and migrated when needed.
        case readWrite
        /// `report`, `history`, `ranges show|diff`: an existing file, opened read-only; never created.
        case readOnly
    }

    let pool: any DatabaseWriter
    public let path: String

    /// How long a writer waits for another process's lock before giving up.
    public static let busyTimeout: TimeInterval = 30

    /// Opens the database at `path`: read-write (creating and migrating it when needed), or
    /// read-only (an existing file only: a missing one is an error that says to run a scan first).
    public init(path: String, access: Access = .readWrite) throws(HistoryError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "notice-audit history"
        if access == .readWrite {
            // WAL with synchronous=NORMAL: a commit is safe against the process being killed (a
            // killed scan keeps every result it committed); only a power loss may take back the
            // last commits. FULL syncs the disk on every one of the scan's per-institution
            // commits: 0.5 ms each here, half a second of a 1,000-institution run.
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        }
        if access == .readOnly {
            guard FileManager.default.fileExists(atPath: path) else {
                throw HistoryError(path: path, shortCode: "db_missing", message: "there is no history database at \(path); run a scan first (notice-audit scan --db \(path))")
            }
            configuration.readonly = true
            do {
                pool = try DatabaseQueue(path: path, configuration: configuration)
            } catch {
                throw HistoryError(path: path, underlying: error)
            }
            return
        }
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            // Two processes opening a new database at once would race to switch it to WAL and
            // to create the tables (one then fails at once, whatever the busy timeout); a lock
            // file serializes opening and migrating across processes.
            let lock = open(path + "-migration.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o640)
            if lock >= 0 { flock(lock, LOCK_EX) }
            defer {
                if lock >= 0 {
                    flock(lock, LOCK_UN)
                    close(lock)
                }
            }
            let pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
            self.pool = pool
        } catch {
            throw HistoryError(path: path, underlying: error)
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("createCatalogSnapshots") { db in
            try db.create(table: "catalog_snapshot") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("url", .text).notNull()
                table.column("fetched_at", .datetime).notNull()
                table.column("etag", .text)
                table.column("last_modified", .text)
                table.column("sha256", .text).notNull()
                table.column("page_last_edited", .text)
                table.column("catalog", .text).notNull()
            }
            try db.create(table: "catalog_fetch") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("url", .text).notNull()
                table.column("attempted_at", .datetime).notNull()
                table.column("outcome", .text).notNull()
                table.column("error_code", .text)
                table.column("error", .text)
                table.column("snapshot_id", .integer).references("catalog_snapshot", onDelete: .setNull)
            }
        }
        migrator.registerMigration("createScanHistory") { db in
            try db.create(table: "scan_run") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("started_at", .datetime).notNull()
                table.column("finished_at", .datetime)
                table.column("status", .text).notNull()
                table.column("trigger", .text).notNull()
                table.column("tool_version", .text).notNull()
                table.column("consortium", .text).notNull()
                table.column("selection", .text)
                table.column("catalog_snapshot_id", .integer).references("catalog_snapshot", onDelete: .setNull)
                table.column("catalog_source", .text)
                table.column("catalog_stale", .boolean).notNull().defaults(to: false)
                table.column("notes", .text)
                table.column("pid", .integer)
                table.column("host", .text)
                table.column("report_path", .text)
            }
            try db.create(table: "institution_result") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("run_id", .integer).notNull().indexed().references("scan_run", onDelete: .cascade)
                table.column("institution_id", .text).notNull().indexed()
                table.column("status", .text).notNull()
                table.column("method", .text).notNull()
                table.column("spf_result", .text)
                table.column("dmarc_policy", .text)
                table.column("relay_status", .text)
                table.column("change", .text).notNull()
                table.column("finished_at", .datetime).notNull()
                table.column("detail", .text).notNull()
            }
            try db.create(table: "finding") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("result_id", .integer).notNull().indexed().references("institution_result", onDelete: .cascade)
                table.column("run_id", .integer).notNull().references("scan_run", onDelete: .cascade)
                table.column("institution_id", .text).notNull()
                table.column("code", .text).notNull()
                table.column("severity", .text).notNull()
                table.column("target", .text).notNull()
                table.column("message", .text).notNull()
                table.column("remediation", .text).notNull()
            }
        }
        migrator.registerMigration("addRunHeartbeat") { db in
            try db.alter(table: "scan_run") { table in table.add(column: "heartbeat_at", .datetime) }
        }
        migrator.registerMigration("addRunFindings") { db in
            try db.alter(table: "scan_run") { table in table.add(column: "findings", .text) }
        }
        // An institution's runs, newest first, read from the index alone (the rows hold the whole
        // result as JSON): the change of each result, its history strip and "since when".
        migrator.registerMigration("addInstitutionHistoryIndex") { db in
            try db.create(index: "institution_result_history", on: "institution_result", columns: ["institution_id", "run_id", "status"])
        }
        // DMARC aggregate reports (issue "What receivers saw"): a report once per reporting
        // organization and report id, its raw XML kept gzip-compressed, and its records.
        migrator.registerMigration("addDMARCReports") { db in
            try db.create(table: "dmarc_report") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("org_name", .text).notNull()
                table.column("report_id", .text).notNull()
                table.column("format", .text).notNull()
                table.column("begin", .datetime).notNull()
                table.column("end", .datetime).notNull()
                table.column("domain", .text).notNull()
                table.column("email", .text)
                table.column("generator", .text)
                table.column("policy", .text).notNull()
                table.column("raw_gzip", .blob).notNull()
                table.column("ingested_at", .datetime).notNull()
                table.uniqueKey(["org_name", "report_id"])
            }
            try db.create(index: "dmarc_report_domain", on: "dmarc_report", columns: ["domain", "end"])
            try db.create(table: "dmarc_record") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("report_ref", .integer).notNull().indexed().references("dmarc_report", onDelete: .cascade)
                table.column("source_ip", .text).notNull()
                table.column("count", .integer).notNull()
                table.column("disposition", .text)
                table.column("dkim", .text)
                table.column("spf", .text)
                table.column("header_from", .text)
                table.column("envelope_from", .text)
                table.column("auth_results", .text).notNull()
            }
            try db.create(index: "dmarc_record_header_from", on: "dmarc_record", columns: ["header_from"])
        }
        // Whether a report named its organization: one without <org_name> is kept under its email's
        // domain, and listed with org_name null (issue 32). Reports stored before said nothing of it.
        migrator.registerMigration("addDMARCReportOrgNameGiven") { db in
            try db.alter(table: "dmarc_report") { table in table.add(column: "org_name_given", .boolean).notNull().defaults(to: true) }
        }
        // The DNS queries a run sent to a server, recorded when it ends (issue 34: the one route of
        // DNS statistics to the outputs). Runs before it say nothing (NULL).
        migrator.registerMigration("addScanRunDNSQueries") { db in
            try db.alter(table: "scan_run") { table in table.add(column: "dns_queries", .integer) }
        }
        return migrator
    }

    /// SQLite's own check of the file (`PRAGMA integrity_check`): "ok" when intact.
    public func integrityCheck() throws(HistoryError) -> String {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    func read<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        do { return try pool.read(body) } catch let error as HistoryError { throw error } catch { throw HistoryError(path: path, underlying: error) }
    }

    func write<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        do { return try pool.write(body) } catch let error as HistoryError { throw error } catch { throw HistoryError(path: path, underlying: error) }
    }
}

/// The history database could not be used: said so a person reading a cron mail can act on it.
public struct HistoryError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// A short stable code: `db_locked`, `db_corrupt`, `db_readonly`, `db_error`.
    public var shortCode: String

    /// A stored row that cannot be read back: the file is intact but its content is not ours.
    static func undecodable(path: String, what: String, underlying: any Error) -> HistoryError {
        HistoryError(path: path, shortCode: "db_corrupt",
                     message: "the history database \(path) holds \(what) that cannot be read (\(underlying)); it was written by another program or damaged. Restore it from a backup, or move it aside to start a new history")
    }

    init(path: String, shortCode: String, message: String) {
        self.path = path
        self.shortCode = shortCode
        self.message = message
    }

    init(path: String, underlying: any Error) {
        self.path = path
        if let error = underlying as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                shortCode = "db_locked"
                message = "the history database \(path) stayed locked by another process for \(Int(HistoryDatabase.busyTimeout)) s; is another scan stuck? (\(error.message ?? "locked"))"
            case .SQLITE_CORRUPT, .SQLITE_NOTADB:
                shortCode = "db_corrupt"
                message = "the history database \(path) is damaged or not a SQLite database (\(error.message ?? "corrupt")); move it aside and run again to start a new history, or restore it from a backup"
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
                shortCode = "db_readonly"
                message = "the history database \(path) cannot be opened for writing (\(error.message ?? "read-only")); check the folder's permissions"
            default:
                shortCode = "db_error"
                message = "the history database \(path) failed: \(error.message ?? "\(error)")"
            }
        } else {
            shortCode = "db_error"
            message = "the history database \(path) failed: \(underlying)"
        }
    }

    public var description: String { message }
}
