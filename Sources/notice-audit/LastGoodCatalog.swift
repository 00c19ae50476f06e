import Foundation
import NoticeAudit

/// The catalog a command without a scan goes by: the last good snapshot of the history database
/// (opened read only, never created), else the embedded default.
enum LastGoodCatalog {
    /// The catalog and where it came from, in words.
    static func load(database: String) throws -> (catalog: RelayCatalog, source: String) {
        guard FileManager.default.fileExists(atPath: database) else { return (DefaultRelayCatalog.catalog, "the embedded default catalog (no \(database))") }
        do {
            let status = try CatalogStore(database: try HistoryDatabase(path: database, access: .readOnly)).status()
            return (status.catalog, status.snapshot.map { "catalog snapshot \($0.id) of \(database)" } ?? "the embedded default catalog")
        } catch {
            throw CommandFailure.operational("error: \(error)")
        }
    }
}
