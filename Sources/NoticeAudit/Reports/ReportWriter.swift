import Foundation

/// Writes a run's files (summary.md, trend.svg, summary.csv, findings.csv, scan.json, index.html,
/// institutions/ID.md) from its rendering (``PrerenderedReport``) into a staging folder, which
/// ``RunFolders`` puts in place as `REPORTS/<run folder>/` and points `REPORTS/latest` at.
public struct ReportWriter: Sendable {
    public let directory: String
    /// The folders of `directory`: staging, replacing, `latest`, the list of runs, pruning.
    public var folders: RunFolders { RunFolders(directory: directory) }

    public init(directory: String) {
        self.directory = directory
    }

    /// Writes the report; returns the run folder's path.
    @discardableResult
    public func write(_ report: ScanReport, updateLatest: Bool = true) throws(ReportWriteError) -> String {
        try writeSummarized(report, updateLatest: updateLatest).folder
    }

    /// Writes the report; returns the run folder's path and the report with its
    /// ``ScanReport/summaries``, which a streaming report knows only once its results are rendered.
    ///
    /// There is one way to render a run (``PrerenderedReport``): each result's parts rendered on
    /// every core into spills, then every file written from them in report order. A scan hands its
    /// results over while it checks (`prerendered`); otherwise the results are rendered here, from
    /// history's rows (a report read back, an aborted run, a scan whose own rendering failed) or
    /// from memory.
    func writeSummarized(_ report: ScanReport, updateLatest: Bool = true,
                         prerendered: PrerenderedReport.Finished? = nil) throws(ReportWriteError) -> (folder: String, report: ScanReport) {
        let root = URL(fileURLWithPath: directory)
        let folder = root.appendingPathComponent(report.folderName)
        var report = report
        let rendered: PrerenderedReport.Finished
        if let prerendered { rendered = prerendered } else { rendered = try render(report) }
        let staging = URL(fileURLWithPath: rendered.staging)
        do {
            report.summaries = try writeFiles(report, from: rendered)
            try folders.replace(folder, with: staging)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
        if updateLatest { try folders.pointLatest(at: report.folderName, in: root) }
        return (folder.path, report)
    }

    /// Every result of `report` rendered (``PrerenderedReport``): its history rows, or its results
    /// in memory.
    private func render(_ report: ScanReport) throws(ReportWriteError) -> PrerenderedReport.Finished {
        do {
            let store = report.source
            let rendering = try PrerenderedReport.begin(report: report, store: store, writer: self)
            do {
                if let store {
                    let rows = try store.resultRows(run: report.run.id)
                    for row in rows { rendering.add(row: row) }
                    return try rendering.finish(results: rows.count)
                }
                for result in report.results { rendering.add(result, history: report.histories[result.institutionID]) }
                return try rendering.finish(results: report.results.count)
            } catch {
                rendering.discard()
                throw error
            }
        } catch let error as ReportWriteError {
            throw error
        } catch let error as HistoryError {
            throw ReportWriteError(path: directory, detail: "the results could not be read from history: \(error.message)")
        } catch {
            throw ReportWriteError(path: directory, detail: "the report could not be rendered: \(error)")
        }
    }

    /// The parts of summary.md, scan.json and index.html that follow a run-wide heading.
    enum Section {
        case markdownRows, markdownDetails, jsonRows, htmlRows, htmlDetails
    }

    /// Writes summary.md, scan.json, index.html and trend.svg of `summarized` (its summaries
    /// known) into `staging`; `section` writes each part that follows a heading.
    private func writeFramedFiles(_ summarized: ScanReport, hasDetails: Bool, into staging: String,
                                  _ section: (Section, ReportFile) throws(ReportWriteError) -> Void) throws(ReportWriteError) {
        let markdown = try ReportFile(path: staging + "/summary.md")
        try markdown.append(MarkdownReportRenderer.head(summarized))
        try section(.markdownRows, markdown)
        try markdown.append(MarkdownReportRenderer.middle(hasDetails: hasDetails))
        try section(.markdownDetails, markdown)
        try markdown.append(MarkdownReportRenderer.tail(summarized))
        try markdown.close()
        let frame: (head: String, tail: String)
        do { frame = try JSONReportRenderer.frame(summarized, count: summarized.summaries.count) } catch {
            throw ReportWriteError(path: staging, detail: "the report could not be rendered: \(error)")
        }
        let json = try ReportFile(path: staging + "/scan.json")
        try json.append(frame.head)
        try section(.jsonRows, json)
        try json.append(frame.tail)
        try json.close()
        let html = try ReportFile(path: staging + "/index.html")
        try html.append(DashboardRenderer.head(summarized))
        try section(.htmlRows, html)
        try html.append(DashboardRenderer.between)
        try section(.htmlDetails, html)
        try html.append(DashboardRenderer.tail(summarized))
        try html.close()
        if !summarized.trend.isEmpty { try ReportFile.write(TrendChart(summarized.trend).svg(standalone: true), to: staging + "/trend.svg") }
    }

    /// Drops the name of a new institution past the first few the dashboard lists (`newCount`
    /// counts them): a first run makes every institution new.
    private static func name(_ summary: inout ResultSummary, newCount: inout Int) {
        guard summary.change == .new else { return }
        newCount += 1
        if newCount > DashboardRenderer.Page.changesListed { summary.name = nil }
    }

    /// Writes every file of `report` into the staging folder of `prerendered`, each result's parts
    /// copied from their spills in report order, each spill removed once copied. Returns the summaries.
    private func writeFiles(_ report: ScanReport, from prerendered: PrerenderedReport.Finished) throws(ReportWriteError) -> [ResultSummary] {
        let staging = prerendered.staging
        var (summaries, order) = prerendered.takeInReportOrder()
        var spills: [Int32] = []
        defer { for spill in spills where spill >= 0 { Foundation.close(spill) } }
        for path in prerendered.spills {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw ReportWriteError(path: path, errno: errno) }
            spills.append(descriptor)
        }
        // Each part goes into one file: its spill is removed as soon as it is copied, so that the
        // disk holds the files and the spills not yet copied, not both whole (a nearly full disk).
        func copy(_ part: PrerenderedReport.Part, into file: ReportFile) throws(ReportWriteError) {
            var first = true
            for index in order {
                var range = prerendered.range(part, of: index)
                if part == .jsonElement, first { range = range.lowerBound + Int64(JSONReportRenderer.institutionSeparator.utf8.count)..<range.upperBound }
                first = false
                try file.append(from: spills[part.rawValue], path: prerendered.spills[part.rawValue], offset: range.lowerBound, count: Int(range.count))
            }
            Foundation.close(spills[part.rawValue])
            spills[part.rawValue] = -1
            guard unlink(prerendered.spills[part.rawValue]) == 0 else { throw ReportWriteError(path: prerendered.spills[part.rawValue], errno: errno) }
        }
        let summaryCSV = try ReportFile(path: staging + "/summary.csv")
        try summaryCSV.append(CSVReportRenderer.summaryHeader)
        try copy(.summaryRow, into: summaryCSV)
        try summaryCSV.close()
        let findingsCSV = try ReportFile(path: staging + "/findings.csv")
        try findingsCSV.append(CSVReportRenderer.findingsHead(report.run))
        try copy(.findingRows, into: findingsCSV)
        try findingsCSV.close()
        var newCount = 0
        for position in summaries.indices { Self.name(&summaries[position], newCount: &newCount) }
        var summarized = report
        summarized.summaries = summaries
        summaries = []
        let hasDetails = order.contains { !prerendered.range(.markdownDetails, of: $0).isEmpty }
        try writeFramedFiles(summarized, hasDetails: hasDetails, into: staging) { section, file throws(ReportWriteError) in
            switch section {
            case .markdownRows: try copy(.markdownRow, into: file)
            case .markdownDetails: try copy(.markdownDetails, into: file)
            case .jsonRows: try copy(.jsonElement, into: file)
            case .htmlRows: try copy(.htmlRow, into: file)
            case .htmlDetails: try copy(.htmlDetails, into: file)
            }
        }
        order = []
        return summarized.summaries
    }

}
