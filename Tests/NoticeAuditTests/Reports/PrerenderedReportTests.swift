import Foundation
import Testing
@testable import NoticeAudit

/// A run's reports rendered while its institutions are checked (issue 22), results arriving in any
/// order, must be the very files the in-memory renderers and the streaming writer make of the run,
/// and a letter that a run-level cause (known before any institution) makes needless is never written.
@Suite("reports rendered while the scan checks")
struct PrerenderedReportTests {
    private static let catalog = CatalogStatus(snapshot: nil, catalog: DefaultRelayCatalog.catalog, isStale: false, lastError: nil, lastAttemptAt: nil)

    private static func result(_ id: String, _ status: ComplianceStatus, name: String? = nil) -> InstitutionResult {
        var result = ScanStoreTests.result(id, status)
        result.name = name ?? "Library <\(id)> & \"co\""
        return result
    }

    /// A result of region `region` decided by `code`, a cause that is not the campus's.
    private static func result(_ id: String, _ status: ComplianceStatus, decidedBy code: FindingCode, region: AlmaRegion) -> InstitutionResult {
        var result = result(id, status)
        var finding = Finding(code: code, severity: .error, target: region.code, message: "m", remediation: "r", campusCanFix: false)
        finding.decisive = true
        result.findings = [finding]
        result.region = region
        return result
    }

    /// Three runs of history, then run 3 recorded in a scrambled order and rendered as it goes.
    /// `causes`: run 3's run-level findings, known before any institution, as the scanner records them.
    private static func history(in directory: TemporaryDirectory, causes: [Finding] = []) throws -> (store: ScanStore, catalogs: CatalogStore, run: Int64) {
        let database = try HistoryDatabase(path: directory.url.appendingPathComponent("h.sqlite").path)
        let store = ScanStore(database: database)
        let first = try store.beginRun(trigger: .scheduled, consortium: "T & <C>", selection: nil, catalog: catalog, notes: [], now: Date().addingTimeInterval(-2 * 86_400))
        for (id, status) in [("a", ComplianceStatus.compliant), ("b", .noncompliant), ("c", .unknown), ("z", .compliant)] {
            _ = try store.record(result(id, status), run: first)
        }
        try store.finishRun(first, status: .completed)
        let second = try store.beginRun(trigger: .scheduled, consortium: "T & <C>", selection: nil, catalog: catalog, notes: [], now: Date().addingTimeInterval(-86_400))
        for (id, status) in [("a", ComplianceStatus.noncompliant), ("b", .noncompliant), ("c", .compliant), ("d", .unknown), ("z", .compliant)] {
            _ = try store.record(result(id, status), run: second)
        }
        try store.finishRun(second, status: .completed)
        return (store, CatalogStore(database: database), try store.beginRun(trigger: .scheduled, consortium: "T & <C>", selection: nil, catalog: catalog, notes: [], findings: causes))
    }

    /// The history of ``history(in:)`` and run 3's rendering begun in `directory/Reports`.
    private static func rendering(in directory: TemporaryDirectory, causes: [Finding] = []) throws
        -> (store: ScanStore, catalogs: CatalogStore, run: Int64, writer: ReportWriter, rendering: PrerenderedReport) {
        let (store, catalogs, run) = try history(in: directory, causes: causes)
        let writer = ReportWriter(directory: directory.url.appendingPathComponent("Reports").path)
        return (store, catalogs, run, writer, try PrerenderedReport.begin(run: run, store: store, catalogs: catalogs, writer: writer))
    }

