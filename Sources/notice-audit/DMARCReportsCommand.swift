import ArgumentParser
import Foundation
import NoticeAudit

/// `notice-audit dmarc-reports`: DMARC aggregate reports, ingested into the history and listed.
struct DMARCReportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dmarc-reports",
        abstract: "Ingest DMARC aggregate reports (what receivers saw) and list them.",
        subcommands: [Ingest.self, List.self]
    )

    /// `dmarc-reports ingest PATH...`.
    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read reports from files and folders (XML, .xml.gz, .zip) into the history.",
            discussion: """
                Both report formats are read: RFC 7489 Appendix C and RFC 9990 (by its namespace). A \
                report is stored once per reporting organization and report id: ingesting it again \
                adds nothing. A file that is not a report is refused with the reason; the rest of the \
                batch is kept. Exit status 0 when every input was read, 1 when some were refused, 2 \
                for a usage error, 3 when the history could not be written.
                """
        )

        @Argument(help: ArgumentHelp("Report files or folders (read recursively).", valueName: "path"))
        var paths: [String]

        @OptionGroup var history: HistoryOptions

        @Flag(help: "Machine-readable output on stdout: {files, reports, duplicates, records, rejected: [{path, reason}]}.")
        var json = false

        func run() async throws {
            let store = DMARCReportStore(database: try history.open(.readWrite))
            let summary: ReportIngester.Summary
            do {
                summary = try ReportIngester(store: store).ingest(paths: paths)
            } catch {
                throw CommandFailure.operational("error: \(error.message)")
            }
            if json {
                try JSONOutput.print(summary)
            } else {
                TerminalText.print("\(summary.files) file\(summary.files == 1 ? "" : "s"): \(summary.reports) new report\(summary.reports == 1 ? "" : "s") (\(summary.records) records), \(summary.duplicates) already stored, \(summary.rejected.count) refused")
                for item in summary.recovered { TerminalText.print("recovered \(item.path): \(item.reason)") }
                for item in summary.rejected { TerminalText.print("refused \(item.path): \(item.reason)") }
            }
            if !summary.rejected.isEmpty { throw CommandFailure.silent(1) }
        }
    }

    /// `dmarc-reports list --json`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every stored report, with its records, as JSON.")

        @Option(help: ArgumentHelp("Only reports about this policy domain.", valueName: "domain"))
        var domain: String?

        @Option(help: ArgumentHelp("Only reports whose interval ends on or after this day (YYYY-MM-DD, UTC).", valueName: "date"))
        var since: String?

        @OptionGroup var history: HistoryOptions

        @Flag(help: "Machine-readable output on stdout (the only output this command has).")
        var json = false

        func validate() throws {
            if let since, Self.day(since) == nil { throw ValidationError("--since \(since) is not a date such as 2026-12-01") }
            if !json { throw ValidationError("dmarc-reports list prints JSON: add --json") }
        }

        static func day(_ text: String) -> Date? {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate]
            return formatter.date(from: text)
        }

        func run() async throws {
            let store = DMARCReportStore(database: try history.open(.readOnly))
            let reports: [AggregateReport]
            do {
                reports = try store.reports(domain: domain, since: since.flatMap(Self.day))
            } catch {
                throw CommandFailure.operational("error: \(error.message)")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(reports), as: UTF8.self))
        }
    }
}
