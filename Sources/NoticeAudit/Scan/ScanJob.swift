import Foundation
import Synchronization

/// An inventory handed to a ``ScanJob``, which frees it once the institutions are checked: the
/// reports do not need it, and for 100,000 institutions it is 40 MB (issue 22). The caller keeps
/// no copy of its own.
public final class InventoryHandoff: Sendable {
    private let inventory: Mutex<Inventory?>

    public init(_ inventory: consuming Inventory) {
        self.inventory = Mutex(inventory)
    }

    /// The inventory, once.
    func take() -> Inventory? {
        inventory.withLock { value in
            let taken = value
            value = nil
            return taken
        }
    }
}

/// The nightly job from start to finish: the scan, its reports (`latest` moved only once they are
/// complete), pruning old runs, and the webhook. The command line only builds the parts, turns
/// signals into cancellation, and prints.
public struct ScanJob: Sendable {
    /// What a finished job produced.
    public struct Outcome: Sendable {
        public var report: ScanReport
        /// The run folder of the reports.
        public var reportFolder: String
        /// Why the webhook could not be told, naming only its host; nil when it was or had nothing to tell.
        public var webhookFailure: String?
        /// Why old runs could not be deleted (`keepDays`); the run and its reports are complete.
        public var pruneFailure: String?
        /// Why `REPORTS/index.html` could not be refreshed; the run's own reports are complete.
        public var indexFailure: String?
        /// When the reports were rendered: `while checking` (``PrerenderedReport``), or `after the
        /// checks` with the reason (the same files, later).
        public var reportsRendered: String
    }

    /// The job stopped before it finished (cancelled): the run it recorded, if any.
    public struct Interrupted: Error, Sendable {
        public var run: Int64?
        public var institutionsChecked: Int
        /// The partial report's folder, when it could be written.
        public var reportFolder: String?
    }

    /// The reports of a finished run could not be written; the run itself is kept in history.
    public struct ReportsNotWritten: Error, Sendable {
        public var run: Int64
        public var underlying: ReportWriteError
    }

    public let scanner: Scanner
    public let database: HistoryDatabase
    public let reportsDirectory: String
    public var keepDays: Int?
    public var webhook: WebhookNotifier?

    public init(scanner: Scanner, database: HistoryDatabase, reportsDirectory: String, keepDays: Int? = nil, webhook: WebhookNotifier? = nil) {
        self.scanner = scanner
        self.database = database
        self.reportsDirectory = reportsDirectory
        self.keepDays = keepDays
        self.webhook = webhook
    }

    /// The files `rendering` made while checking, when it began and rendered every one of the run's
    /// `results`, and when the reports were rendered for the log (`after the checks (why)` otherwise;
    /// a rendering that does not finish has removed its staging folder).
    private static func finish(_ rendering: Result<PrerenderedReport, any Error>?, results: () throws -> Int) -> (PrerenderedReport.Finished?, String) {
        guard let rendering else { return (nil, "after the checks") }
        do {
            let rendering = try rendering.get()
            let count: Int
            do { count = try results() } catch {
                rendering.discard()
                throw error
            }
            return (try rendering.finish(results: count), "while checking")
        } catch {
            return (nil, "after the checks (\(error))")
        }
    }

