import ArgumentParser
import Foundation
import Logging
import NoticeAudit
import Synchronization

/// `notice-audit scan`: the nightly job.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Check every institution (or some) and write the reports.",
        discussion: """
            Writes REPORTS/<run>/summary.md, trend.svg, summary.csv, findings.csv, scan.json, \
            index.html (the dashboard) and institutions/ID.md (a letter to campus IT for each \
            institution not compliant), refreshes REPORTS/latest and REPORTS/index.html, and prints a \
            digest: the counts, the changes, one line per institution not compliant. Exit status: 0 all compliant; 1 some noncompliant or unknown; 2 usage \
            error or invalid inventory (nothing scanned); 3 the scan could not run or was aborted.
            """
    )

    @Option(help: ArgumentHelp("The inventory.", valueName: "path"))
    var inventory = "inventory.json"

    @Option(name: .customLong("institution"), help: ArgumentHelp("Scan only this institution (repeatable): an ad-hoc rescan.", valueName: "id"))
    var institutions: [String] = []

    @Option(help: ArgumentHelp("Where reports go.", valueName: "dir"))
    var reports = "Reports"

    @Option(name: .customLong("catalog-url"), help: ArgumentHelp("The Ex Libris page.", valueName: "url"))
    var catalogURL = CatalogFetcher.defaultURL

    @Option(help: "Institutions checked at once.")
    var concurrency = 16

    @Option(name: .customLong("institution-deadline"), help: ArgumentHelp("Seconds one institution may take before its verdict is unknown.", valueName: "seconds"))
    var institutionDeadline: Double = 120

    @Option(help: "scheduled or manual (an --institution run is adhoc).")
    var trigger = "manual"

    @Option(name: .customLong("keep-days"), help: ArgumentHelp("Delete runs older than this many days.", valueName: "days"))
    var keepDays: Int?

    @Option(name: .customLong("notify-webhook"), help: ArgumentHelp("POST a short JSON summary here when an institution regressed or the Ex Libris catalog changed (Slack/Teams compatible). A webhook URL is a credential: prefer --notify-webhook-file or NOTICE_AUDIT_WEBHOOK_URL, which no process listing shows.", valueName: "url"))
    var notifyWebhook: String?

    @Option(name: .customLong("notify-webhook-file"), help: ArgumentHelp("A file (mode 0600) whose first line is the webhook URL.", valueName: "path"))
    var notifyWebhookFile: String?

    @Option(name: .customLong("metrics-file"), help: ArgumentHelp("Write Prometheus text-format gauges (notice_audit_*) here, through a temporary file and a rename (node_exporter's textfile collector), whatever the outcome; an --institution rescan leaves it alone.", valueName: "path"))
    var metricsFile: String?

    @OptionGroup var history: HistoryOptions
    @OptionGroup var network: NetworkOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        guard institutionDeadline > 0 else { throw ValidationError("--institution-deadline must be positive") }
        guard ScanTrigger(rawValue: trigger) != nil, trigger != "adhoc" else { throw ValidationError("--trigger must be scheduled or manual") }
        if let keepDays, keepDays < 1 { throw ValidationError("--keep-days must be at least 1") }
        if notifyWebhook != nil, notifyWebhookFile != nil { throw ValidationError("give --notify-webhook or --notify-webhook-file, not both") }
    }

    /// Marks `run` aborted, waiting at most `limit` for the database (another write may hold it);
    /// true when it was recorded. A run left `running` is marked by the next scan (heartbeat).
    static func markAborted(_ run: Int64, in store: ScanStore, within limit: Duration) -> Bool {
        let recorded = Mutex(false)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do {
                try store.finishRun(run, status: .aborted)
                recorded.withLock { $0 = true }
            } catch {
                // Not recorded: said by the caller's message.
            }
            done.signal()
        }
        _ = done.wait(timeout: .now() + Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18)
        return recorded.withLock { $0 }
    }

    /// The webhook URL: the flag, the file, or `NOTICE_AUDIT_WEBHOOK_URL`, in that order.
    func webhookURL() throws -> String? {
        if let notifyWebhook { return notifyWebhook }
        if let notifyWebhookFile {
            guard let text = try? String(contentsOfFile: notifyWebhookFile, encoding: .utf8),
                  let line = text.split(whereSeparator: \.isNewline).first.map({ $0.trimmingCharacters(in: .whitespaces) }), !line.isEmpty else {
                throw CommandFailure.usage("error: --notify-webhook-file \(notifyWebhookFile) cannot be read or holds no URL")
            }
            return line
        }
        let fromEnvironment = ProcessInfo.processInfo.environment["NOTICE_AUDIT_WEBHOOK_URL"]
        return fromEnvironment?.isEmpty == false ? fromEnvironment : nil
    }

    func run() async throws {
        let logger = logging.bootstrap()
        let started = Date()
        do {
            let outcome = try await scan(logger: logger)
            let report = outcome.report
            writeMetrics(report: report, started: started, dnsQueries: report.run.dnsQueries, status: report.exitStatus, logger: logger)
            if report.exitStatus != 0 { throw CommandFailure.silent(report.exitStatus) }
        } catch let failure as CommandFailure where failure.exitStatus <= 1 {
            throw failure
        } catch {
            let status = NoticeAuditCommand.outcome(of: error).status
            writeMetrics(report: nil, started: started, dnsQueries: recordedQueries(of: error), status: status, logger: logger)
            throw error
        }
    }

    /// The DNS queries of the run `error` ended, as history recorded them; nil when no run began.
    func recordedQueries(of error: any Error) -> Int? {
        guard let run = (error as? ScanJob.Interrupted)?.run ?? (error as? ScanJob.ReportsNotWritten)?.run,
              let database = try? history.open(.readOnly) else { return nil }
        return try? ScanStore(database: database).run(id: run)?.dnsQueries
    }

    /// `--metrics-file`, when given; a failure to write it is logged, never changes the exit status.
    /// An ad-hoc rescan (`--institution`) leaves the consortium's metrics alone.
    func writeMetrics(report: ScanReport?, started: Date, dnsQueries: Int?, status: Int32, logger: Logger) {
        guard let metricsFile else { return }
        guard institutions.isEmpty else {
            logger.info("an ad-hoc rescan leaves the metrics file alone", metadata: ["scan.metrics_file": "\(metricsFile)"])
            return
        }
        let finished = Date()
        let age = report?.catalog?.snapshot.map { finished.timeIntervalSince($0.fetchedAt) }
        let sample = MetricsRenderer.Sample(report: report, startedAt: started, finishedAt: finished, catalogAgeSeconds: age, dnsQueries: dnsQueries, exitStatus: status)
        do { try MetricsRenderer(sample).write(to: metricsFile) } catch {
            logger.error("the metrics could not be written: \(error)")
        }
    }

    /// The scan itself: returns the finished job; throws what ends the command otherwise.
    func scan(logger: Logger) async throws -> ScanJob.Outcome {
        var loaded: Inventory
        do {
            let (inventory, warnings) = try InventoryLoader.load(path: self.inventory)
            for warning in warnings { logger.warning("inventory \(warning.path): \(warning.message)\(warning.hint.map { " Fix: \($0)" } ?? "")") }
            loaded = inventory
        } catch {
            throw CommandFailure.usage("error: \(error)")
        }
        let unknown = institutions.filter { loaded.institution(id: $0) == nil }
        if !unknown.isEmpty { throw CommandFailure.usage("error: no institution with id \(unknown.joined(separator: ", ")) in \(self.inventory)") }

        let database = try history.open(.readWrite)
        let resolver = try network.makeResolver()
        defer { resolver.shutdown() }
        let client: CurlHTTPClient, probe: SMTPProbe
        do {
            client = try network.makeHTTPClient(resolver: resolver)
            probe = try network.makeSMTPProbe(resolver: resolver)
        } catch {
            throw CommandFailure.operational("error: \(error)")
        }
        let store = ScanStore(database: database)
        var options = ScanOptions()
        options.concurrency = concurrency
        options.institutionDeadline = .milliseconds(Int64(institutionDeadline * 1000))
        options.trigger = ScanTrigger(rawValue: trigger) ?? .manual
        options.catalogURL = catalogURL
        // What receivers reported (dmarc-reports ingest): read beside the verdicts, never needed.
        var observations: ReceiverObservations?
        do {
            observations = try ReceiverObservations.load(from: DMARCReportStore(database: database))
        } catch {
            logger.warning("the DMARC reports in the history cannot be read (\(error.message)); the scan goes on without them")
        }
        let scanner = Scanner(
            resolver: resolver, fetcher: CatalogFetcher(client: client, store: CatalogStore(database: database)),
            checker: InstitutionChecker(resolver: resolver, probe: probe, scannerAddresses: loaded.scannerAddresses, blocklistZones: loaded.blocklistZones,
                                        observations: observations, reportAddress: loaded.reportAddress),
            store: store, options: options)
        let job = ScanJob(scanner: scanner, database: database, reportsDirectory: reports, keepDays: keepDays,
                          webhook: try webhookURL().map { WebhookNotifier(url: $0, client: client) })

        logger.info("scan started", metadata: ["scan.institutions": "\(institutions.isEmpty ? loaded.institutions.count : institutions.count)"])
        if !PublicSuffixList.standard.isComplete {
            logger.warning("the Public Suffix List (\(PublicSuffixList.systemPath)) cannot be read; DMARC relaxed alignment uses a short built-in list. Fix: install the publicsuffix package")
        }
        let terminal = isatty(STDERR_FILENO) == 1
        let selection = institutions.isEmpty ? nil : institutions
        let currentRun = Mutex<Int64?>(nil)
        // The job frees the inventory once the institutions are checked; nothing here keeps a copy.
        let handoff = InventoryHandoff(loaded)
        loaded = Inventory(consortium: "", institutions: [])
        let task = Task { () throws -> ScanJob.Outcome in
            try await job.run(inventory: handoff, selection: selection, runStarted: { id in currentRun.withLock { $0 = id } }) { done, total in
                if terminal { FileHandle.standardError.write(Data("\r[\(done)/\(total)] institutions checked".utf8)) }
            }
        }
        // The first SIGINT/SIGTERM cancels the scan, which records the run as aborted and writes
        // what it finished; a second one does not wait for that.
        let signals = TerminationSignals.handle { count in
            if count == 1 {
                task.cancel()
                return
            }
            let run = currentRun.withLock { $0 }
            let recorded = run.map { Self.markAborted($0, in: store, within: .seconds(2)) } ?? false
            let what = run.map { recorded ? "; run \($0) is recorded as aborted" : "; run \($0) could not be marked aborted now (the database is busy): the next scan will mark it" } ?? ""
            StandardError.write("\nnotice-audit: stopped at once by a second signal\(what).")
            Foundation.exit(CommandFailure.operationalStatus)
        }
        defer { signals.forEach { $0.cancel() } }

        let outcome: ScanJob.Outcome
        do {
            outcome = try await task.value
        } catch let interrupted as ScanJob.Interrupted {
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            guard let run = interrupted.run else {
                throw CommandFailure.operational("notice-audit: the scan was interrupted before it recorded a run.")
            }
            throw CommandFailure.operational("notice-audit: the scan was interrupted; run \(run) is recorded as aborted with \(interrupted.institutionsChecked) institutions checked\(interrupted.reportFolder.map { " (report: \($0))" } ?? "").")
        } catch let failed as ScanJob.ReportsNotWritten {
            throw CommandFailure.operational("error: the reports of run \(failed.run) could not be written: \(failed.underlying); \(reports)/latest still shows the previous run. Run `notice-audit report --run \(failed.run) --db \(history.path) --reports \(reports)` once the cause is fixed.")
        }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        let report = outcome.report, path = outcome.reportFolder
        if let failure = outcome.webhookFailure { logger.error("\(failure)") }
        if let failure = outcome.pruneFailure { logger.warning("\(failure)") }
        logger.info("scan finished", metadata: ["scan.run_id": "\(report.run.id)", "scan.report": "\(path)", "scan.reports_rendered": "\(outcome.reportsRendered)"])
        if let failure = outcome.indexFailure { logger.warning("\(failure)") }
        ScanDigest(report: report, reportFolder: path).write { print($0) }
        return outcome
    }
}