    @Test func filesAreTheInMemoryAndTheStreamedRenderingAndExplainedLettersGo() throws {
        let directory = try TemporaryDirectory()
        // "b" is explained by a run-level cause, known before any institution is checked.
        var cause = Finding(code: .catalogNoAddress, severity: .error, target: "EU", message: "m", remediation: "r", campusCanFix: false)
        let (store, catalogs, run, writer, rendering) = try Self.rendering(in: directory, causes: [cause])
        // Completion order is not report order; ids chosen so that byte order matters ("B" < "a").
        let third: [(String, ComplianceStatus)] = [("z", .compliant), ("d", .noncompliant), ("a", .noncompliant), ("c", .unknown), ("B", .noncompliant),
                                                   ("b", .noncompliant), ("e", .compliant), ("c2", .unknown)]
        for (index, (id, status)) in third.enumerated() {
            // As the scan hands them (the result with its change), or as a row only (read back from history).
            let recorded = try store.recordRow(id == "b" ? Self.result(id, status, decidedBy: .spfRelaysUnknown, region: .europe) : Self.result(id, status), run: run)
            if index.isMultiple(of: 2) { rendering.add(recorded) } else { rendering.add(row: recorded.row) }
        }
        // The end of the run names the institutions each cause explains.
        cause.institutions = ["b"]
        try store.setRunFindings([cause], run: run)
        try store.finishRun(run, status: .completed)
        let finished = try rendering.finish(results: third.count)
        #expect(!FileManager.default.fileExists(atPath: finished.staging + "/institutions/b.md"), "no letter is written for an institution a known cause explains")
        let streamed = try #require(try ScanReport.streaming(run: run, store: store, catalogs: catalogs))
        let (folder, report) = try writer.writeSummarized(streamed, updateLatest: true, prerendered: finished)
        #expect(!FileManager.default.fileExists(atPath: finished.staging))

        let memory = try #require(try ScanReport.load(run: run, store: store, catalogs: catalogs))
        #expect(report.summaries.map(\.institutionID) == ["B", "a", "b", "d", "c", "c2", "e", "z"])
        #expect(report.summaries == memory.summaries)
        func file(_ name: String) throws -> String { try String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8) }
        #expect(try file("summary.md") == MarkdownReportRenderer.render(memory))
        #expect(try file("summary.csv") == CSVReportRenderer.summary(memory))
        #expect(try file("findings.csv") == CSVReportRenderer.findings(memory))
        #expect(try file("scan.json") == JSONReportRenderer.render(memory))
        #expect(try file("index.html") == DashboardRenderer.render(memory))
        #expect(try file("trend.svg") == TrendChart(memory.trend).svg(standalone: true))
        let addressees = CampusLetterRenderer.addressees(memory)
        #expect(addressees.map(\.institutionID).sorted() == ["B", "a", "c", "c2", "d"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/institutions").sorted() == addressees.map { "\($0.institutionID).md" }.sorted())
        for result in addressees {
            #expect(try file("institutions/\(result.institutionID).md") == CampusLetterRenderer.render(result, report: memory))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { !$0.hasPrefix(".") }, "no spill is left")

        // The streaming writer, after the run, makes the same files.
        let again = ReportWriter(directory: directory.url.appendingPathComponent("Again").path)
        let (againFolder, _) = try again.writeSummarized(try #require(try ScanReport.streaming(run: run, store: store, catalogs: catalogs)))
        for name in ["summary.md", "summary.csv", "findings.csv", "scan.json", "index.html", "trend.svg", "institutions/a.md", "institutions/c2.md"] {
            #expect(try String(contentsOfFile: "\(againFolder)/\(name)", encoding: .utf8) == file(name), "\(name)")
        }
    }

    /// When every letter is explained, no `institutions/` folder is left, as the streaming writer leaves none.
    @Test func noLettersFolderWhenEveryLetterIsExplained() throws {
        let directory = try TemporaryDirectory()
        var cause = Finding(code: .dnsUnreachable, severity: .error, target: "dns", message: "m", remediation: "r", campusCanFix: false)
        let (store, catalogs, run, writer, rendering) = try Self.rendering(in: directory, causes: [cause])
        rendering.add(row: try store.recordRow(Self.result("b", .unknown, decidedBy: .spfTemperror, region: .northAmerica), run: run).row)
        rendering.add(row: try store.recordRow(Self.result("a", .compliant), run: run).row)
        cause.institutions = ["b"]
        try store.setRunFindings([cause], run: run)
        let finished = try rendering.finish(results: 2)
        let (folder, _) = try writer.writeSummarized(try #require(try ScanReport.streaming(run: run, store: store, catalogs: catalogs)), prerendered: finished)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["findings.csv", "index.html", "scan.json", "summary.csv", "summary.md", "trend.svg"])
    }

    /// A result recorded but never handed over (or one that failed) leaves the reports to the
    /// streaming path: `finish` says why and removes the staging folder; `discard` removes it too.
    @Test func aMissingResultSendsTheReportsTheStreamingWay() throws {
        let directory = try TemporaryDirectory()
        let (store, catalogs, run, writer, rendering) = try Self.rendering(in: directory)
        rendering.add(row: try store.recordRow(Self.result("a", .compliant), run: run).row)
        _ = try store.recordRow(Self.result("b", .noncompliant), run: run)
        #expect(FileManager.default.fileExists(atPath: rendering.staging))
        let error = #expect(throws: HistoryError.self) { try rendering.finish(results: store.resultCount(run: run)) }
        #expect(error?.message == "1 of the run's 2 results were rendered")
        #expect(!FileManager.default.fileExists(atPath: rendering.staging))

        let other = try PrerenderedReport.begin(run: run, store: store, catalogs: catalogs, writer: writer)
        other.add(row: 999_999)
        #expect(throws: HistoryError.self) { try other.finish(results: 1) }
        #expect(!FileManager.default.fileExists(atPath: other.staging))
        let discarded = try PrerenderedReport.begin(run: run, store: store, catalogs: catalogs, writer: writer)
        discarded.discard()
        #expect(!FileManager.default.fileExists(atPath: discarded.staging))
    }
}
