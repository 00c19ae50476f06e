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
            abstract: "Read reports from files and folders (XML, .xml.gz, .zip, .eml, mbox) or an IMAP mailbox into the history.",
            discussion: """
                Both report formats are read: RFC 7489 Appendix C and RFC 9990 (by its namespace). A \
                report is stored once per reporting organization and report id: ingesting it again \
                adds nothing. A file that is not a report is refused with the reason; the rest of the \
                batch is kept. Exit status 0 when every input was read, 1 when some were refused, 2 \
                for a usage error, 3 when the history could not be written.
                """
        )

        @Argument(help: ArgumentHelp("Report files or folders (read recursively).", valueName: "path"))
        var paths: [String] = []

        @Option(help: ArgumentHelp("An IMAP mailbox over TLS to read instead of files: imaps://host[:port]/INBOX.", valueName: "url"))
        var imap: String?

        @Option(name: .customLong("imap-credentials-file"), help: ArgumentHelp("A file holding user:password for --imap; it must not be readable by group or others (chmod 600).", valueName: "path"))
        var imapCredentialsFile: String?

        @Option(name: .customLong("imap-move-to"), help: ArgumentHelp("Move each message read to this folder instead of flagging it \\Seen.", valueName: "folder"))
        var imapMoveTo: String?

        @OptionGroup var history: HistoryOptions
        @OptionGroup var network: NetworkOptions

        func validate() throws {
            if paths.isEmpty && imap == nil { throw ValidationError("give report files or folders, or --imap URL --imap-credentials-file FILE") }
            if !paths.isEmpty && imap != nil { throw ValidationError("give either files and folders or --imap, not both") }
            if imap != nil && imapCredentialsFile == nil { throw ValidationError("--imap needs --imap-credentials-file FILE (user:password, chmod 600)") }
            if imap == nil && (imapCredentialsFile != nil || imapMoveTo != nil) { throw ValidationError("--imap-credentials-file and --imap-move-to go with --imap") }
            if let imapCredentialsFile { _ = try Self.credentials(imapCredentialsFile) }
        }

        /// `user:password` from a file that group and others cannot read; never quotes its content.
        static func credentials(_ path: String) throws -> (user: String, password: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { throw ValidationError("the IMAP credentials file \(path) cannot be read") }
            guard info.st_mode & 0o077 == 0 else {
                throw ValidationError("the IMAP credentials file \(path) is readable by group or others (mode \(String(info.st_mode & 0o777, radix: 8))): run chmod 600 \(path)")
            }
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("the IMAP credentials file \(path) cannot be read") }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex else {
                throw ValidationError("the IMAP credentials file \(path) must hold one line user:password")
            }
            return (String(text[..<colon]), String(text[text.index(after: colon)...]))
        }

        func run() async throws {
            let store = DMARCReportStore(database: try history.open(.readWrite))
            let summary: ReportIngester.Summary
            do {
                if let imap, let imapCredentialsFile {
                    let (user, password) = try Self.credentials(imapCredentialsFile)
                    let resolver = try network.makeResolver()
                    defer { resolver.shutdown() }
                    let mailbox = try IMAPMailbox(url: imap, user: user, password: password, timeout: network.timeouts.mailboxSession, extraCAFile: network.caFile,
                                                  resolver: network.dnsServers.isEmpty ? nil : resolver)
                    summary = try await ReportIngester(store: store).ingest(mailbox: mailbox, moveTo: imapMoveTo)
                } else {
                    summary = try ReportIngester(store: store).ingest(paths: paths)
                }
            } catch let error as HistoryError {
                throw CommandFailure.operational("error: \(error.message)")
            } catch let error as IMAPError {
                throw CommandFailure.operational("error: \(error.description)")
            } catch let error as CurlSetupError {
                throw CommandFailure.operational("error: \(error.description)")
            }
            if network.json {
                try JSONOutput.print(summary)
            } else {
                TerminalText.print("\(summary.files) \(imap == nil ? "file" : "message")\(summary.files == 1 ? "" : "s"): \(summary.reports) new report\(summary.reports == 1 ? "" : "s") (\(summary.records) records), \(summary.duplicates) already stored, \(summary.rejected.count) refused")
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

        static func day(_ text: String) -> Date? { UTCTime.parseDay(text) }

        func run() async throws {
            let store = DMARCReportStore(database: try history.open(.readOnly))
            let reports: [AggregateReport]
            do {
                reports = try store.reports(domain: domain, since: since.flatMap(Self.day))
            } catch {
                throw CommandFailure.operational("error: \(error.message)")
            }
            // An object, not the bare list: every output carries its schema_version at the top.
            struct Output: Encodable { var reports: [AggregateReport] }
            try JSONOutput.print(Output(reports: reports))
        }
    }
}
