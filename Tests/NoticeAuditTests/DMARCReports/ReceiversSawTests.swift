import Foundation
import Testing
@testable import NoticeAudit

/// Issue 21 (first part): what receivers reported, read beside the verdicts. The reports are
/// written here (RFC 7489 Appendix C), ingested, then the lab's demo domains are scanned.
@Suite("what receivers saw, beside the verdicts", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct ReceiversSawTests {
    static var lab: LabEnvironment { LabEnvironment.current! }

    /// One report of `rows` (source, count, header_from, dkim, spf, extra auth results XML).
    static func report(id: String, org: String = "Example Receiver", domain: String, rows: [(String, Int, String, String, String, String)], now: Date = Date()) -> String {
        let end = Int(now.timeIntervalSince1970) - 3600
        let records = rows.map { source, count, from, dkim, spf, auth in
            """
              <record><row><source_ip>\(source)</source_ip><count>\(count)</count>
                <policy_evaluated><disposition>none</disposition><dkim>\(dkim)</dkim><spf>\(spf)</spf></policy_evaluated></row>
                <identifiers><header_from>\(from)</header_from></identifiers><auth_results>\(auth)</auth_results></record>
            """
        }.joined(separator: "\n")
        return """
            <?xml version="1.0"?>
            <feedback><report_metadata><org_name>\(org)</org_name><email>dmarc@receiver.example</email><report_id>\(id)</report_id>
              <date_range><begin>\(end - 86_399)</begin><end>\(end)</end></date_range></report_metadata>
              <policy_published><domain>\(domain)</domain><p>none</p></policy_published>
            \(records)
            </feedback>
            """
    }

    @Test func observationsBesideTheVerdicts() async throws {
        let directory = try TemporaryDirectory()
        let db = directory.url.appendingPathComponent("history.sqlite").path
        let exLibrisPass = "<spf><domain>exlibrisgroup.com</domain><result>pass</result></spf>"
        let dkimPass = "<dkim><domain>inbox.demo.test</domain><selector>x</selector><result>pass</result></dkim>"
        // inbox.demo.test: predicted noncompliant (unaligned), yet all 30 notices passed with DKIM.
        let seen = try directory.write(Self.report(id: "seen-1", domain: "inbox.demo.test",
            rows: [("192.0.2.20", 30, "inbox.demo.test", "pass", "fail", dkimPass + exLibrisPass)]), to: "seen.xml")
        // good-include.demo.test: predicted compliant, 10 of 40 notices failed DMARC; 5 messages of
        // Alma mail came from 203.0.113.77, in no relay set; 3 from 203.0.113.10, an Ex Libris relay of
        // Europe: another region's, not drift.
        let failing = try directory.write(Self.report(id: "failing-1", domain: "good-include.demo.test",
            rows: [("198.51.100.7", 30, "good-include.demo.test", "pass", "pass", exLibrisPass),
                   ("192.0.2.17", 10, "good-include.demo.test", "fail", "fail", exLibrisPass),
                   ("203.0.113.77", 5, "good-include.demo.test", "fail", "fail", exLibrisPass),
                   ("203.0.113.10", 3, "good-include.demo.test", "fail", "pass", exLibrisPass)]), to: "failing.xml")
        let ingested = try await CommandRunner.run(["dmarc-reports", "ingest", seen.path, failing.path, "--db", db])
        #expect(ingested.status == 0, "\(ingested.stdout)\(ingested.stderr)")
        let inventory = try directory.write("""
            {"consortium": "SAW", "defaults": {"region": "NA"}, "reputation": {"dnsbl": []},
             "institutions": [{"id": "bulk", "name": "Bulk", "sender_domains": ["inbox.demo.test"]},
                              {"id": "good", "name": "Good", "sender_domains": ["good-include.demo.test"], "sender_class": "standard"}]}
            """, to: "inventory.json")
        let scan = try await CommandRunner.run(
            Self.lab.scan.arguments(inventory: inventory.path, in: directory.url, database: db, nameServer: .direct))
        #expect(scan.status == 1, "\(scan.stdout)\(scan.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.url.appendingPathComponent("Reports/latest/scan.json"))) as? [String: Any]
        let institutions = json?["institutions"] as? [[String: Any]] ?? []
        let bulk = try #require(institutions.first { $0["institution_id"] as? String == "bulk" })
        let good = try #require(institutions.first { $0["institution_id"] as? String == "good" })
        // The notice records: sending addresses × From domains, the last 7 days.
        let observed = good["observed"] as? [String: Any]
        func count(_ key: String) -> Int? { observed?[key] as? Int }
        #expect(count("messages") == 40 && count("dmarc_pass") == 30 && count("dkim_aligned_pass") == 30 && count("reports") == 1, "\(observed ?? [:])")
        #expect(count("days") == 7 && (observed?["organizations"] as? [String: Int]) == ["Example Receiver": 40])
        #expect((observed?["daily"] as? [[String: Any]])?.count == 30)
        // The dashboard and the digest say it.
        let html = try String(contentsOf: directory.url.appendingPathComponent("Reports/latest/index.html"), encoding: .utf8)
        #expect(html.contains("<h3>What receivers saw</h3>") && html.contains("<strong>40</strong> notices in 1 report; DMARC pass 75 %"))
        #expect(html.contains("<th scope=\"row\">Example Receiver</th><td class=\"num\">40</td>") && html.contains("30 of 40 passed DMARC"))
        #expect(scan.stdout.contains("PREDICTION_CONTRADICTED good: Predicted compliant, but receivers reported 10 of 40"), "\(scan.stdout)")
        #expect(scan.stdout.contains("CATALOG_DRIFT [1 institution: good]: Receivers saw Alma mail"), "\(scan.stdout)")
        #expect(!scan.stdout.contains("203.0.113.10"), "a relay of another region is not drift")
        #expect(html.contains("Concerns 1 institution") && !html.contains("Explains the verdict of 1 institution: <a href=\"#i-good\""), "drift explains no verdict")
        // DKIM seen by receivers settles the bulk sender's dkim row; the verdict stays (unaligned by DNS).
        let rows = ((bulk["inbox"] as? [String: Any])?["requirements"] as? [[String: Any]]) ?? []
        let dkimRow = rows.first { $0["row"] as? String == "dkim" }
        #expect(dkimRow?["status"] as? String == "pass" && (dkimRow?["detail"] as? String)?.contains("seen by receivers") == true, "\(dkimRow ?? [:])")
        #expect(bulk["status"] as? String == "noncompliant")
        let findings = try String(contentsOf: directory.url.appendingPathComponent("Reports/latest/findings.csv"), encoding: .utf8)
        #expect(findings.contains("bulk,noncompliant,warning,PREDICTION_CONTRADICTED,bulk,\"Predicted noncompliant, but receivers reported all 30 notices passing DMARC"), "\(findings)")
        #expect(findings.contains("good,compliant,warning,PREDICTION_CONTRADICTED,good,\"Predicted compliant, but receivers reported 10 of 40 notices (25 %) failing DMARC"), "\(findings)")
        #expect(findings.contains(",,warning,CATALOG_DRIFT,catalog,") && findings.contains("203.0.113.77 (5 messages)") && !findings.contains("203.0.113.10 ("))
        #expect(!findings.contains("inbox.demo.test,noncompliant,warning,INBOX_DKIM_UNSEEN"), "seen by receivers: not unseen")
    }

    /// `feedback.rua_address`: each member's DMARC should list it (`RUA_NOT_LISTED`), and an
    /// external member needs the consortium's authorization record (`RUA_AUTHORIZATION_MISSING`).
    @Test func theConsortiumsReportAddress() async throws {
        let directory = try TemporaryDirectory()
        let inventory = try directory.write("""
            {"consortium": "SAW", "defaults": {"region": "NA", "sender_class": "standard"}, "reputation": {"dnsbl": []},
             "feedback": {"rua_address": "dmarc@consortium.test"},
             "institutions": [{"id": "listed", "name": "Listed", "sender_domains": ["rua-listed.demo.test"]},
                              {"id": "unauth", "name": "Unauthorized", "sender_domains": ["rua-unauth.demo.test"]},
                              {"id": "other", "name": "Other", "sender_domains": ["inbox.demo.test"]}]}
            """, to: "inventory.json")
        let scan = try await CommandRunner.run(
            Self.lab.scan.arguments(inventory: inventory.path, in: directory.url, database: directory.url.appendingPathComponent("h.sqlite").path, nameServer: .direct))
        #expect(scan.status <= 1, "\(scan.stderr)")
        let findings = try String(contentsOf: directory.url.appendingPathComponent("Reports/latest/findings.csv"), encoding: .utf8)
        #expect(!findings.contains("listed,compliant,warning,RUA_"), "listed (upper case, with a size limit) and authorized: \(findings)")
        #expect(findings.contains("unauth,compliant,warning,RUA_AUTHORIZATION_MISSING,rua-unauth.demo.test,"))
        #expect(findings.contains("rua-unauth.demo.test._report._dmarc.consortium.test"))
        #expect(findings.contains("other,compliant,warning,RUA_NOT_LISTED,inbox.demo.test,"), "\(findings)")
        let invalid = InventoryValidator.validate(text: #"{"consortium": "X", "defaults": {"region": "NA"}, "feedback": {"rua_address": "not an address"}, "institutions": [{"id": "a", "name": "A", "sender_domains": ["a.edu"]}]}"#)
        #expect(invalid.errors.map(\.path) == ["feedback.rua_address"])
    }
}
