import Foundation

/// Everything a report shows about one run, read back from history so that any past run can be
/// rendered again.
///
/// A report holds its results in memory (``init(run:results:trend:catalog:histories:)``, ``load(run:store:catalogs:)``)
/// or leaves them in history (``streaming(run:store:catalogs:)``): then ``PrerenderedReport`` renders
/// them from history's rows, one at a time, and ``summaries`` are filled when the files are written
/// (``ReportWriter/write(_:updateLatest:)``), so that memory does not grow with the number of institutions.
public struct ScanReport: Sendable {
    public var run: ScanRunRecord
    /// Every institution of the run, worst first then by id. Empty for a streaming report until its
    /// results have been read once.
    public var summaries: [ResultSummary]
    /// Compliant counts of recent full runs, oldest first.
    public var trend: [(run: Int64, startedAt: Date, compliant: Int, total: Int)]
    public var catalog: CatalogStatus?
    /// In memory: the results, worst first then by id (empty for a streaming report).
    public private(set) var results: [InstitutionResult]
    /// In memory: each institution's recent runs and the first run of its current state, by id.
    public private(set) var histories: [String: InstitutionHistory]
    /// Where a streaming report reads its results.
    let source: ScanStore?
    /// The institutions a run-level cause explains (``Finding/institutions``).
    private let explained: [String: Int]

    public init(run: ScanRunRecord, results: [InstitutionResult], trend: [(run: Int64, startedAt: Date, compliant: Int, total: Int)], catalog: CatalogStatus?,
                histories: [String: InstitutionHistory] = [:]) {
        self.run = run
        self.histories = histories
        self.results = results.sorted { ($1.status, $0.institutionID) < ($0.status, $1.institutionID) }
        self.summaries = self.results.map(ResultSummary.init)
        self.trend = trend
        self.catalog = catalog
        self.source = nil
        self.explained = Self.explained(by: run.findings)
    }

    private init(run: ScanRunRecord, trend: [(run: Int64, startedAt: Date, compliant: Int, total: Int)], catalog: CatalogStatus?, store: ScanStore) {
        self.run = run
        self.results = []
        self.histories = [:]
        self.summaries = []
        self.trend = trend
        self.catalog = catalog
        self.source = store
        self.explained = Self.explained(by: run.findings)
    }

    private static func explained(by findings: [Finding]) -> [String: Int] {
        var explained: [String: Int] = [:]
        // CATALOG_DRIFT names the institutions whose mail receivers saw from unknown addresses, but
        // decides none of their verdicts: it explains nothing.
        for (index, finding) in findings.enumerated() where finding.code != .catalogDrift {
            for institution in finding.institutions ?? [] where explained[institution] == nil { explained[institution] = index }
        }
        return explained
    }

    /// Loads run `id` from history, every result in memory (re-rendering one run, tests).
    public static func load(run id: Int64, store: ScanStore, catalogs: CatalogStore) throws(HistoryError) -> ScanReport? {
        guard let run = try store.run(id: id) else { return nil }
        return ScanReport(run: run, results: try store.results(run: id), trend: try store.trend(upTo: id), catalog: try catalog(of: run, catalogs: catalogs),
                          histories: try store.histories(upTo: id))
    }

    /// Run `id` with its results left in history, rendered from its rows (``PrerenderedReport``).
    public static func streaming(run id: Int64, store: ScanStore, catalogs: CatalogStore) throws(HistoryError) -> ScanReport? {
        guard let run = try store.run(id: id) else { return nil }
        return ScanReport(run: run, trend: try store.trend(upTo: id), catalog: try catalog(of: run, catalogs: catalogs), store: store)
    }

    private static func catalog(of run: ScanRunRecord, catalogs: CatalogStore) throws(HistoryError) -> CatalogStatus? {
        guard let snapshotID = run.catalogSnapshotID, let snapshot = try catalogs.snapshot(id: snapshotID) else { return nil }
        return CatalogStatus(snapshot: snapshot, catalog: snapshot.catalog, isStale: run.catalogStale, lastError: nil, lastAttemptAt: nil)
    }

    /// Whole days `result` has been in its current state at this run's start.
    public func daysInState(_ history: InstitutionHistory?) -> Int? {
        history?.days(until: run.startedAt)
    }

    /// The run-level cause that explains the verdict of `institution` (``Finding/institutions`` names it), if any.
    public func cause(of institution: String) -> Finding? {
        explained[institution].map { run.findings[$0] }
    }

    /// The run-level cause that explains `result`'s verdict: while the run is being scanned, from
    /// the causes known before any institution (``RunLevelCauses/cause(of:region:in:dnsSilent:)``);
    /// once it is over, the institutions each cause names (``cause(of:)``, as history keeps them).
    func explainingCause(of result: InstitutionResult) -> Finding? {
        guard run.status == .running else { return cause(of: result.institutionID) }
        let silent = run.findings.contains { $0.code == .dnsUnreachable }
        return RunLevelCauses.cause(of: RunLevelCauses.Verdict(result), region: result.region?.code, in: run.findings, dnsSilent: silent).map { run.findings[$0] }
    }

    public func count(_ status: ComplianceStatus) -> Int { summaries.reduce(0) { $0 + ($1.status == status ? 1 : 0) } }

    /// The exit status the interface promises: 0 all compliant, 1 otherwise, 3 when the scan could
    /// not check anything because the scanner's resolver lies (`DNS_UNTRUSTED`).
    public var exitStatus: Int32 {
        if run.findings.contains(where: { $0.code == .dnsUntrusted }) { return 3 }
        return summaries.allSatisfy { $0.status == .compliant } && !summaries.isEmpty ? 0 : 1
    }

    /// The folder name of the run: `2026-11-26T0300Z-run12`.
    public var folderName: String {
        "\(UTCTime.folderName(run.startedAt))-run\(run.id)"
    }
}
