import Foundation
import GRDB

/// One stored catalog: a successful fetch of the Ex Libris page.
public struct CatalogSnapshot: Sendable, Equatable {
    public var id: Int64
    public var url: String
    public var fetchedAt: Date
    public var etag: String?
    public var lastModified: String?
    public var sha256: String
    public var catalog: RelayCatalog
}

/// The catalog as the scan should use it: the last good snapshot (or the embedded default), and
/// whether it is stale because the last fetch failed.
public struct CatalogStatus: Sendable {
    public var snapshot: CatalogSnapshot?
    public var catalog: RelayCatalog
    /// True when the newest fetch attempt failed after this snapshot was taken.
    public var isStale: Bool
    /// The failed attempt's error, when stale.
    public var lastError: String?
    public var lastAttemptAt: Date?

    /// How old the catalog is, from its fetch time.
    public func age(now: Date = Date()) -> TimeInterval? { snapshot.map { now.timeIntervalSince($0.fetchedAt) } }
}

/// Catalog snapshots and fetch attempts in the history database (`catalog_snapshot`, `catalog_fetch`).
public struct CatalogStore: Sendable {
    public let database: HistoryDatabase

    public init(database: HistoryDatabase) {
        self.database = database
    }

    private static func snapshot(from row: Row) throws -> CatalogSnapshot {
        let json: String = row["catalog"]
        let catalog = try JSONDecoder().decode(RelayCatalog.self, from: Data(json.utf8))
        return CatalogSnapshot(id: row["id"], url: row["url"], fetchedAt: DatabaseTime.date(row, "fetched_at"), etag: row["etag"], lastModified: row["last_modified"], sha256: row["sha256"], catalog: catalog)
    }

    /// The newest snapshot.
    public func latest() throws(HistoryError) -> CatalogSnapshot? {
        try database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM catalog_snapshot ORDER BY id DESC LIMIT 1").map(Self.snapshot) }
    }

    /// The snapshot with that id.
    public func snapshot(id: Int64) throws(HistoryError) -> CatalogSnapshot? {
        try database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM catalog_snapshot WHERE id = ?", arguments: [id]).map(Self.snapshot) }
    }

    /// The snapshot taken before `id`.
    public func snapshot(before id: Int64) throws(HistoryError) -> CatalogSnapshot? {
        try database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM catalog_snapshot WHERE id < ? ORDER BY id DESC LIMIT 1", arguments: [id]).map(Self.snapshot)
        }
    }

    /// Stores a successful fetch and records the attempt; returns the new snapshot.
    public func store(url: String, fetchedAt: Date, etag: String?, lastModified: String?, body: [UInt8], catalog: RelayCatalog) throws(HistoryError) -> CatalogSnapshot {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(catalog)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let digest = SHA256.hex(body)
        let id = try database.write { db -> Int64 in
            try db.execute(
                sql: "INSERT INTO catalog_snapshot (url, fetched_at, etag, last_modified, sha256, page_last_edited, catalog) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [url, DatabaseTime.text(fetchedAt), etag, lastModified, digest, catalog.lastEdited, json])
            let id = db.lastInsertedRowID
            try db.execute(sql: "INSERT INTO catalog_fetch (url, attempted_at, outcome, snapshot_id) VALUES (?, ?, 'stored', ?)", arguments: [url, DatabaseTime.text(fetchedAt), id])
            return id
        }
        return CatalogSnapshot(id: id, url: url, fetchedAt: fetchedAt, etag: etag, lastModified: lastModified, sha256: digest, catalog: catalog)
    }

    /// Records a fetch that found the page unchanged (HTTP 304) or failed.
    public func recordAttempt(url: String, at date: Date, failure: (code: String, message: String)?, snapshotID: Int64?) throws(HistoryError) {
        try database.write { db in
            try db.execute(
                sql: "INSERT INTO catalog_fetch (url, attempted_at, outcome, error_code, error, snapshot_id) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [url, DatabaseTime.text(date), failure == nil ? "not_modified" : "failed", failure?.code, failure?.message, snapshotID])
        }
    }

    /// The catalog to use now: the last good snapshot, stale when the newest attempt failed; the
    /// embedded default when nothing was ever fetched.
    public func status() throws(HistoryError) -> CatalogStatus {
        let latest = try latest()
        let attempt = try database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM catalog_fetch ORDER BY id DESC LIMIT 1") }
        let failed = attempt.map { ($0["outcome"] as String) == "failed" } ?? false
        return CatalogStatus(
            snapshot: latest, catalog: latest?.catalog ?? DefaultRelayCatalog.catalog, isStale: failed,
            // Read by DatabaseTime: GRDB's own reading goes through an ICU calendar (7 MB resident, issue 34).
            lastError: failed ? attempt?["error"] : nil, lastAttemptAt: attempt.flatMap { DatabaseTime.optionalDate($0, "attempted_at") })
    }
}
