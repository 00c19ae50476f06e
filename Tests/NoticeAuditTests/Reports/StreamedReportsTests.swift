import Foundation
import Testing
@testable import NoticeAudit

/// The reports a scan writes stream its results from history one at a time (issue 22); they must
/// be the very text the renderers make of the same run held in memory, and history's and
/// scan.json's JSON the text Foundation's `JSONEncoder` writes. The lab's demo consortium, two
/// runs: changes, findings, DKIM keys, both DMARC readings, the receivers' rules, relay probes,
/// letters and histories.
@Suite("streamed reports (the binary and the lab)", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct StreamedReportsTests {
    @Test func streamedFilesAreTheInMemoryRenderingAndFoundationsJSON() async throws {
        let directory = try TemporaryDirectory()
        _ = try await ScanEndToEndTests.scan("inventory.json", in: directory)
        let second = try await ScanEndToEndTests.scan("inventory-run2.json", in: directory, extra: ["--log-level", "info"])
        // Run 2's files were rendered while it checked (``PrerenderedReport``), not by the fallback.
        #expect(second.stderr.contains("scan.reports_rendered=while checking"), "\(second.stderr)")
        let database = try HistoryDatabase(path: directory.url.appendingPathComponent("history.sqlite").path, access: .readOnly)
        let store = ScanStore(database: database)
        let report = try #require(try ScanReport.load(run: 2, store: store, catalogs: CatalogStore(database: database)))
        let results = report.results
        #expect(results.count > 30)
        #expect(results.contains { $0.inbox != nil } && results.contains { $0.dkimKeys?.isEmpty == false } && results.contains { $0.relay != nil })
        #expect(results.contains { $0.change == .regressed } && results.contains { $0.change == .fixed })

        // History's detail and scan.json's institutions, encoder against encoder.
        for result in results {
            #expect(try JSONTextEncoderTests.ours(history: true).encodeString(result) == JSONTextEncoderTests.foundation(JSONTextEncoderTests.historySorted, result))
            #expect(try JSONTextEncoderTests.oursScanJSON().encodeString(result) == JSONTextEncoderTests.foundation(JSONTextEncoderTests.scanJSON, result))
            let unsorted = try JSONTextEncoderTests.ours(history: false).encode(result)
            #expect(try JSONDecoder().decode(InstitutionResult.self, from: Data(unsorted)) == result)
            // History read back, whichever encoder wrote it (history's detail is sorted).
            let sortedText = try JSONTextEncoderTests.foundation(JSONTextEncoderTests.historySorted, result)
            #expect(try JSONDecoder().decode(InstitutionResult.self, from: Data(sortedText.utf8)) == result)
        }

        // Every file of run 2's folder, as the scan streamed it, against the in-memory rendering.
        let folder = directory.url.appendingPathComponent("Reports/latest")
        func file(_ name: String) throws -> String { try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) }
        #expect(try file("scan.json") == (try JSONTextEncoderTests.foundation(JSONTextEncoderTests.scanJSON, JSONReportRenderer.document(report, institutions: results))) + "\n")
        #expect(try file("scan.json") == (try JSONReportRenderer.render(report)))
        #expect(try file("summary.md") == MarkdownReportRenderer.render(report))
        #expect(try file("summary.csv") == CSVReportRenderer.summary(report))
        #expect(try file("findings.csv") == CSVReportRenderer.findings(report))
        #expect(try file("index.html") == DashboardRenderer.render(report))
        #expect(try file("trend.svg") == TrendChart(report.trend).svg(standalone: true))
        let addressees = CampusLetterRenderer.addressees(report)
        #expect(!addressees.isEmpty)
        let letters = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("institutions").path).sorted()
        #expect(letters == addressees.map { "\($0.institutionID).md" }.sorted())
        for result in addressees {
            #expect(try file("institutions/\(result.institutionID).md") == CampusLetterRenderer.render(result, report: report))
        }
        // No part file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.hasPrefix(".") })

        // `report` re-renders the run the same way.
        let again = directory.url.appendingPathComponent("again").path
        let rerun = try await CommandRunner.run(["report", "--run", "2", "--db", directory.url.appendingPathComponent("history.sqlite").path, "--reports", again])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let rendered = try #require(try FileManager.default.contentsOfDirectory(atPath: again).first { $0.hasSuffix("-run2") })
        for name in ["summary.md", "summary.csv", "findings.csv", "scan.json", "index.html"] {
            #expect(try String(contentsOfFile: "\(again)/\(rendered)/\(name)", encoding: .utf8) == file(name), "\(name)")
        }
    }
}

/// What the reports used Foundation's formatters and regular expressions for, done by hand (issue 22:
/// each loaded ICU data), compared with them.
struct ReportTextByHandTests {
    static let written: [(pattern: String, format: @Sendable (Date) -> String)] = [
        ("yyyy-MM-dd'T'HHmmss'Z'", UTCTime.folderName), ("yyyy-MM-dd HH:mm 'UTC'", UTCTime.minute), ("yyyy-MM-dd", UTCTime.day),
        ("yyyy-MM-dd'T'HH:mm:ss'Z'", UTCTime.iso8601),
    ]

    static func formatter(_ pattern: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter
    }

