import Foundation

/// Everything a report shows about one run, read back from history so that any past run can be
/// rendered again.
public struct ScanReport: Sendable {
    public var run: ScanRunRecord
    /// Sorted worst first, then by institution id.
    public var results: [InstitutionResult]
    /// Compliant counts of recent full runs, oldest first.
    public var trend: [(run: Int64, startedAt: Date, compliant: Int, total: Int)]
    public var catalog: CatalogStatus?
    /// Each institution's recent runs and the first run of its current state, by institution id.
    public var histories: [String: InstitutionHistory]

    public init(run: ScanRunRecord, results: [InstitutionResult], trend: [(run: Int64, startedAt: Date, compliant: Int, total: Int)], catalog: CatalogStatus?,
                histories: [String: InstitutionHistory] = [:]) {
        self.run = run
        self.histories = histories
        self.results = results.sorted { ($1.status, $0.institutionID) < ($0.status, $1.institutionID) }
        self.trend = trend
        self.catalog = catalog
    }

    /// Loads run `id` from history.
    public static func load(run id: Int64, store: ScanStore, catalogs: CatalogStore) throws(HistoryError) -> ScanReport? {
        guard let run = try store.run(id: id) else { return nil }
        let catalog: CatalogStatus?
        if let snapshotID = run.catalogSnapshotID, let snapshot = try catalogs.snapshot(id: snapshotID) {
            catalog = CatalogStatus(snapshot: snapshot, catalog: snapshot.catalog, isStale: run.catalogStale, lastError: nil, lastAttemptAt: nil)
        } else {
            catalog = nil
        }
        return ScanReport(run: run, results: try store.results(run: id), trend: try store.trend(upTo: id), catalog: catalog,
                          histories: try store.histories(upTo: id))
    }

    /// Whole days `result` has been in its current state at this run's start.
    public func daysInState(_ result: InstitutionResult) -> Int? {
        histories[result.institutionID]?.days(until: run.startedAt)
    }

    /// The first run of `result`'s current state.
    public func since(_ result: InstitutionResult) -> InstitutionHistory.Point? {
        histories[result.institutionID]?.since
    }

    /// The run-level cause that explains `result`'s verdict (``Finding/institutions`` names it), if any.
    public func cause(of result: InstitutionResult) -> Finding? {
        run.findings.first { $0.institutions?.contains(result.institutionID) == true }
    }

    public func count(_ status: ComplianceStatus) -> Int { results.filter { $0.status == status }.count }

    /// The exit status the interface promises: 0 all compliant, 1 otherwise.
    public var exitStatus: Int32 { results.allSatisfy { $0.status == .compliant } && !results.isEmpty ? 0 : 1 }

    /// The folder name of the run: `2026-11-26T0300Z-run12`.
    public var folderName: String {
        "\(UTCTime.format(run.startedAt, UTCTime.folderPattern))-run\(run.id)"
    }
}
