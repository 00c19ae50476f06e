import Dispatch
import Foundation
import Synchronization

/// A running scan's report files, rendered while the scan checks the other institutions (issue 22:
/// the checks wait on DNS with the cores idle, and rendering after them was a quarter of the run).
///
/// Each result, once history holds it, is handed to one of the renderer threads (one per core) with
/// its history as the streaming report reads it (``ScanStore/history(row:run:historyLimit:)``; a
/// result that waits behind ``keptInMemory`` others is read back whole, ``ScanStore/storedResult(row:historyLimit:)``),
/// rendered, and each of its parts appended to a hidden spill file of the run's staging folder, in
/// the order the results complete; its letter, decided then (the run's causes are known before any
/// institution is checked), goes straight to `institutions/`. At the end ``ReportWriter`` writes
/// every report file in report order (worst first, then by id) from ranges of the spills. Memory: a
/// summary and where its parts start for each institution. Anything that fails here leaves the reports to
/// the same rendering from history after the checks (``ReportWriter/writeSummarized(_:updateLatest:prerendered:)``), which says why.
final class PrerenderedReport: Sendable {
    /// The parts of one institution, each spilled to its own file.
    enum Part: Int, CaseIterable {
        case summaryRow, findingRows, markdownRow, markdownDetails, jsonElement, htmlRow, htmlDetails
    }

    /// The rendered run, handed to ``ReportWriter/writeSummarized(_:updateLatest:prerendered:)``: a
    /// class, so that the writer takes the summaries without copying them (100,000 institutions:
    /// 15 MB a copy). Used by one thread at a time.
    final class Finished: @unchecked Sendable {
        let staging: String
        /// The spill of each part, by ``Part/rawValue``.
        let spills: [String]
        /// Each institution's summary in the order the results completed, until ``takeInReportOrder()``.
        private var summaries: [ResultSummary]
        /// How many institutions were rendered.
        let count: Int
        /// Where each institution's parts start in the spills, ``Part`` by part, in completion order;
        /// a part ends where the next institution's starts, the last one at ``spillLengths``.
        private let starts: [Int64]
        private let spillLengths: [Int64]

        fileprivate init(staging: String, spills: [String], summaries: [ResultSummary], starts: [Int64], spillLengths: [Int64]) {
            self.staging = staging
            self.spills = spills
            self.summaries = summaries
            count = summaries.count
            self.starts = starts
            self.spillLengths = spillLengths
        }

        /// The bytes of `part` of the institution that completed `index`th.
        func range(_ part: Part, of index: Int) -> Range<Int64> {
            let parts = Part.allCases.count
            let end = index + 1 < count ? starts[(index + 1) * parts + part.rawValue] : spillLengths[part.rawValue]
            return starts[index * parts + part.rawValue]..<end
        }

        /// The summaries in report order (``ScanReport``'s: worst first, then by id as SQLite orders
        /// text), moved out and put in order in place, with the completion index of each.
        func takeInReportOrder() -> (summaries: [ResultSummary], order: [Int]) {
            var summaries: [ResultSummary] = []
            swap(&summaries, &self.summaries)
            let order = summaries.indices.sorted { a, b in
                let first = summaries[a], second = summaries[b]
                return first.status != second.status ? first.status > second.status
                    : first.institutionID.utf8.lexicographicallyPrecedes(second.institutionID.utf8)
            }
            // Position `p` gets the summary at `order[p]`: each cycle of the permutation by swaps.
            var placed = [Bool](repeating: false, count: order.count)
            for start in order.indices where !placed[start] {
                var position = start
                while order[position] != start {
                    summaries.swapAt(position, order[position])
                    placed[position] = true
                    position = order[position]
                }
                placed[position] = true
            }
            return (summaries, order)
        }
    }

    private struct State {
        var spills: [ReportFile]
        var summaries: [ResultSummary] = []
        /// ``Finished``'s starts.
        var starts: [Int64] = []
        var lettersFolder = false
        var failure: (any Error)?
    }

    /// A result handed over: its history row, with the result itself while few wait (rendered
    /// without decoding it again; past ``keptInMemory`` waiting, read back from history, so that
    /// renderers that fall behind cost rows, not results, in memory); or a result of a report held
    /// in memory, with its history.
    private enum Handed {
        case recorded(row: Int64, value: InstitutionResult, encoded: EncodedJSONTree)
        case row(Int64)
        case inMemory(InstitutionResult, InstitutionHistory?)
    }