    @Test(arguments: 0..<4)
    func datesFormattedAsDateFormatterFormatsThem(_ index: Int) {
        let (pattern, format) = Self.written[index]
        let formatter = Self.formatter(pattern)
        var generator = SeededGenerator(seed: 22)
        for _ in 0..<500 {
            let date = Date(timeIntervalSince1970: Double.random(in: 0...4_102_444_800, using: &generator))
            #expect(format(date) == formatter.string(from: date), "\(pattern)")
            if index == 3 { #expect(format(date) == ISO8601DateFormatter().string(from: date)) }
            if index == 0 { #expect(UTCTime.parseFolderName(format(date)) == formatter.date(from: format(date))) }
        }
    }

    @Test(arguments: [1, 3])
    func fixedPointNumbersAsStringFormatWritesThem(_ decimals: Int) {
        var generator = SeededGenerator(seed: 34)
        let values = [0, 0.05, 0.15, 0.25, 2.25, 2.35, -0.05, 1e15, 1_796_658_699.489] + (0..<2000).map { _ in Double.random(in: -1000...1000, using: &generator) }
            + (0..<500).map { _ in Double(Int.random(in: 0...4000, using: &generator)) / 20 }
        for value in values {
            #expect(FixedPoint.text(value, decimals: decimals) == String(format: "%.\(decimals)f", value), "\(value)")
        }
    }

    /// The dates read without Foundation's formatters (each loads ICU): as they read them.
    @Test func datesReadAsFoundationsFormattersReadThem() {
        var generator = SeededGenerator(seed: 341)
        let iso = ISO8601DateFormatter()
        let certificate = Self.formatter("MMM d HH:mm:ss yyyy")
        for _ in 0..<800 {
            let date = Date(timeIntervalSince1970: Double(Int.random(in: 0...4_102_444_800, using: &generator)))
            let offset = Int.random(in: -14...14, using: &generator) * 3600 + [0, 1800, 2700].randomElement(using: &generator)!
            let zoned = ISO8601DateFormatter()
            zoned.timeZone = TimeZone(secondsFromGMT: offset)
            for text in [iso.string(from: date), zoned.string(from: date)] {
                #expect(UTCTime.parseISO8601(text) == iso.date(from: text), "\(text)")
            }
            let printed = certificate.string(from: date) + " GMT"
            #expect(UTCTime.parseCertificateDate(printed) == date, "\(printed)")
            let padded = printed.replacingOccurrences(of: "  ", with: " ")
            #expect(UTCTime.parseCertificateDate(padded) == date)
        }
        for bad in ["2026-13-01T00:00:00Z", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00", "x026-01-01T00:00:00Z", ""] {
            #expect(UTCTime.parseISO8601(bad) == nil && iso.date(from: bad) == nil, "\(bad)")
        }
        // Where the formatter rolls a date that does not exist over (February 30th is March 2nd), it is refused.
        for impossible in ["2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+25:00"] {
            #expect(UTCTime.parseISO8601(impossible) == nil && iso.date(from: impossible) != nil, "\(impossible)")
        }
        #expect(UTCTime.parseCertificateDate("Feb 30 00:00:00 2026 GMT") == nil && UTCTime.parseCertificateDate("Dec 26 17:21:00 2026 CET") == nil)
    }

    @Test func runFolderNamesMatchedAsTheRegularExpressionMatchesThem() {
        let names = ["2026-11-26T030000Z-run12", "2026-11-26T030000Z-run", "2026-11-26T030000Z-run1x", ".2026-11-26T030000Z-run1", "2026-11-26T0300Z-run12",
                     "latest", "index.html", "2026-1a-26T030000Z-run1", "2026-11-26T030000Z-run123456", "x2026-11-26T030000Z-run1", "2026-11-26T030000ZXrun1", ""]
        for name in names {
            let expected = !name.hasPrefix(".") && name.range(of: #"^\d{4}-\d{2}-\d{2}T\d{6}Z-run\d+$"#, options: .regularExpression) != nil
            #expect(RunIndexRenderer.isRunFolder(name) == expected, "\(name)")
        }
    }

    @Test func asciiReplacedAsFoundationReplacesIt() {
        let texts = ["", "plain", "a,\"b\"", "\"\"", "é\"😀\"x", "line\nnext\tcell|pipe\\slash", "\\\\", "ünïcödé | ä\n"]
        for text in texts {
            for (character, replacement) in [("\"", "\"\""), ("\n", " "), ("\t", "\\t"), ("|", "\\|"), ("\\", "\\\\"), ("x", "")] as [(Unicode.Scalar, String)] {
                #expect(text.replacingASCII(character, with: replacement) == text.replacingOccurrences(of: String(character), with: replacement), "\(text)")
            }
        }
    }

    @Test func dkimKeyWhitespaceRemovedAsCharacterFilteringRemovesIt() {
        let keys = ["MIIB IjAN\tBgkq\r\n hkiG9w0B", "abc\u{0B}def\u{0C}", "", "   ", "AAAA\u{00A0}BBBB", "AA\u{2003}BB CC", "é é"]
        for key in keys {
            #expect(DKIMKeyRecord.withoutWhitespace(key) == key.filter { !$0.isWhitespace }, "\(key.debugDescription)")
        }
    }
}
