import Foundation
import Testing
@testable import NoticeAudit

/// The coordinator's desk (issue 15): index.html, the letters, summary.md, the digest, the
/// metrics, fed with hostile remote-controlled text.
@Suite("The coordinator's desk")
struct CoordinatorDeskTests {
    /// Everything a hostile relay or DNS zone can put in front of the reports.
    static let hostile = "<script>alert('x')</script> | pipe `tick` \"double\" 'single' \u{1B}[31mred\u{1B}[0m\nsecond line *bold* [l](http://e.test/) &amp; <img src=x onerror=alert(1)>"

    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func hostileReport() -> ScanReport {
        let relay = RelaySummary(host: "smtp.example.edu", port: 587, security: .starttls, status: .rejected, detail: "greeted with 554 " + hostile,
                                 tlsVersion: nil, certificateExpires: nil, authMechanisms: [], banner: "554 " + hostile)
        let relayResult = InstitutionResult(
            institutionID: "relay-bad", name: "Relay <b>College</b> | & Co", method: .relay, status: .noncompliant, spfResult: nil, dmarcPolicy: .reject,
            relayStatus: .rejected, change: .regressed,
            findings: [Finding(code: .relayRejected, severity: .error, target: "smtp.example.edu:587", message: "The relay refused: " + hostile, remediation: "Fix " + hostile)],
            domains: [], relay: relay, durationMilliseconds: 5)
        var spfResult = InstitutionResult(
            institutionID: "spf-bad", name: "SPF College", method: .spf, status: .noncompliant, spfResult: .permerror, dmarcPolicy: DMARCRecord.Policy.none, relayStatus: nil,
            change: .unchanged,
            findings: [Finding(code: .spfPermerror, severity: .error, target: "bad.example.edu", message: "The SPF record is invalid: " + hostile,
                               remediation: "Publish the record below.", facts: FindingFacts(publishedRecord: "v=spf1 " + hostile, recommendedRecord: "v=spf1 include:spf-na.exlibrisgroup.com -all"))],
            domains: [DomainResult(domain: "bad.example.edu", worstResult: .permerror, results: [.permerror: ["192.0.2.16/28"]], record: "v=spf1 " + hostile,
                                   dnsLookups: 0, dmarcPolicy: DMARCRecord.Policy.none, dmarcAligned: true, dmarcRecord: "v=DMARC1; p=none; x=" + hostile, dmarcRecordName: "_dmarc.bad.example.edu")],
            relay: nil, durationMilliseconds: 3)
        var key = DKIMKeyCheck.Result(selector: "s1", domain: "bad.example.edu", name: "s1._domainkey.bad.example.edu", status: .invalid,
                                      keyType: nil, keyBits: nil, testing: false, record: "v=DKIM1; p=" + hostile, problems: [])
        key.record = "v=DKIM1; n=" + hostile
        spfResult.dkimKeys = [key]
        let good = InstitutionResult(institutionID: "good", name: "Good", method: .spf, status: .compliant, spfResult: .pass, dmarcPolicy: nil, relayStatus: nil,
                                     change: .unchanged, findings: [], domains: [], relay: nil, durationMilliseconds: 1)
        let run = ScanRunRecord(id: 9, startedAt: start, finishedAt: start.addingTimeInterval(60), status: .completed, trigger: .scheduled, toolVersion: "0.2.0",
                                consortium: "FALSC <i>", selection: nil, catalogSnapshotID: nil, catalogSource: "embedded default", catalogStale: false, notes: [],
                                findings: [Finding(code: .catalogStale, severity: .warning, target: "page", message: "stale: " + hostile, remediation: "")])
        let spfBad = (1...9).map { InstitutionHistory.Point(run: Int64($0), startedAt: start.addingTimeInterval(Double($0 - 9) * 86_400), status: .noncompliant) }
        let histories = [
            "relay-bad": InstitutionHistory(recent: [.init(run: 8, startedAt: start.addingTimeInterval(-86_400), status: .compliant), .init(run: 9, startedAt: start, status: .noncompliant)],
                                            since: .init(run: 9, startedAt: start, status: .noncompliant)),
            "spf-bad": InstitutionHistory(recent: spfBad, since: spfBad.first),
        ]
        return ScanReport(run: run, results: [relayResult, spfResult, good], trend: [(8, start.addingTimeInterval(-86_400), 2, 3), (9, start, 1, 3)], catalog: nil, histories: histories)
    }