    /// Results kept in memory while they wait for a renderer.
    static let keptInMemory = 16

    /// The results handed over and not yet taken by a renderer.
    private struct Pending {
        var rows: [Handed] = []
        var next = 0
        var closed = false

        var waiting: Int { rows.count - next }

        mutating func take() -> Handed? {
            guard next < rows.count else { return nil }
            defer {
                next += 1
                if next == rows.count { rows.removeAll(keepingCapacity: true); next = 0 }
            }
            return rows[next]
        }
    }

    let staging: String
    private let store: ScanStore?
    private let report: ScanReport
    private let state: Mutex<State>
    private let pending = Mutex(Pending())
    /// One signal per row handed over, and one per renderer when the run ends.
    private let signals = DispatchSemaphore(value: 0)
    private let renderers = DispatchGroup()
    private let rendererCount: Int

    private init(staging: String, store: ScanStore?, report: ScanReport, spills: sending [ReportFile]) {
        self.staging = staging
        self.store = store
        self.report = report
        self.state = Mutex(State(spills: spills))
        // One renderer per core: measured on two cores, one renderer fell behind the checks and left
        // a fifth of the run to render at the end; lowering their priority (nice) did the same.
        rendererCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
        for _ in 0..<rendererCount {
            renderers.enter()
            let thread = Thread { [self] in
                renderAll()
                renderers.leave()
            }
            thread.name = "notice-audit.prerender"
            thread.start()
        }
    }

    /// Starts rendering run `run` into a new staging folder of `writer`'s directory; throws when the
    /// folder or the run cannot be had (the reports are then rendered from history after the checks, or say why not).
    /// `expected`: about how many results will come (room is made for them at once: an array that
    /// grows by doubling holds two copies while it moves, 30 MB at 100,000 institutions).
    static func begin(run: Int64, store: ScanStore, catalogs: CatalogStore, writer: ReportWriter, expected: Int = 0) throws -> PrerenderedReport {
        guard let report = try ScanReport.streaming(run: run, store: store, catalogs: catalogs) else {
            throw HistoryError(path: "", shortCode: "db_error", message: "run \(run) is not in history")
        }
        let rendering = try begin(report: report, store: store, writer: writer)
        rendering.state.withLock { state in
            state.summaries.reserveCapacity(expected)
            state.starts.reserveCapacity(expected * Part.allCases.count)
        }
        return rendering
    }

    /// Starts rendering `report`, whose results come from `store`'s rows or, without a store, from
    /// memory (``add(_:history:)``).
    static func begin(report: ScanReport, store: ScanStore?, writer: ReportWriter) throws -> PrerenderedReport {
        let staging = try writer.folders.makeStaging(for: report.folderName)
        do {
            let spills = try Part.allCases.map { part throws(ReportWriteError) in try ReportFile(path: spillPath(part, in: staging.path), capacity: 1 << 14) }
            return PrerenderedReport(staging: staging.path, store: store, report: report, spills: spills)
        } catch {
            try? FileManager.default.removeItem(at: staging)  // as in discard(): best effort, the error said is the spill's
            throw error
        }
    }

    private static func spillPath(_ part: Part, in staging: String) -> String { "\(staging)/.spill.\(part)" }

    /// Hands over the result history stored as `recorded` (``ScanStore/recordRow(_:run:now:)``);
    /// a renderer thread renders it.
    func add(_ recorded: ScanStore.RecordedRow) {
        pending.withLock { pending in
            pending.rows.append(pending.waiting < Self.keptInMemory ? .recorded(row: recorded.row, value: recorded.result, encoded: recorded.encoded) : .row(recorded.row))
        }
        signals.signal()
    }

    /// Hands over the result stored as history row `row`, to be read back from history.
    func add(row: Int64) {
        pending.withLock { $0.rows.append(.row(row)) }
        signals.signal()
    }

    /// Hands over a result of a report held in memory, with its history.
    func add(_ result: InstitutionResult, history: InstitutionHistory?) {
        pending.withLock { $0.rows.append(.inMemory(result, history)) }
        signals.signal()
    }