    /// Runs the job. `runStarted` receives the run's id once it is recorded (so that a second
    /// signal can mark it aborted); `progress` gets (done, total) after each institution.
    public func run(inventory handoff: InventoryHandoff, selection: [String]?, runStarted: @escaping @Sendable (Int64) -> Void = { _ in },
                    progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Outcome {
        var inventory = handoff.take()
        precondition(inventory != nil, "an inventory is handed to one job, once")
        let store = scanner.store
        let catalogs = CatalogStore(database: database)
        let recorded = Mutex<Int64?>(nil)
        let writer = ReportWriter(directory: reportsDirectory)
        // The reports are rendered while the institutions are checked (``PrerenderedReport``).
        let prerendering = Mutex<Result<PrerenderedReport, any Error>?>(nil)
        let expected = selection?.count ?? inventory!.institutions.count
        let outcome: ScanOutcome
        do {
            // Handed over whole: the scanner frees the institutions as it checks them.
            let taken = inventory!
            inventory = nil
            outcome = try await scanner.run(inventory: consume taken, selection: selection, runStarted: { id in
                recorded.withLock { $0 = id }
                // The caller first: a signal from now on names the run (the rendering's start reads
                // history and makes its folder, which a debug build took long enough to be caught).
                runStarted(id)
                prerendering.withLock { $0 = Result { try PrerenderedReport.begin(run: id, store: store, catalogs: catalogs, writer: writer, expected: expected) } }
            }, resultRecorded: { recorded in
                // A rendering that could not begin says why at the end (`reportsRendered`).
                if case .success(let rendering)? = prerendering.withLock({ $0 }) { rendering.add(recorded) }
            }, progress: progress)
        } catch {
            if case .success(let rendering)? = prerendering.withLock({ $0 }) { rendering.discard() }
            guard error is CancellationError else { throw error }
            guard let run = recorded.withLock({ $0 }), let report = try ScanReport.streaming(run: run, store: store, catalogs: catalogs) else {
                throw Interrupted(run: recorded.withLock { $0 }, institutionsChecked: 0, reportFolder: nil)
            }
            // What the aborted run finished is reported in its own folder; `latest` keeps the last complete run.
            // Best effort: the run is already recorded as aborted, and a report that cannot be
            // written leaves no folder to name (`reportFolder` nil), which the message then omits.
            let written = try? writer.writeSummarized(report, updateLatest: false)
            // Recorded, so that the list of runs links the aborted run's folder (best effort too).
            if let written { try? store.setReportPath(written.folder, run: run) }
            throw Interrupted(run: run, institutionsChecked: try written?.report.summaries.count ?? store.resultCount(run: run), reportFolder: written?.folder)
        }
        // The inventory is gone: its pages go back before the reports are written.
        HeapTrim.releaseFreePages()
        let rendering = prerendering.withLock { $0 }
        let loaded: ScanReport?
        do {
            loaded = try ScanReport.streaming(run: outcome.run.id, store: store, catalogs: catalogs)
        } catch {
            if case .success(let rendering)? = rendering { rendering.discard() }
            throw error
        }
        guard let loaded else {
            if case .success(let rendering)? = rendering { rendering.discard() }
            throw HistoryError(path: database.path, shortCode: "db_error", message: "run \(outcome.run.id) vanished from the history database \(database.path)")
        }
        var (prerendered, reportsRendered) = Self.finish(rendering, results: { try store.resultCount(run: outcome.run.id) })
        let folder: String, report: ScanReport
        // An ad-hoc rescan gets its own folder and never moves `latest` (../shared/domain.md).
        let consortiumRun = selection == nil
        do {
            do {
                (folder, report) = try writer.writeSummarized(loaded, updateLatest: consortiumRun, prerendered: prerendered)
            } catch where prerendered != nil {
                // The same rendering again, from history's rows, after the checks: what failed
                // (a file of the staging folder, a renderer) may not fail twice.
                reportsRendered = "after the checks (assembling the files rendered while checking failed: \(error))"
                (folder, report) = try writer.writeSummarized(loaded, updateLatest: consortiumRun)
            }
        } catch {
            throw ReportsNotWritten(run: outcome.run.id, underlying: error)
        }
        try store.setReportPath(folder, run: outcome.run.id)
        var indexFailure: String?
        do {
            try RunFolders(directory: reportsDirectory).writeRunIndex(consortium: report.run.consortium, runs: try store.reportedRuns())
        } catch {
            indexFailure = "the list of runs (\(reportsDirectory)/index.html) could not be refreshed: \(error)"
        }
        var pruneFailure: String?
        if let keepDays {
            do {
                try store.prune(keepDays: keepDays)
                try RunFolders(directory: reportsDirectory).pruneRunFolders(keepDays: keepDays)
            } catch let error as HistoryError {
                pruneFailure = "runs older than \(keepDays) days could not be deleted: \(error.message)"
            } catch {
                pruneFailure = "run folders older than \(keepDays) days could not be deleted: \(error)"
            }
        }
        // The consortium's runs tell the webhook; a change an ad-hoc rescan saw is told by the next
        // consortium run, which still lists it.
        let webhookFailure = consortiumRun ? await webhook?.notifyIfNeeded(report, reportPath: folder) : nil
        return Outcome(report: report, reportFolder: folder, webhookFailure: webhookFailure, pruneFailure: pruneFailure, indexFailure: indexFailure,
                       reportsRendered: reportsRendered)
    }
}
