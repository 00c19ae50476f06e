import Foundation
import Testing
@testable import NoticeAudit

@Suite("Report renderers")
struct ReportRendererTests {
    @Test(arguments: [
        ("plain", "plain"), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("line\nbreak", "\"line\nbreak\""),
        ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ])
    func csvFieldsAreQuotedAndNeutralised(value: String, expected: String) {
        #expect(CSVReportRenderer.field(value) == expected)
    }

    @Test func markdownCellsEscapePipesAndLineBreaks() {
        #expect(MarkdownReportRenderer.cell("a|b\nc") == "a\\|b c")
    }

    static func result(_ id: String, _ status: ComplianceStatus, change: StatusChange = .new, findings: [Finding] = []) -> InstitutionResult {
        InstitutionResult(institutionID: id, name: "Name \(id) | pipe", method: .spf, status: status, spfResult: status == .compliant ? .pass : .fail,
                          dmarcPolicy: nil, relayStatus: nil, change: change, findings: findings, domains: [], relay: nil, durationMilliseconds: 1)
    }

    static func report(_ results: [InstitutionResult], selection: [String]? = nil) -> ScanReport {
        let run = ScanRunRecord(id: 7, startedAt: Date(timeIntervalSince1970: 1_800_000_000), finishedAt: nil, status: .completed, trigger: selection == nil ? .scheduled : .adhoc,
                                toolVersion: "0.1.0", consortium: "FALSC", selection: selection, catalogSnapshotID: nil, catalogSource: "embedded default", catalogStale: true, notes: ["note one"])
        return ScanReport(run: run, results: results, trend: [(5, Date(), 1, 3), (6, Date(), 2, 3), (7, Date(), 2, 3)], catalog: nil)
    }

    @Test func reportsAreSortedWorstFirstAndDeterministic() async throws {
        let finding = Finding(code: .spfNotAuthorized, severity: .error, target: "=cmd|' /C calc'!A0", message: "m,1", remediation: "r\n2")
        let report = Self.report([Self.result("b", .compliant), Self.result("c", .noncompliant, change: .regressed, findings: [finding]), Self.result("a", .unknown)])
        #expect(report.results.map(\.institutionID) == ["c", "a", "b"])
        let csv = CSVReportRenderer.summary(report)
        #expect(csv.hasPrefix("institution,name,status,method,spf_result,dmarc_policy,relay_status,change,dkim_status,findings,gmail,yahoo,outlook,icloud\r\n"), "icloud, the newest, last")
        #expect(csv.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",").first! } == ["c", "a", "b"])
        let findings = CSVReportRenderer.findings(report)
        #expect(findings.contains("'=cmd|' /C calc'!A0"))
        #expect(findings.contains("\"m,1\""))
        let markdown = MarkdownReportRenderer.render(report)
        #expect(markdown.contains("Name c \\| pipe (c)"))
        #expect(markdown.contains("regressed, now noncompliant"))
        #expect(markdown.contains("![Compliant institutions per run, last 3 runs](trend.svg)"))
        #expect(!markdown.contains("<svg"), "no inline SVG: GitHub, GitLab and mail clients show it as raw markup")
        #expect(markdown.contains("(**stale**)"))
        #expect(MarkdownReportRenderer.render(report) == markdown)
        let json = try JSONReportRenderer.render(report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["schema_version"] as? Int == 1)
        #expect((object["institutions"] as? [[String: Any]])?.first?["institution_id"] as? String == "c")
    }

    @Test func adhocReportSaysWhatItCovers() {
        let markdown = MarkdownReportRenderer.render(Self.report([Self.result("ufl", .compliant, change: .fixed)], selection: ["ufl"]))
        #expect(markdown.contains("Ad-hoc rescan covering only: ufl"))
    }

    /// ../shared/domain.md, "Changes between runs": against the last known status; unknown is
    /// `unverified`, never a fix or a regression.
    @Test(arguments: [
        (nil, ComplianceStatus.compliant, StatusChange.new), (nil, .noncompliant, .new), (nil, .unknown, .unverified),
        (.compliant, .compliant, .unchanged), (.noncompliant, .noncompliant, .unchanged),
        (.compliant, .noncompliant, .regressed), (.noncompliant, .compliant, .fixed),
        (.compliant, .unknown, .unverified), (.noncompliant, .unknown, .unverified),
    ] as [(ComplianceStatus?, ComplianceStatus, StatusChange)])
    func changeComparesWithTheLastKnownStatus(lastKnown: ComplianceStatus?, current: ComplianceStatus, change: StatusChange) {
        #expect(StatusChange.between(lastKnown: lastKnown, current: current) == change)
    }

    @Test func unknownRunsCountTheUnknownRunsRightBefore() {
        #expect(StatusChange.unknownRuns(current: .compliant, earlier: [.unknown, .unknown]) == 0)
        #expect(StatusChange.unknownRuns(current: .unknown, earlier: []) == 1)
        #expect(StatusChange.unknownRuns(current: .unknown, earlier: [.unknown, .unknown, .compliant, .unknown]) == 3)
    }

    @Test func runLevelFindingsAreRowsWithAnEmptyInstitution() {
        var report = Self.report([Self.result("a", .compliant)])
        report.run.findings = [Finding(code: .catalogIncomplete, severity: .warning, target: "NA", message: "incomplete", remediation: "wait")]
        let rows = CSVReportRenderer.findings(report).split(separator: "\r\n")
        #expect(rows.contains(",,warning,CATALOG_INCOMPLETE,NA,incomplete,wait,,"))
        #expect(MarkdownReportRenderer.render(report).contains("**CATALOG_INCOMPLETE** (warning, NA): incomplete"))
    }

    /// The webhook fires on a regression, on three consecutive unknown runs and on a catalog
    /// change; never on a glitch (one unknown run).
    @Test func webhookRule() {
        var glitch = Self.result("a", .unknown, change: .unverified)
        glitch.unknownRuns = 1
        #expect(!WebhookNotifier.shouldNotify(Self.report([glitch, Self.result("b", .compliant, change: .fixed)])))
        // The store flags the run that first reaches three in a streak (StatusChange.assess).
        var third = glitch
        third.unknownRuns = 3
        third.unknownAlert = true
        #expect(WebhookNotifier.shouldNotify(Self.report([third])))
        #expect((WebhookNotifier.payload(Self.report([third]), reportPath: "r")["text"] as? String)?.contains("Unknown for 3 or more runs in a row: Name a | pipe (a, 3 runs)") == true)
        var fourth = glitch
        fourth.unknownRuns = 4
        #expect(!WebhookNotifier.shouldNotify(Self.report([fourth])))
        #expect(WebhookNotifier.shouldNotify(Self.report([Self.result("c", .noncompliant, change: .regressed)])))
        var changed = Self.report([Self.result("b", .compliant)])
        changed.run.findings = [Finding(code: .catalogChanged, severity: .info, target: "page", message: "NA: added 192.0.2.99/32", remediation: "")]
        #expect(WebhookNotifier.shouldNotify(changed))
    }
}
