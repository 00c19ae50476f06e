import Dispatch
import Foundation
import Synchronization

/// A running scan's report files, rendered while the scan checks the other institutions (issue 22:
/// the checks wait on DNS with the cores idle, and rendering after them was a quarter of the run).
///
/// Each result, once history holds it, is read back with its history exactly as the streaming
/// report reads it (``ScanStore/storedResult(row:historyLimit:)``), rendered, and each of its parts
/// appended to a hidden spill file of the run's staging folder, in the order the results complete;
/// its letter goes straight to `institutions/`. At the end ``ReportWriter`` writes every report file
/// in report order (worst first, then by id) from ranges of the spills, and removes the letters that
/// a run-level cause, known only then, makes needless. Memory: a summary and the ranges of each
/// institution. Anything that fails here leaves the reports to the streaming path, which says why.
final class PrerenderedReport: Sendable {
    /// The parts of one institution, each spilled to its own file.
    enum Part: Int, CaseIterable {
        case summaryRow, findingRows, markdownRow, markdownDetails, jsonElement, htmlRow, htmlDetails

        /// The separator spilled before each element of scan.json's `institutions`; the first in
        /// report order goes without it.
        static let jsonSeparator = ",\n"
    }

    /// One institution as rendered: what the run-wide parts need and where its parts are.
    struct Entry: Sendable {
        var summary: ResultSummary
        /// Byte ranges in each part's spill, by ``Part/rawValue``.
        var ranges: [Range<Int64>]
        var letter: Bool
    }

    /// The rendered run, handed to ``ReportWriter/writeSummarized(_:updateLatest:prerendered:)``.
    struct Finished: Sendable {
        var staging: String
        var entries: [Entry]
        /// The spill of each part, by ``Part/rawValue``.
        var spills: [String]

        /// The entries' indices in report order (``ScanReport``'s: worst first, then by id as
        /// SQLite orders text).
        var reportOrder: [Int] {
            entries.indices.sorted { a, b in
                let first = entries[a].summary, second = entries[b].summary
                return first.status != second.status ? first.status > second.status
                    : first.institutionID.utf8.lexicographicallyPrecedes(second.institutionID.utf8)
            }
        }
    }

    private struct State {
        var spills: [ReportFile]
        var entries: [Entry] = []
        var lettersFolder = false
        var failure: (any Error)?
        /// The renderer's encoder (it caches converted keys).
        let encoder = JSONReportRenderer.encoder()
    }

    let staging: String
    private let store: ScanStore
    private let report: ScanReport
    private let queue = DispatchQueue(label: "notice-audit.prerender")
    private let state: Mutex<State>

    private init(staging: String, store: ScanStore, report: ScanReport, spills: sending [ReportFile]) {
        self.staging = staging
        self.store = store
        self.report = report
        self.state = Mutex(State(spills: spills))
    }

    /// Starts rendering run `run` into a new staging folder of `writer`'s directory; throws when the
    /// folder or the run cannot be had (the streaming path then writes the reports, or says why not).
    static func begin(run: Int64, store: ScanStore, catalogs: CatalogStore, writer: ReportWriter) throws -> PrerenderedReport {
        guard let report = try ScanReport.streaming(run: run, store: store, catalogs: catalogs) else {
            throw HistoryError(path: "", shortCode: "db_error", message: "run \(run) is not in history")
        }
        let staging = try writer.makeStaging(for: report.folderName)
        do {
            let spills = try Part.allCases.map { part throws(ReportWriteError) in try ReportFile(path: spillPath(part, in: staging.path)) }
            return PrerenderedReport(staging: staging.path, store: store, report: report, spills: spills)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    private static func spillPath(_ part: Part, in staging: String) -> String { "\(staging)/.spill.\(part)" }

    /// Renders the result stored as history row `row`, on the renderer's own thread.
    func add(row: Int64) {
        queue.async { [self] in
            state.withLock { state in
                guard state.failure == nil else { return }
                do { try render(row: row, into: &state) } catch { state.failure = error }
            }
        }
    }

    private func render(row: Int64, into state: inout State) throws {
        guard let stored = try store.storedResult(row: row) else {
            throw HistoryError(path: "", shortCode: "db_error", message: "result row \(row) vanished from history")
        }
        let result = try store.decode(stored)
        let rendered = try RenderedResult(result, history: stored.history, report: report, encoder: state.encoder, causesKnown: false)
        let texts = [rendered.summaryRow, rendered.findingRows, rendered.markdownRow, rendered.markdownDetails,
                     Part.jsonSeparator + rendered.jsonElement, rendered.htmlRow, rendered.htmlDetails]
        var ranges: [Range<Int64>] = []
        ranges.reserveCapacity(texts.count)
        for (spill, text) in zip(state.spills, texts) {
            let start = spill.length
            try spill.append(text)
            ranges.append(start..<spill.length)
        }
        if let letter = rendered.letter {
            let folder = staging + "/institutions"
            if !state.lettersFolder {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
                state.lettersFolder = true
            }
            try ReportFile.write(letter, to: "\(folder)/\(result.institutionID).md")
        }
        state.entries.append(Entry(summary: rendered.summary, ranges: ranges, letter: rendered.letter != nil))
    }

    /// Waits for the results handed so far and closes the spills: the rendered run when every one of
    /// the run's `results` was rendered; otherwise the staging folder is removed and the error says why.
    func finish(results: Int) throws -> Finished {
        queue.sync {}
        do {
            return try state.withLock { state in
                if let failure = state.failure { throw failure }
                guard state.entries.count == results else {
                    throw HistoryError(path: "", shortCode: "db_error", message: "\(state.entries.count) of the run's \(results) results were rendered")
                }
                for spill in state.spills { try spill.close() }
                return Finished(staging: staging, entries: state.entries, spills: Part.allCases.map { Self.spillPath($0, in: staging) })
            }
        } catch {
            discard()
            throw error
        }
    }

    /// Stops and removes the staging folder (the run was cancelled, or the reports go the streaming way).
    func discard() {
        queue.sync {}
        state.withLock { $0.failure = CancellationError() }
        try? FileManager.default.removeItem(atPath: staging)
    }
}
