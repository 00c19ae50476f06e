import Foundation
import Testing
@testable import NoticeAudit

/// Issue 19, "Data", "Letters" and "Changes": what the files on disk and the letters must hold.
@Suite("data on disk, letters and changes (issue 19)")
struct DataAndLettersTests {
    static func folderName(_ date: Date, run: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HHmmss'Z'"
        return "\(formatter.string(from: date))-run\(run)"
    }

    /// `--keep-days` leaves no run folder older than the limit except the one `latest` points to.
    @Test func pruningKeepsRecentFoldersAndTheOneLatestPointsTo() throws {
        let directory = try TemporaryDirectory()
        let reports = directory.url.appendingPathComponent("Reports")
        let now = Date()
        let old = Self.folderName(now.addingTimeInterval(-40 * 86_400), run: 1)
        let latestOld = Self.folderName(now.addingTimeInterval(-35 * 86_400), run: 2)
        let recent = Self.folderName(now.addingTimeInterval(-2 * 86_400), run: 3)
        for name in [old, latestOld, recent, "notes"] {
            try FileManager.default.createDirectory(at: reports.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        try FileManager.default.createSymbolicLink(atPath: reports.appendingPathComponent("latest").path, withDestinationPath: latestOld)
        let deleted = try RunFolders(directory: reports.path).pruneRunFolders(keepDays: 30, now: now)
        #expect(deleted == [old])
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: reports.path))
        #expect(left == [latestOld, recent, "notes", "latest"])
    }

