import Foundation
import GRDB

/// Pruning history (`--keep-days`).
extension ScanStore {
    /// Deletes runs (with their results and findings) that started more than `days` days ago.
    /// The run folders go with them: ``RunFolders/pruneRunFolders(keepDays:now:)``.
    @discardableResult
    public func prune(keepDays days: Int, now: Date = Date()) throws(HistoryError) -> Int {
        try database.write { db in
            try db.execute(sql: "DELETE FROM scan_run WHERE started_at < ? AND status != 'running'", arguments: [DatabaseTime.text(now.addingTimeInterval(-Double(days) * 86_400))])
            return db.changesCount
        }
    }
}
