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
            Writes REPORTS/<run>/summary.md, summary.csv, findings.csv and scan.json, and refreshes \
            REPORTS/latest/. Exit status: 0 all compliant; 1 some noncompliant or unknown; 2 usage \
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
        let loaded: Inventory
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
            client = try CurlHTTPClient(timeout: network.timeoutDuration * 4, connectTimeout: network.timeoutDuration, extraCAFile: network.caFile, resolver: resolver)
            probe = try SMTPProbe(resolver: resolver, timeout: network.timeoutDuration, extraCAFile: network.caFile)
        } catch {
            throw CommandFailure.operational("error: \(error)")
        }
        let store = ScanStore(database: database)
        var options = ScanOptions()
        options.concurrency = concurrency
        options.institutionDeadline = .milliseconds(Int64(institutionDeadline * 1000))
        options.trigger = ScanTrigger(rawValue: trigger) ?? .manual
        options.catalogURL = catalogURL
        let scanner = Scanner(
            resolver: resolver, fetcher: CatalogFetcher(client: client, store: CatalogStore(database: database)),
            checker: InstitutionChecker(resolver: resolver, probe: probe),
            store: store, options: options)

        logger.info("scan started", metadata: ["scan.institutions": "\(institutions.isEmpty ? loaded.institutions.count : institutions.count)"])
        if !PublicSuffixList.standard.isComplete {
            logger.warning("the Public Suffix List (\(PublicSuffixList.systemPath)) cannot be read; DMARC relaxed alignment uses a short built-in list. Fix: install the publicsuffix package")
        }
        let terminal = isatty(STDERR_FILENO) == 1
        let selection = institutions.isEmpty ? nil : institutions
        let currentRun = Mutex<Int64?>(nil)
        let task = Task { () throws -> ScanOutcome in
            try await scanner.run(inventory: loaded, selection: selection, runStarted: { id in currentRun.withLock { $0 = id } }) { done, total in
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

        let outcome: ScanOutcome
        do {
            outcome = try await task.value
        } catch is CancellationError {
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            guard let run = currentRun.withLock({ $0 }) else {
                throw CommandFailure.operational("notice-audit: the scan was interrupted before it recorded a run.")
            }
            guard let report = try ScanReport.load(run: run, store: store, catalogs: CatalogStore(database: database)) else {
                throw CommandFailure.operational("notice-audit: the scan was interrupted; run \(run) is recorded as aborted.")
            }
            let path = try? ReportWriter(directory: reports).write(report, updateLatest: false)
            throw CommandFailure.operational("notice-audit: the scan was interrupted; run \(run) is recorded as aborted with \(report.results.count) institutions checked\(path.map { " (report: \($0))" } ?? "").")
        }
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        guard let report = try ScanReport.load(run: outcome.run.id, store: store, catalogs: CatalogStore(database: database)) else {
            throw CommandFailure.operational("error: run \(outcome.run.id) vanished from \(history.path)")
        }
        let path: String
        do {
            path = try ReportWriter(directory: reports).write(report)
        } catch {
            throw CommandFailure.operational("error: the reports of run \(outcome.run.id) could not be written: \(error); Reports/latest still shows the previous run. Run `notice-audit report --run \(outcome.run.id) --db \(history.path)` once the cause is fixed.")
        }
        try store.setReportPath(path, run: outcome.run.id)
        if let keepDays { _ = try? store.prune(keepDays: keepDays) }
        if let webhook = try webhookURL(), let failure = await WebhookNotifier(url: webhook, client: client).notifyIfNeeded(report, reportPath: path) {
            logger.error("\(failure)")
        }
        logger.info("scan finished", metadata: ["scan.run_id": "\(outcome.run.id)", "scan.report": "\(path)"])
        print("run \(outcome.run.id)\(selection == nil ? "" : " (ad-hoc: \(selection!.joined(separator: ", ")))"): \(report.count(.compliant)) compliant, \(report.count(.noncompliant)) noncompliant, \(report.count(.unknown)) unknown of \(report.results.count)")
        for result in report.results where result.change == .regressed || result.change == .fixed {
            print("  \(result.change.rawValue): \(result.institutionID) is now \(result.status.rawValue)")
        }
        for note in report.run.notes { print("  note: \(note)") }
        print("report: \(path)/summary.md")
        if report.exitStatus != 0 { throw CommandFailure.silent(report.exitStatus) }
    }
}
