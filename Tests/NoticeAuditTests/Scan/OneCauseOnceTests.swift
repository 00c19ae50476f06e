import Foundation
import Testing
@testable import NoticeAudit

/// Issue 32 items 2 and 3 through the binary and the lab: a From domain that does not exist is
/// said once, as FROM_DOMAIN_NOT_FOUND; every cause is one finding, whichever checks see it.
@Suite("one cause, one finding (the binary and the lab)", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct OneCauseOnceTests {
    static var lab: LabEnvironment { LabEnvironment.current! }

    /// ../shared/domain.md, "A From domain that does not exist": noncompliant, decided by
    /// FROM_DOMAIN_NOT_FOUND (whose fix names a misspelling and a lapsed domain), and no text about
    /// the domain says "publishes no", whether the notices go through the Ex Libris relays or a
    /// campus relay, as a bulk or a standard sender, with DKIM selectors named or not.
    @Test func aFromDomainThatDoesNotExistIsSaidOnce() async throws {
        let directory = try TemporaryDirectory()
        let inventory = try directory.write("""
            {"consortium": "NX", "defaults": {"region": "NA"}, "reputation": {"dnsbl": []},
             "institutions": [
               {"id": "typo", "name": "Typo", "from_addresses": ["circ@library.nosuch.demo.test"], "dkim_selectors": ["alma1"]},
               {"id": "lapsed", "name": "Lapsed", "sender_domains": ["lapsed-college.test"], "sender_class": "standard"},
               {"id": "relayed", "name": "Relayed", "sender_domains": ["nosuch-relayed.demo.test"], "delivery": "relay",
                "relay": {"host": "smtp.lab.test", "port": 2599, "security": "starttls"}}]}
            """, to: "inventory.json")
        let scan = try await CommandRunner.run(Self.lab.scan.arguments(inventory: inventory.path, in: directory.url, nameServer: .direct, timeout: "5"))
        #expect(scan.status == 1, "\(scan.stdout)\(scan.stderr)")
        let latest = directory.url.appendingPathComponent("Reports/latest")
        let findings = try String(contentsOf: latest.appendingPathComponent("findings.csv"), encoding: .utf8)
        let rows = findings.split(separator: "\r\n").dropFirst()
        for (id, domain) in [("typo", "library.nosuch.demo.test"), ("lapsed", "lapsed-college.test"), ("relayed", "nosuch-relayed.demo.test")] {
            let own = rows.filter { $0.hasPrefix("\(id),") }
            #expect(own.first?.hasPrefix("\(id),noncompliant,error,FROM_DOMAIN_NOT_FOUND,\(domain),") == true, "\(own)")
            #expect(own.first?.contains("misspelling") == true && own.first?.contains("lapsed") == true)
            #expect(own.filter { $0.contains(",FROM_DOMAIN_NOT_FOUND,") }.count == 1, "said once: \(own)")
        }
        #expect(!findings.contains("publishes no"), "\(findings)")
        let json = try String(contentsOf: latest.appendingPathComponent("scan.json"), encoding: .utf8)
        #expect(!json.contains("publishes no"))
        // Keys interface.md gives as null are present as null: `observed` without reports (issue 32 item 4).
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let institutions = document["institutions"] as? [[String: Any]] ?? []
        #expect(institutions.count == 3 && institutions.allSatisfy { $0.keys.contains("observed") && $0["observed"] is NSNull })
        let letters = latest.appendingPathComponent("institutions")
        for id in ["typo", "lapsed", "relayed"] {
            let letter = try String(contentsOf: letters.appendingPathComponent("\(id).md"), encoding: .utf8)
            #expect(letter.contains("FROM_DOMAIN_NOT_FOUND") && !letter.contains("publishes no") && !letter.contains("Publish this TXT record"), "\(letter)")
        }
    }
}
