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
        #expect(MarkdownReportRenderer.cell("a|b\nc") == "a\\|b<br>c")
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

    @Test func reportsAreSortedWorstFirstAndDeterministic() throws {
        let finding = Finding(code: "SPF_NOT_AUTHORIZED", severity: .error, target: "=cmd|' /C calc'!A0", message: "m,1", remediation: "r\n2")
        let report = Self.report([Self.result("b", .compliant), Self.result("c", .noncompliant, change: .regressed, findings: [finding]), Self.result("a", .unknown)])
        #expect(report.results.map(\.institutionID) == ["c", "a", "b"])
        let csv = CSVReportRenderer.summary(report)
        #expect(csv.hasPrefix("institution,name,status,method,spf_result,dmarc_policy,relay_status,change,findings\r\n"))
        #expect(csv.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",").first! } == ["c", "a", "b"])
        let findings = CSVReportRenderer.findings(report)
        #expect(findings.contains("'=cmd|' /C calc'!A0"))
        #expect(findings.contains("\"m,1\""))
        let markdown = MarkdownReportRenderer.render(report)
        #expect(markdown.contains("Name c \\| pipe (c)"))
        #expect(markdown.contains("regressed, now noncompliant"))
        #expect(markdown.contains("<svg"))
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

    @Test(arguments: [
        (nil, ComplianceStatus.compliant, StatusChange.new), (.compliant, .compliant, .unchanged), (.compliant, .unknown, .regressed),
        (.unknown, .noncompliant, .regressed), (.noncompliant, .compliant, .fixed), (.noncompliant, .unknown, .fixed),
    ] as [(ComplianceStatus?, ComplianceStatus, StatusChange)])
    func changeComparesWithThePreviousStatus(previous: ComplianceStatus?, current: ComplianceStatus, change: StatusChange) {
        #expect(StatusChange.between(previous: previous, current: current) == change)
    }
}