    /// A renderer: takes rows until the run ends and none is left.
    private func renderAll() {
        let encoder = JSONReportRenderer.encoder()
        while true {
            signals.wait()
            guard let handed = pending.withLock({ $0.take() }) else {
                if pending.withLock({ $0.closed }) { return }
                continue
            }
            render(handed, encoder: encoder)
        }
    }

    private func render(_ handed: Handed, encoder: JSONTextEncoder) {
        guard state.withLock({ $0.failure == nil }) else { return }
        let rendered: RenderedResult
        do {
            let result: InstitutionResult, history: InstitutionHistory?, encoded: EncodedJSONTree?
            switch handed {
            case .recorded(let row, let value, let tree):
                // The result as history holds it: its detail is this value's encoding, and decoding
                // gives the same value (every field the reports show round-trips; the tests compare
                // these files with the rendering of the decoded run).
                guard let store else { throw HistoryError(path: "", shortCode: "db_error", message: "a stored result without its history database") }
                (result, history, encoded) = (value, try store.history(row: row, run: report.run.id), tree)
            case .row(let row):
                guard let store, let stored = try store.storedResult(row: row) else {
                    throw HistoryError(path: "", shortCode: "db_error", message: "result row \(row) vanished from history")
                }
                (result, history, encoded) = (try store.decode(stored), stored.history, nil)
            case .inMemory(let value, let known):
                (result, history, encoded) = (value, known, nil)
            }
            rendered = try RenderedResult(result, history: history, report: report, encoder: encoder, encoded: encoded)
        } catch {
            state.withLock { $0.failure = $0.failure ?? error }
            return
        }
        let texts = [rendered.summaryRow, rendered.findingRows, rendered.markdownRow, rendered.markdownDetails,
                     // Each element with the separator before it; the first in report order goes without.
                     JSONReportRenderer.institutionSeparator + rendered.jsonElement, rendered.htmlRow, rendered.htmlDetails]
        state.withLock { state in
            guard state.failure == nil else { return }
            do {
                for (spill, text) in zip(state.spills, texts) {
                    state.starts.append(spill.length)
                    try spill.append(text)
                }
                if let letter = rendered.letter {
                    let folder = staging + "/institutions"
                    if !state.lettersFolder {
                        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
                        state.lettersFolder = true
                    }
                    try ReportFile.write(letter, to: "\(folder)/\(rendered.summary.institutionID).md")
                }
                state.summaries.append(rendered.summary)
            } catch {
                state.failure = error
            }
        }
    }

    /// Ends the renderers once every result handed over is rendered; the calling thread renders the
    /// ones still waiting too, so that the end of the run has every core.
    private func drain() {
        let first = pending.withLock { pending -> Bool in
            defer { pending.closed = true }
            return !pending.closed
        }
        if first {
            let encoder = JSONReportRenderer.encoder()
            while let handed = pending.withLock({ $0.take() }) { render(handed, encoder: encoder) }
            for _ in 0..<rendererCount { signals.signal() }
        }
        renderers.wait()
    }

    /// Waits for the results handed so far and closes the spills: the rendered run when every one of
    /// the run's `results` was rendered; otherwise the staging folder is removed and the error says why.
    func finish(results: Int) throws -> Finished {
        drain()
        do {
            return try state.withLock { state in
                if let failure = state.failure { throw failure }
                guard state.summaries.count == results else {
                    throw HistoryError(path: "", shortCode: "db_error", message: "\(state.summaries.count) of the run's \(results) results were rendered")
                }
                for spill in state.spills { try spill.close() }
                // Moved out: the writer holds the only copy.
                defer { (state.summaries, state.starts) = ([], []) }
                return Finished(staging: staging, spills: Part.allCases.map { Self.spillPath($0, in: staging) }, summaries: state.summaries,
                                starts: state.starts, spillLengths: state.spills.map(\.length))
            }
        } catch {
            discard()
            throw error
        }
    }

    /// Stops and removes the staging folder (the run was cancelled, or the reports are rendered again after the checks).
    func discard() {
        state.withLock { $0.failure = $0.failure ?? CancellationError() }
        drain()
        // Best effort: a folder left behind is hidden, and the next writer removes it once this
        // process is gone (``RunFolders/removeAbandonedStaging(in:now:)``).
        try? FileManager.default.removeItem(atPath: staging)
    }
}
