import ArgumentParser
import Foundation
import NoticeAudit

/// `notice-audit report [--run ID]`: re-render a past run from history.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Render the reports of a past run again (default: the latest): summary.md, trend.svg, the CSVs, scan.json, index.html and the letters.")

    @Option(help: "The run id.") var run: Int64?
    @Option(help: ArgumentHelp("Where reports go.", valueName: "dir")) var reports = "Reports"
    @Flag(name: .customLong("stdout"), help: "Print summary.md instead of writing files.") var toStdout = false
    @OptionGroup var history: HistoryOptions

    func run() async throws {
        let database = try history.open(.readOnly)
        let store = ScanStore(database: database)
        do {
            guard let id = try run ?? store.latestRun()?.id else { throw CommandFailure.usage("error: there is no run in \(history.path)") }
            // Printed from memory; written to files streaming from history (any number of institutions).
            let loaded = toStdout ? try ScanReport.load(run: id, store: store, catalogs: CatalogStore(database: database))
                : try ScanReport.streaming(run: id, store: store, catalogs: CatalogStore(database: database))
            guard let report = loaded else {
                throw CommandFailure.usage("error: there is no run \(id) in \(history.path)")
            }
            if toStdout {
                print(MarkdownReportRenderer.render(report))
            } else {
                let writer = ReportWriter(directory: reports)
                let path = try writer.write(report, updateLatest: false)
                // The run's report path follows the re-rendering, so the list of runs links to it.
                do { try ScanStore(database: try history.open(.readWrite)).setReportPath(path, run: id) } catch {
                    StandardError.write("warning: run \(id)'s report path could not be recorded in \(history.path): \(error)")
                }
                do { try writer.folders.writeRunIndex(consortium: report.run.consortium, runs: try store.reportedRuns()) } catch {
                    StandardError.write("warning: the list of runs (\(reports)/index.html) could not be refreshed: \(error)")
                }
                print("summary:   \(path)/summary.md")
                print("dashboard: \(path)/index.html")
            }
        } catch let error as HistoryError {
            throw CommandFailure.operational("error: \(error.message)")
        }
    }
}

/// `notice-audit history --institution ID`: one institution's timeline.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Print one institution's results over time.")

    @Option(help: "The institution id.") var institution: String
    @OptionGroup var history: HistoryOptions
    @Flag(help: "Machine-readable output on stdout.") var json = false

    func run() async throws {
        let entries: [(run: Int64, startedAt: Date, trigger: String, runStatus: String, result: InstitutionResult)]
        do { entries = try ScanStore(database: try history.open(.readOnly)).timeline(institution: institution) } catch let error as HistoryError {
            throw CommandFailure.operational("error: \(error.message)")
        }
        if json {
            struct Entry: Encodable {
                var run: Int64, startedAt: String, trigger: String, status: String, change: String, spfResult: String?, relayStatus: String?, findings: [String]
                enum CodingKeys: String, CodingKey { case run, trigger, status, change, findings, startedAt = "started_at", spfResult = "spf_result", relayStatus = "relay_status" }
            }
            // An object, not the bare list: every output carries its schema_version at the top.
            struct Output: Encodable { var institution: String; var entries: [Entry] }
            try JSONOutput.print(Output(institution: institution, entries: entries.map { Entry(run: $0.run, startedAt: $0.startedAt.iso8601, trigger: $0.trigger, status: $0.result.status.rawValue, change: $0.result.change.rawValue,
                                                     spfResult: $0.result.spfResult?.rawValue, relayStatus: $0.result.relayStatus?.rawValue, findings: $0.result.findings.map(\.code.rawValue)) }))
            return
        }
        if entries.isEmpty { print("no result for \(institution) in \(history.path)") }
        for entry in entries {
            let result = entry.result
            var line = "run \(entry.run) \(entry.startedAt.iso8601) \(entry.trigger): \(result.status.rawValue) (\(result.change.rawValue))"
            if let spf = result.spfResult { line += " spf=\(spf.rawValue)" }
            if let relay = result.relayStatus { line += " relay=\(relay.rawValue)" }
            if !result.findings.isEmpty { line += " " + result.findings.map(\.code.rawValue).joined(separator: ",") }
            print(line)
        }
    }
}