    /// No staging folder of a killed scan survives the next one.
    @Test func theNextWriteRemovesWhatAKilledWriterLeft() throws {
        let directory = try TemporaryDirectory()
        let reports = directory.url.appendingPathComponent("Reports")
        // A process id that does not exist (above Linux's pid_max of 4194304).
        let staging = reports.appendingPathComponent(".2026-11-01T030000Z-run7.4194999.abcdef12")
        let link = reports.appendingPathComponent(".latest.4194999.0badf00d")
        try FileManager.default.createDirectory(at: staging.appendingPathComponent("institutions"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "nowhere")
        let mine = reports.appendingPathComponent(".2026-11-01T030000Z-run8.\(getpid()).12345678")
        try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        let report = CoordinatorDeskTests.hostileReport()
        try ReportWriter(directory: reports.path).write(report)
        let names = try FileManager.default.contentsOfDirectory(atPath: reports.path)
        #expect(!names.contains(staging.lastPathComponent) && !names.contains(link.lastPathComponent), "\(names)")
        #expect(names.contains(mine.lastPathComponent), "a live writer's staging folder is left alone")
    }

    /// The metrics' temporary file is never a predictable name that a planted link could redirect.
    @Test func metricsNeverWriteThroughAPlantedLink() throws {
        let directory = try TemporaryDirectory()
        let victim = try directory.write("precious\n", to: "victim")
        let target = directory.url.appendingPathComponent("notice_audit.prom")
        // The name the previous version used.
        try FileManager.default.createSymbolicLink(atPath: directory.url.appendingPathComponent(".notice_audit.prom.\(getpid()).tmp").path, withDestinationPath: victim.path)
        let sample = MetricsRenderer.Sample(report: nil, startedAt: Date(), finishedAt: Date(), catalogAgeSeconds: nil, dnsQueries: nil, exitStatus: 3)
        try MetricsRenderer(sample).write(to: target.path)
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
        #expect(try String(contentsOf: target, encoding: .utf8).contains("notice_audit_last_run_exit_status 3"))
        let attributes = try FileManager.default.attributesOfItem(atPath: target.path)
        #expect(attributes[.type] as? FileAttributeType == .typeRegular)
        #expect((attributes[.posixPermissions] as? Int) == 0o644)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter { $0.hasPrefix(".notice_audit.prom.") && !$0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    /// A relay password file readable by others is said, not used silently.
    @Test func aCredentialsFileReadableByOthersIsSaid() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("secret\n", to: "relay.pw")
        let relay = RelayConfiguration(host: "smtp.campus.edu", port: 587, security: .starttls, username: "alma", credential: .file(file.path))
        chmod(file.path, 0o644)
        let exposure = RelayCredentials(environment: [:]).exposure(of: relay)
        #expect(exposure?.contains("readable by its group") == true && exposure?.contains("644") == true)
        #expect(exposure?.contains("secret") == false)
        chmod(file.path, 0o600)
        #expect(RelayCredentials(environment: [:]).exposure(of: relay) == nil)
    }

    /// The EXLIBRIS_INCLUDE_INCOMPLETE letter keeps "stopgap" and "report it to Ex Libris"; plain
    /// text shows no needless escapes (`~all`).
    @Test func theIncludeGapLetterSaysStopgapAndReportItWithoutNeedlessEscapes() {
        var finding = Finding(code: .exlibrisIncludeIncomplete, severity: .error, target: "campus.edu",
                              message: "campus.edu includes the Ex Libris entry, but the entry does not authorize 198.51.100.7/32.",
                              remediation: "Report the gap to Ex Libris support.",
                              facts: FindingFacts(publishedRecord: "v=spf1 include:spf-na.exlibrisgroup.com ~all",
                                                  recommendedRecord: "v=spf1 include:spf-na.exlibrisgroup.com ip4:198.51.100.7 ~all"))
        finding.decisive = true
        let result = InstitutionResult(institutionID: "c", name: "Campus", method: .spf, status: .noncompliant, spfResult: .softfail, dmarcPolicy: nil,
                                       relayStatus: nil, change: .new, findings: [finding], domains: [], relay: nil, durationMilliseconds: 1)
        let run = ScanRunRecord(id: 1, startedAt: Date(), finishedAt: Date(), status: .completed, trigger: .scheduled, toolVersion: "t", consortium: "C",
                                selection: nil, catalogSnapshotID: nil, catalogSource: nil, catalogStale: false, notes: [])
        let letter = CampusLetterRenderer.render(result, report: ScanReport(run: run, results: [result], trend: [], catalog: nil))
        #expect(letter.contains("stopgap") && letter.contains("report it to Ex Libris support"), "\(letter)")
        #expect(letter.contains("Replace the SPF record") || letter.contains("replace the SPF record"))
        #expect(!letter.contains("\\~"), "\(letter)")
    }

    /// The catalog panel says "agree" only for a region whose relay set the run built.
    @Test func theCatalogPanelSaysWhichRegionsWereChecked() {
        let relays = [RelayCatalog.Relay(host: "relay.example", addresses: [IPNetwork(cidr: "192.0.2.16/28")!])]
        let catalog = RelayCatalog(regions: [.northAmerica: .init(spfInclude: "spf-na.example", relays: relays),
                                             .europe: .init(spfInclude: "spf-eu.example", relays: relays)], source: "page")
        var result = InstitutionResult(institutionID: "c", name: "Campus", method: .spf, status: .compliant, spfResult: .pass, dmarcPolicy: nil,
                                       relayStatus: nil, change: .new, findings: [], domains: [], relay: nil, durationMilliseconds: 1)
        result.region = .northAmerica
        let run = ScanRunRecord(id: 1, startedAt: Date(), finishedAt: Date(), status: .completed, trigger: .scheduled, toolVersion: "t", consortium: "C",
                                selection: nil, catalogSnapshotID: nil, catalogSource: nil, catalogStale: false, notes: [])
        let report = ScanReport(run: run, results: [result], trend: [],
                                catalog: CatalogStatus(snapshot: nil, catalog: catalog, isStale: false, lastError: nil, lastAttemptAt: nil))
        let html = DashboardRenderer.render(report)
        let rows = html.split(separator: "\n").filter { $0.hasPrefix("<tr><th scope=\"row\">NA") || $0.hasPrefix("<tr><th scope=\"row\">EU") }
        #expect(rows.count == 2)
        #expect(rows.first { $0.contains(">NA") }?.hasSuffix("<td>agree</td></tr>") == true, "\(rows)")
        #expect(rows.first { $0.contains(">EU") }?.contains("not checked in this run") == true, "\(rows)")
    }

    /// A consortium run compares with consortium runs; the rescan that saw the change first is named.
    @Test func aChangeFirstSeenByARescanIsStillReported() {
        let day = Date(timeIntervalSince1970: 1_800_000_000)
        let earlier = [
            StatusChange.Earlier(run: 2, startedAt: day.addingTimeInterval(3600), status: .noncompliant, adhoc: true, completed: true),
            StatusChange.Earlier(run: 1, startedAt: day, status: .compliant, adhoc: false, completed: true),
        ]
        let nightly = StatusChange.assess(current: .noncompliant, consortiumRun: true, earlier: earlier)
        #expect(nightly.change == .regressed)
        #expect(nightly.firstSeen == ChangeSighting(run: 2, startedAt: day.addingTimeInterval(3600)))
        let rescan = StatusChange.assess(current: .noncompliant, consortiumRun: false, earlier: earlier)
        #expect(rescan.change == .unchanged && rescan.firstSeen == nil)
    }

    /// The three-unknown-runs alert: once per streak, also when the third run was aborted.
    @Test(arguments: [
        // statuses of the earlier runs, newest first: (completed, adhoc); expected alert now
        ([(true, false), (true, false)], true),                    // the third run: alert
        ([(true, false), (true, false), (true, false)], false),    // the fourth after a reported third: no
        ([(false, false), (true, false), (true, false)], true),    // the third was aborted: the fourth alerts
        ([(true, false)], false),                                  // only two
    ] as [([(Bool, Bool)], Bool)])
    func unknownStreakAlertsOncePerStreak(earlier: [(Bool, Bool)], alert: Bool) {
        let runs = earlier.enumerated().map { index, flags in
            StatusChange.Earlier(run: Int64(10 - index), startedAt: Date(), status: .unknown, adhoc: flags.1, completed: flags.0)
        } + [StatusChange.Earlier(run: 1, startedAt: Date(), status: .compliant, adhoc: false, completed: true)]
        #expect(StatusChange.assess(current: .unknown, consortiumRun: true, earlier: runs).unknownAlert == alert)
    }
}