    /// Every output a person reads: none lets the hostile text act.
    @Test func hostileBannersAndRecordsNeverActInAnyOutput() throws {
        let report = Self.hostileReport()
        let html = DashboardRenderer.render(report)
        let markdown = MarkdownReportRenderer.render(report)
        let letters = CampusLetterRenderer.addressees(report).map { CampusLetterRenderer.render($0, report: report) }
        let digest = ScanDigest(report: report, reportFolder: "/r").render()
        let csv = CSVReportRenderer.findings(report) + CSVReportRenderer.summary(report)
        let runs = RunIndexRenderer.render(consortium: report.run.consortium, runs: [], folders: [])
        #expect(letters.count == 2)
        // Terminal and spreadsheet outputs: no escape character reaches them.
        for (name, text) in [("index.html", html), ("summary.md", markdown), ("digest", digest), ("csv", csv), ("runs", runs)] + letters.map({ ("letter", $0) }) {
            #expect(!text.contains("\u{1B}"), "\(name) holds a raw escape character")
        }
        // HTML: no tag from the hostile text.
        for text in [html, runs] {
            #expect(!text.contains("<script>alert") && !text.contains("<img src=x") && !text.contains("<b>College"))
        }
        // Markdown: outside code spans and blocks, no `<` and no `[` that is not escaped.
        for text in [markdown] + letters {
            let prose = Self.outsideCode(text)
            #expect(!Self.hasUnescaped("<", in: prose), "\(prose)")
            #expect(!prose.contains("[l](http://e.test/)"), "a link from the hostile text")
        }
        // HTML: shown as text, escaped; our one script is the only one.
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; | pipe `tick` &quot;double&quot;"))
        #expect(html.contains("\\x1B[31mred"))
        #expect(html.components(separatedBy: "<script").count == 2)
        #expect(html.contains("Relay &lt;b&gt;College&lt;/b&gt; | &amp; Co"))
        #expect(runs.contains("FALSC &lt;i&gt;"))
        // Markdown: table rows keep their cells; the record is one code span; no line is split.
        let rows = markdown.split(separator: "\n").filter { row in row.hasPrefix("| ") && ["✅", "❌", "❔"].contains { row.contains($0) } }
        #expect(rows.count == 3)
        for row in rows { #expect(Self.unescapedPipes(String(row)) == 9, "\(row)") }
        #expect(markdown.contains(#"\<script>alert('x')\</script> \| pipe \`tick\`"#))
        #expect(markdown.contains("current record ``v=spf1 <script>alert('x')</script> | pipe `tick` "), "a code span with a longer fence")
        #expect(!markdown.split(separator: "\n").contains { $0.hasPrefix("second line") }, "the line feed did not start a new Markdown line")
        // Digest: one line per institution not compliant.
        let lines = digest.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("  relay-bad ") || $0.hasPrefix("  spf-bad ") }.count == 2)
        #expect(lines.count == 8, "\(digest)")
        // The letter's record block is intact, the hostile text escaped.
        let letter = letters.first { $0.contains("SPF College") }!
        #expect(letter.contains("   ```\n   v=spf1 include:spf-na.exlibrisgroup.com -all\n   ```"))
    }

    /// `text` without its code spans and fenced blocks (CommonMark §6.1, §4.5).
    static func outsideCode(_ text: String) -> String {
        var out = "", index = text.startIndex
        var inBlock = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") { inBlock.toggle(); continue }
            if !inBlock { out += line + "\n" }
        }
        var result = ""
        index = out.startIndex
        while index < out.endIndex {
            if out[index] == "`", index == out.startIndex || out[out.index(before: index)] != "\\" {
                var run = index
                while run < out.endIndex, out[run] == "`" { run = out.index(after: run) }
                let fence = String(out[index..<run])
                if let close = out.range(of: fence, range: run..<out.endIndex) {
                    index = close.upperBound
                    result += "CODE"
                    continue
                }
            }
            result.append(out[index])
            index = out.index(after: index)
        }
        return result
    }

    static func hasUnescaped(_ character: Character, in text: String) -> Bool {
        var previous: Character = " "
        for current in text {
            if current == character && previous != "\\" { return true }
            previous = current
        }
        return false
    }

    /// Pipes that end a GitHub table cell: not preceded by a backslash.
    static func unescapedPipes(_ row: String) -> Int {
        var count = 0, previous: Character = " "
        for character in row {
            if character == "|" && previous != "\\" { count += 1 }
            previous = character
        }
        return count
    }

    @Test func theDashboardHasOneRowAndOneDetailsPerInstitution() {
        let report = Self.hostileReport()
        let html = DashboardRenderer.render(report)
        #expect(html.components(separatedBy: "<tr data-id=").count - 1 == 3)
        #expect(html.components(separatedBy: "<details class=\"institution\"").count - 1 == 3)
        #expect(html.contains("<tr data-id=\"relay-bad\" data-status=\"noncompliant\" data-method=\"relay\""))
        // Status is a word with a symbol, never colour alone.
        #expect(html.contains("<span class=\"st st-noncompliant\"><span aria-hidden=\"true\">✗</span> noncompliant</span>"))
        // The history strip and the state's age: spf-bad noncompliant since run 1, 8 days.
        #expect(html.contains("noncompliant since run 1 ("))
        #expect(html.contains(", 8 days</p>"))
        #expect(html.contains("<td class=\"num\" data-sort=\"8\">8</td>"))
        #expect(html.contains("<span class=\"h-compliant\" title=\"run 8: compliant\">✓</span><span class=\"h-noncompliant\" title=\"run 9: noncompliant\">✗</span>"))
        // The policy lets only our own style and script run, and nothing be fetched.
        let policy = DashboardAssets.contentSecurityPolicy
        #expect(policy.hasPrefix("default-src 'none'; img-src data:; style-src 'sha256-"))
        #expect(html.contains("<script>\(DashboardAssets.script)</script>") && html.contains("<style>\(DashboardAssets.style)</style>"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"), "no external source")
        #expect(!html.contains(" style=\""), "no style attribute, which the policy would block")
    }

    /// A first run or an outage makes hundreds of new or unverified institutions: listed up to 50,
    /// the rest counted; regressions are always listed whole.
    @Test func whatChangedListsEveryRegressionAndCountsTheRest() {
        let results = (0..<120).map { index in
            InstitutionResult(institutionID: "i\(index)", name: "I\(index)", method: .spf, status: index < 60 ? .noncompliant : .unknown, spfResult: nil,
                              dmarcPolicy: nil, relayStatus: nil, change: index < 60 ? .regressed : .unverified, findings: [], domains: [], relay: nil, durationMilliseconds: 1)
        }
        var report = Self.hostileReport()
        report = ScanReport(run: report.run, results: results, trend: [], catalog: nil)
        let html = DashboardRenderer.render(report)
        let changes = html.components(separatedBy: "<h2 id=\"changes\">")[1].components(separatedBy: "</section>")[0]
        #expect(changes.contains("<h3>Regressed: 60</h3>") && changes.contains("<h3>Unverified (unknown now: neither a fix nor a regression): 60</h3>"))
        #expect(changes.components(separatedBy: "(i").count - 1 == 60 + 50)
        #expect(changes.contains("<li>and 10 more: see the table below.</li>"))
    }

    @Test func theLetterSaysWhatSinceWhenWhyAndHowToCheck() throws {
        let report = Self.hostileReport()
        let result = try #require(report.results.first { $0.institutionID == "spf-bad" })
        let letter = CampusLetterRenderer.render(result, report: report)
        for part in ["## What is wrong", "## Why the notices suffer", "## What to do", "## Check it yourself", "**Since:** run 1 on 2027-01-07 (8 days ago)",
                     "dig +short TXT bad.example.edu", "notice-audit spf bad.example.edu --range 192.0.2.16/28", "dig +short TXT _dmarc.bad.example.edu",
                     "notice-audit dkim bad.example.edu --selector s1", "notice-audit scan --institution spf-bad", "`SPF_PERMERROR`"] {
            #expect(letter.contains(part), "\(part)")
        }
        let relay = CampusLetterRenderer.render(try #require(report.results.first { $0.institutionID == "relay-bad" }), report: report)
        #expect(relay.contains("notice-audit relay smtp.example.edu:587 --security starttls"))
        #expect(relay.contains("openssl s_client -connect smtp.example.edu:587 -starttls smtp"))
        #expect(relay.contains("**Since:** run 9 on 2027-01-15 (first seen in this run)."))
    }

    /// Forty institutions not compliant fit on one screen: one line each, none wider than the digest's width.
    @Test func fortyInstitutionsFitOnOneScreen() {
        let results = (0..<40).map { index in
            InstitutionResult(institutionID: "inst\(index)", name: "Institution \(index)", method: .spf, status: index % 3 == 0 ? .unknown : .noncompliant,
                              spfResult: .fail, dmarcPolicy: nil, relayStatus: nil, change: index == 0 ? .regressed : .unchanged,
                              findings: [Finding(code: .spfNotAuthorized, severity: .error, target: "d\(index).edu",
                                                 message: "d\(index).edu does not authorize the Ex Libris relays 192.0.2.16/28, 198.51.100.7/32: check_host() gives fail. A second sentence that is not shown.",
                                                 remediation: "")],
                              domains: [], relay: nil, durationMilliseconds: 1)
        }
        let run = ScanRunRecord(id: 3, startedAt: Self.start, finishedAt: nil, status: .completed, trigger: .scheduled, toolVersion: "0.2.0", consortium: "FALSC",
                                selection: nil, catalogSnapshotID: nil, catalogSource: nil, catalogStale: false, notes: [])
        let digest = ScanDigest(report: ScanReport(run: run, results: results, trend: [], catalog: nil), reportFolder: "/srv/Reports/x").render()
        let lines = digest.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count <= 48, "\(lines.count) lines")
        #expect(lines.allSatisfy { $0.count <= 180 })
        #expect(lines.first == "run 3: 0 compliant, 26 noncompliant, 14 unknown of 40")
        #expect(lines.contains("  regressed (1): inst0"))
        let institutionLines = lines.filter { $0.hasPrefix("  inst") }
        #expect(institutionLines.count == 40)
        // Worst first: every noncompliant line before every unknown line.
        #expect(institutionLines.prefix(26).allSatisfy { $0.contains(" noncompliant ") } && institutionLines.suffix(14).allSatisfy { $0.contains(" unknown ") })
        #expect(institutionLines[0].hasSuffix("SPF_NOT_AUTHORIZED  d1.edu does not authorize the Ex Libris relays 192.0.2.16/28, 198.51.100.7/32: check_host() gives fail."))
        #expect(lines.suffix(2) == ["summary:   /srv/Reports/x/summary.md", "dashboard: /srv/Reports/x/index.html"])
    }

    /// Prometheus text format (exposition format 0.0.4): HELP and TYPE once per family, one series
    /// per status and institution, written by rename.
    @Test func metricsAreWrittenWhole() throws {
        let report = Self.hostileReport()
        let sample = MetricsRenderer.Sample(report: report, startedAt: Self.start, finishedAt: Self.start.addingTimeInterval(12.5), catalogAgeSeconds: 3600, dnsQueries: 42, exitStatus: 1)
        let text = MetricsRenderer(sample).render()
        #expect(text.contains("notice_audit_institutions{status=\"noncompliant\"} 2\n"))
        #expect(text.contains("notice_audit_institution_status{institution=\"relay-bad\",status=\"noncompliant\"} 1\n"))
        #expect(text.contains("notice_audit_institution_status{institution=\"relay-bad\",status=\"compliant\"} 0\n"))
        #expect(text.contains("notice_audit_last_run_duration_seconds 12.500\n"))
        #expect(text.contains("notice_audit_last_run_dns_queries 42\n") && text.contains("notice_audit_last_run_exit_status 1\n"))
        #expect(text.components(separatedBy: "# TYPE notice_audit_institution_status gauge").count == 2)
        #expect(MetricsRenderer.label("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")

        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("notice_audit.prom").path
        try MetricsRenderer(sample).write(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["notice_audit.prom"])
        #expect(throws: ReportWriteError.self) { try MetricsRenderer(sample).write(to: directory.url.appendingPathComponent("missing/x.prom").path) }
    }
}
