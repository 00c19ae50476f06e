import Foundation

/// Writes a run's files into `REPORTS/<run folder>/` (summary.md, trend.svg, summary.csv,
/// findings.csv, scan.json, index.html, institutions/ID.md) and points `REPORTS/latest` at it;
/// ``writeRunIndex(consortium:runs:)`` refreshes `REPORTS/index.html`.
///
/// Nothing is ever seen half-written: the run folder is written under a hidden staging name and
/// renamed into place, and `latest` is a relative symbolic link replaced by `rename(2)`, so a reader
/// finds either the previous complete run or the new one, never a missing or partial `latest`. Two
/// scans finishing together both leave `latest` pointing at a complete run. A write that fails
/// (disk full, permissions) removes its staging folder and leaves `latest` as it was.
public struct ReportWriter: Sendable {
    public let directory: String

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
            try replace(folder, with: staging)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
        if updateLatest { try pointLatest(at: report.folderName, in: root) }
        return (folder.path, report)
    }

    /// A new hidden staging folder for the run folder `name` (``removeAbandonedStaging(in:now:)``
    /// knows its name's shape), after removing what killed writers left.
    func makeStaging(for name: String) throws(ReportWriteError) -> URL {
        let root = URL(fileURLWithPath: directory)
        try attempt(root.path) { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) }
        removeAbandonedStaging(in: root)
        let staging = root.appendingPathComponent(".\(name).\(getpid()).\(UUID().uuidString.prefix(8))")
        try attempt(staging.path) { try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false) }
        return staging
    }

    /// Every result of `report` rendered (``PrerenderedReport``): its history rows, or its results
    /// in memory.
    private func render(_ report: ScanReport) throws(ReportWriteError) -> PrerenderedReport.Finished {
        do {
            let store = report.source?.store
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
    /// copied from their spills in report order; removes the letters a run-level cause makes
    /// needless (``CampusLetterRenderer/isAddressee(_:report:)``) and the spills. Returns the summaries.
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
        let letters = order.indices.filter { prerendered.letters[order[$0]] }.map { summarized.summaries[$0].institutionID }
        let explained = letters.filter { report.cause(of: $0) != nil }
        for institution in explained {
            let path = staging + "/institutions/\(institution).md"
            guard unlink(path) == 0 else { throw ReportWriteError(path: path, errno: errno) }
        }
        if !letters.isEmpty, letters.count == explained.count, rmdir(staging + "/institutions") != 0 {
            throw ReportWriteError(path: staging + "/institutions", errno: errno)
        }
        order = []
        return summarized.summaries
    }

    /// Rewrites `REPORTS/index.html`, the list of runs (``RunIndexRenderer``), from history's
    /// `runs` and the run folders present; written under a temporary name and renamed.
    public func writeRunIndex(consortium: String?, runs: [RunListing]) throws(ReportWriteError) {
        let root = URL(fileURLWithPath: directory)
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: root.path) } catch {
            throw ReportWriteError(path: root.path, detail: ReportWriteError.reason(error))
        }
        let page = RunIndexRenderer.render(consortium: consortium, runs: runs, folders: Set(names.filter(RunIndexRenderer.isRunFolder)))
        let target = root.appendingPathComponent("index.html")
        let temporary = root.appendingPathComponent(".index.html.\(getpid()).\(UUID().uuidString.prefix(8))")
        do throws(ReportWriteError) {
            try attempt(temporary.path) { try Data(page.utf8).write(to: temporary) }
            guard Foundation.rename(temporary.path, target.path) == 0 else { throw ReportWriteError(path: target.path, errno: errno) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Deletes run folders whose run started more than `days` days ago (by the folder's name),
    /// except the one `latest` points to: `--keep-days` bounds the disk as it bounds the database.
    /// Returns the names deleted.
    @discardableResult
    public func pruneRunFolders(keepDays days: Int, now: Date = Date()) throws(ReportWriteError) -> [String] {
        let root = URL(fileURLWithPath: directory)
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: root.path) } catch {
            throw ReportWriteError(path: root.path, detail: ReportWriteError.reason(error))
        }
        let latest = try? FileManager.default.destinationOfSymbolicLink(atPath: root.appendingPathComponent("latest").path)
        let limit = now.addingTimeInterval(-Double(days) * 86_400)
        var deleted: [String] = []
        for name in names.sorted() where RunIndexRenderer.isRunFolder(name) && name != latest {
            guard let started = Self.startDate(ofFolder: name), started < limit else { continue }
            try attempt(root.appendingPathComponent(name).path) { try FileManager.default.removeItem(at: root.appendingPathComponent(name)) }
            deleted.append(name)
        }
        return deleted
    }

    /// The start time a run folder's name gives (`2026-11-26T030000Z-run12`).
    static func startDate(ofFolder name: String) -> Date? {
        name.split(separator: "-run").first.flatMap { UTCTime.parseFolderName(String($0)) }
    }

    /// Removes what a killed writer left: staging folders, `latest` links and index files under
    /// their hidden temporary names (`.NAME.PID.XXXXXXXX[.old]`), when that process is gone or the
    /// leftover is older than a day (a process of another host or container sharing the folder).
    func removeAbandonedStaging(in root: URL, now: Date = Date()) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return }
        for name in names where name.hasPrefix(".") {
            let parts = name.split(separator: ".")
            guard let pidIndex = parts.lastIndex(where: { Int32($0) != nil && $0.count < 11 }), pidIndex + 1 < parts.count,
                  parts[pidIndex + 1].count == 8, let pid = Int32(parts[pidIndex]) else { continue }
            let path = root.appendingPathComponent(name).path
            let gone = pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? now
            guard gone || now.timeIntervalSince(modified) > 86_400 else { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Renames `staging` to `folder`; an earlier rendering of the same run is moved aside first
    /// and removed after.
    private func replace(_ folder: URL, with staging: URL) throws(ReportWriteError) {
        if Foundation.rename(staging.path, folder.path) == 0 { return }
        guard errno == EEXIST || errno == ENOTEMPTY else { throw ReportWriteError(path: folder.path, errno: errno) }
        let aside = staging.appendingPathExtension("old")
        guard Foundation.rename(folder.path, aside.path) == 0 else { throw ReportWriteError(path: folder.path, errno: errno) }
        guard Foundation.rename(staging.path, folder.path) == 0 else {
            let code = errno
            _ = Foundation.rename(aside.path, folder.path)
            throw ReportWriteError(path: folder.path, errno: code)
        }
        try? FileManager.default.removeItem(at: aside)
    }

    /// Replaces `latest` by a link to `folderName` in one `rename(2)`.
    private func pointLatest(at folderName: String, in root: URL) throws(ReportWriteError) {
        let latest = root.appendingPathComponent("latest")
        let link = root.appendingPathComponent(".latest.\(getpid()).\(UUID().uuidString.prefix(8))")
        guard symlink(folderName, link.path) == 0 else { throw ReportWriteError(path: link.path, errno: errno) }
        // Reports written by 0.1.0 keep `latest` as a real folder: rename cannot put a link over a
        // folder, so the old one goes first (once).
        var status = stat()
        if lstat(latest.path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            let aside = root.appendingPathComponent(".latest-folder.\(getpid())")
            if Foundation.rename(latest.path, aside.path) == 0 { try? FileManager.default.removeItem(at: aside) }
        }
        guard Foundation.rename(link.path, latest.path) == 0 else {
            let code = errno
            unlink(link.path)
            throw ReportWriteError(path: latest.path, errno: code)
        }
    }

    private func attempt(_ path: String, _ body: () throws -> Void) throws(ReportWriteError) {
        do { try body() } catch {
            throw ReportWriteError(path: path, detail: ReportWriteError.reason(error))
        }
    }
}

/// The reports could not be written: where, and the system's reason.
public struct ReportWriteError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var detail: String

    init(path: String, detail: String) {
        self.path = path
        self.detail = detail
    }

    init(path: String, errno code: Int32) {
        self.init(path: path, detail: String(cString: strerror(code)))
    }

    /// The system's words for a Foundation file error (its POSIX cause when it has one).
    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        return nsError.localizedDescription
    }

    public var description: String { "cannot write \(path): \(detail)" }
}
