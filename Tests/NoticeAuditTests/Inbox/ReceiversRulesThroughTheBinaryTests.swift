import Foundation
import Testing
@testable import NoticeAudit

/// Issue 20 through the built binary and the lab: every row of the receivers' rules and every
/// provider column of ../shared/domain.md, by `notice-audit inbox` against zones of the lab's nsd
/// (PTR zones for the relays, two blocklists, exlibrisgroup.com's record).
@Suite("the receivers' rules through the binary and the lab", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct ReceiversRulesThroughTheBinaryTests {
    static var lab: LabEnvironment { LabEnvironment.current! }
    static let blocklists = ["--dnsbl", "listed.dnsbl.test", "--dnsbl", "refusing.dnsbl.test"]

    /// A history with the lab's v1 catalog, so that `--region` gives the lab's relays.
    static func catalogDatabase(_ directory: TemporaryDirectory) async throws -> String {
        let database = directory.url.appendingPathComponent("history.sqlite").path
        let fetched = try await CommandRunner.run(["ranges", "fetch", "--url", "https://\(lab["LAB_HTTPS_HOSTNAME"]):\(lab["LAB_HTTPS_PORT"])/exlibris/v1.html",
                                                   "--db", database, "--dns-server", lab["LAB_DNS"], "--ca-file", lab["LAB_CA_FILE"]])
        #expect(fetched.status == 0, "\(fetched.stderr)")
        return database
    }

    /// `inbox --json`: the matrix, its rows by name, and the exit status.
    struct Answer {
        var status: Int32
        var json: [String: Any]
        var rows: [String: (status: String, party: String, detail: String)]

        func provider(_ name: String) -> (status: String, replies: [String]) {
            let entry = (json["providers"] as? [String: Any])?[name] as? [String: Any]
            return (entry?["status"] as? String ?? "?", entry?["replies"] as? [String] ?? [])
        }
    }

    static func inbox(_ arguments: [String]) async throws -> Answer {
        let result = try await CommandRunner.run(["inbox"] + arguments + ["--json", "--dns-server", lab["LAB_DNS"]])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
        var rows: [String: (String, String, String)] = [:]
        for requirement in json["requirements"] as? [[String: Any]] ?? [] {
            rows[requirement["row"] as! String] = (requirement["status"] as! String, requirement["party"] as! String, requirement["detail"] as! String)
        }
        return Answer(status: result.status, json: json, rows: rows)
    }

    /// The commonest case: Alma's default envelope, p=none, no DKIM, a bulk domain. SPF passes
    /// for exlibrisgroup.com, so `spf_or_dkim` and `spf` pass; `alignment` fails at all three.
    @Test func theDefaultEnvelopeInABulkDomainFailsAtAllThree() async throws {
        let directory = try TemporaryDirectory()
        let database = try await Self.catalogDatabase(directory)
        let answer = try await Self.inbox(["inbox.demo.test", "--region", "NA", "--db", database] + Self.blocklists)
        #expect(answer.status == 1)
        #expect(answer.rows["spf_or_dkim"]?.status == "pass" && answer.rows["spf"]?.status == "pass" && answer.rows["spf"]?.party == "ex_libris")
        #expect(answer.rows["dkim"]?.status == "unknown", "no selector named")
        #expect(answer.rows["dmarc_record"]?.status == "pass")
        #expect(answer.rows["alignment"]?.status == "fail" && answer.rows["alignment"]?.party == "institution")
        #expect(answer.rows["dmarc_policy"]?.status == "pass")
        #expect(answer.rows["ptr"]?.status == "pass", "the NA relays have forward-confirmed PTRs in the lab")
        #expect(answer.rows["tls"]?.status == "not_observable" && answer.rows["spam_rate"]?.status == "not_observable")
        #expect(answer.rows["blocklists"]?.status == "not_observable", "refusing.dnsbl.test answers 127.255.255.254")
        #expect(answer.provider("gmail").status == "fail" && answer.provider("gmail").replies == ["5.7.32", "4.7.32"])
        #expect(answer.provider("yahoo").status == "fail")
        #expect(answer.provider("outlook").status == "fail" && answer.provider("outlook").replies == ["5.7.515"])
        #expect(answer.json["envelope_assumed"] as? Bool == true && answer.json["envelope_domain"] as? String == "exlibrisgroup.com")

        // The same domain as a standard sender: only the rows asked of everyone; it passes.
        let standard = try await Self.inbox(["inbox.demo.test", "--region", "NA", "--db", database, "--class", "standard"] + Self.blocklists)
        #expect(standard.status == 0)
        for provider in ["gmail", "yahoo", "outlook"] { #expect(standard.provider(provider).status == "pass") }

        // A usable DKIM key at the named selector aligns it: passes as a bulk sender.
        let signed = try await Self.inbox(["inbox-dkim.demo.test", "--region", "NA", "--db", database, "--selector", "alma1"] + Self.blocklists)
        #expect(signed.status == 0, "\(signed.rows)")
        #expect(signed.rows["dkim"]?.status == "pass" && signed.rows["alignment"]?.status == "pass")
    }

    /// `dkim`: a named selector without a key fails (4.7.30), and so does an RSA key under 1024
    /// bits (Gmail requires 1024; RFC 8301).
    @Test func dkimRowFailsWithoutAUsableKey() async throws {
        let directory = try TemporaryDirectory()
        let database = try await Self.catalogDatabase(directory)
        let none = try await Self.inbox(["inbox-dkim.demo.test", "--region", "NA", "--db", database, "--selector", "nosuch", "--no-dnsbl"])
        #expect(none.rows["dkim"]?.status == "fail")
        #expect(none.provider("gmail").replies.contains("4.7.30"))
        let weak = try await CommandRunner.run(["dkim", "dkim.lab.test", "--selector", "s001", "--json", "--dns-server", Self.lab["LAB_DNS"]])
        #expect(weak.stdout.contains("\"too_weak\""), "s001 of the lab's corpus is a 512-bit key")
        let tooWeak = try await Self.inbox(["dkim.lab.test", "--sending-address", "127.0.20.1", "--selector", "s001", "--no-dnsbl"])
        #expect(tooWeak.rows["dkim"]?.status == "fail")
    }

    /// `dmarc_record`: a bulk domain without DMARC fails (4.7.40, 550 5.7.515); two records at the
    /// From domain give no policy in the RFC 7489 reading, so it fails there too.
    @Test func dmarcRecordRow() async throws {
        let directory = try TemporaryDirectory()
        let database = try await Self.catalogDatabase(directory)
        let missing = try await Self.inbox(["good-ip.demo.test", "--region", "NA", "--db", database, "--no-dnsbl"])
        #expect(missing.rows["dmarc_record"]?.status == "fail")
        #expect(missing.provider("gmail").replies.contains("4.7.40"))
        let twice = try await Self.inbox(["twice.demo.test", "--region", "NA", "--db", database, "--no-dnsbl", "--envelope-from", "alma@twice.demo.test"])
        #expect(twice.rows["dmarc_record"]?.status == "fail", "\(twice.rows["dmarc_record"]?.detail ?? "")")
        #expect(twice.rows["alignment"]?.status == "pass", "a branded envelope with the include aligns by SPF")
    }

    /// `dmarc_policy`: p=reject with Alma's envelope and no DKIM fails at every provider (5.7.26).
    @Test func dmarcPolicyRow() async throws {
        let directory = try TemporaryDirectory()
        let database = try await Self.catalogDatabase(directory)
        let answer = try await Self.inbox(["misaligned.demo.test", "--region", "NA", "--db", database, "--class", "standard", "--no-dnsbl"])
        #expect(answer.rows["dmarc_policy"]?.status == "fail")
        #expect(answer.provider("gmail").status == "fail" && answer.provider("gmail").replies == ["5.7.26"])
        #expect(answer.provider("yahoo").status == "fail" && answer.provider("outlook").status == "fail")
    }

    /// `ptr` of the Ex Libris relays: AP's relays have no PTR (Ex Libris's to fix; 5.7.25).
    /// Outlook.com does not ask it.
    @Test func ptrRowOfARegionWithoutReverseDNS() async throws {
        let directory = try TemporaryDirectory()
        let database = try await Self.catalogDatabase(directory)
        let answer = try await Self.inbox(["ap-campus.demo.test", "--region", "AP", "--db", database, "--class", "standard", "--no-dnsbl"])
        #expect(answer.rows["ptr"]?.status == "fail" && answer.rows["ptr"]?.party == "ex_libris")
        #expect(answer.provider("gmail").replies == ["5.7.25", "4.7.23"])
        #expect(answer.provider("outlook").status == "pass")
    }

    /// A campus relay: its egress's PTR (missing, or not confirmed forward), its listing, and the
    /// envelope domain's SPF against its addresses.
    @Test func aCampusRelaysOwnRows() async throws {
        // 198.51.100.99: PTR confirmed, SPF passes, listed on listed.dnsbl.test.
        let listed = try await Self.inbox(["listed-relay.demo.test", "--sending-address", "198.51.100.99", "--envelope-from", "a@listed-relay.demo.test", "--class", "standard"] + Self.blocklists)
        #expect(listed.rows["ptr"]?.status == "pass" && listed.rows["ptr"]?.party == "campus_relay")
        #expect(listed.rows["spf"]?.status == "pass")
        #expect(listed.rows["blocklists"]?.status == "fail")
        #expect(listed.rows["blocklists"]?.detail.contains("127.0.0.2") == true)
        #expect(listed.status == 0, "no provider names blocklists; the scan's verdict takes it (see the demo)")
        // 198.51.100.97: its PTR names a host that resolves elsewhere; the SPF does not authorize it.
        let stale = try await Self.inbox(["listed-relay.demo.test", "--sending-address", "198.51.100.97", "--envelope-from", "a@listed-relay.demo.test", "--no-dnsbl"])
        #expect(stale.rows["ptr"]?.status == "fail" && stale.rows["ptr"]?.detail.contains("does not resolve back") == true)
        #expect(stale.rows["spf"]?.status == "fail" && stale.rows["spf_or_dkim"]?.status == "fail")
        // SPF failing, the envelope cannot align either.
        #expect(stale.provider("gmail").replies == ["5.7.26", "4.7.26", "5.7.27", "4.7.27", "5.7.32", "4.7.32", "5.7.25", "4.7.23"])
        #expect(stale.provider("outlook").replies == ["5.7.515"])
        // 198.51.100.50: no PTR at all.
        let bare = try await Self.inbox(["listed-relay.demo.test", "--sending-address", "198.51.100.50", "--envelope-from", "a@listed-relay.demo.test", "--no-dnsbl"])
        #expect(bare.rows["ptr"]?.status == "fail" && bare.rows["ptr"]?.detail.contains("no PTR record") == true)
        #expect(bare.rows["blocklists"]?.status == "not_observable", "no list configured")
    }

    /// The SPF of exlibrisgroup.com, Alma's default envelope, once per region and run: the v2 page
    /// lists 198.51.100.8, which exlibrisgroup.com's record does not authorize. The institution's
    /// own SPF passes; the row is Ex Libris's, said once, naming it, and no letter asks the campus.
    @Test func exLibrisSPFNotPassingIsSaidOnce() async throws {
        let directory = try TemporaryDirectory()
        let inventory = try directory.write(#"{"consortium": "T", "defaults": {"region": "NA", "sender_class": "standard"}, "reputation": {"dnsbl": []}, "institutions": [{"id": "allna", "name": "All NA", "sender_domains": ["allna.demo.test"]}, {"id": "allna2", "name": "All NA 2", "sender_domains": ["allna.demo.test"]}]}"#, to: "inventory.json")
        let scan = try await CommandRunner.run(
            Self.lab.scan.arguments(inventory: inventory.path, in: directory.url, nameServer: .direct, page: "exlibris/v2.html"))
        #expect(scan.status == 1, "\(scan.stdout)\(scan.stderr)")
        #expect(scan.stdout.contains("EXLIBRIS_SPF_NOT_PASSING [2 institutions: allna, allna2]"), "\(scan.stdout)")
        #expect(!scan.stdout.contains("not compliant, worst first"), "the cause explains both: no line per institution")
        let findings = try String(contentsOf: directory.url.appendingPathComponent("Reports/latest/findings.csv"), encoding: .utf8)
        #expect(findings.components(separatedBy: ",,error,EXLIBRIS_SPF_NOT_PASSING,NA,").count == 2, "once for the run")
        #expect(findings.contains("allna,noncompliant,error,EXLIBRIS_SPF_NOT_PASSING,NA,"))
        let letters = directory.url.appendingPathComponent("Reports/latest/institutions")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: letters.path))?.isEmpty ?? true, "no campus letter for Ex Libris's row")
        let summary = try String(contentsOf: directory.url.appendingPathComponent("Reports/latest/summary.csv"), encoding: .utf8)
        #expect(summary.contains(",fail,fail,pass,pass\r\n"), "Gmail and Yahoo ask spf_or_dkim of everyone; Outlook.com only of bulk senders; iCloud only dmarc_policy of a standard sender: \(summary)")
    }

    /// IPv6: the PTR under ip6.arpa, forward-confirmed by AAAA, and the listing in nibble form.
    @Test func anIPv6EgressAddress() async throws {
        let answer = try await Self.inbox(["listed-relay.demo.test", "--sending-address", "2001:db8:20::25", "--envelope-from", "a@listed-relay.demo.test"] + Self.blocklists)
        #expect(answer.rows["ptr"]?.status == "pass", "\(answer.rows["ptr"]?.detail ?? "")")
        #expect(answer.rows["blocklists"]?.status == "fail" && answer.rows["blocklists"]?.detail.contains("2001:db8:20::25 is listed on listed.dnsbl.test (127.0.0.3)") == true,
                "\(answer.rows["blocklists"]?.detail ?? "")")
    }

    /// Issue 33, iCloud, the fourth provider (../shared/domain.md): bulk mail must meet `spf`,
    /// `dkim`, `dmarc_record`, `ptr` and `dmarc_policy`; a standard sender, `dmarc_policy` alone.
    /// Apple publishes no reply codes: a failing notice's reply reads `required`.
    @Test func iCloudFailsABulkSenderWithoutDKIMAndPassesAStandardSenderWithPNone() async throws {
        let directory = try TemporaryDirectory()
        let database = try await Self.catalogDatabase(directory)
        // SPF passes (exlibrisgroup.com for Alma's relays), the named selector has no key: no DKIM.
        let bulk = try await Self.inbox(["inbox.demo.test", "--region", "NA", "--db", database, "--selector", "nosuch", "--no-dnsbl"])
        #expect(bulk.rows["spf"]?.status == "pass" && bulk.rows["dkim"]?.status == "fail", "\(bulk.rows)")
        #expect(bulk.provider("icloud").status == "fail" && bulk.provider("icloud").replies == ["required"], "\(bulk.json)")
        #expect(bulk.provider("gmail").status == "fail")
        let standard = try await Self.inbox(["inbox.demo.test", "--region", "NA", "--db", database, "--class", "standard", "--no-dnsbl"])
        #expect(standard.provider("icloud").status == "pass" && standard.provider("icloud").replies.isEmpty, "p=none: the policy is met")
        // The column holds only dmarc_policy for a standard sender, all five rows for a bulk one.
        let rows = { (senderClass: SenderClass) in InboxRow.allCases.filter { ReceivingProvider.icloud.requires($0, of: senderClass) } }
        #expect(rows(.standard) == [.dmarcPolicy] && rows(.bulk) == [.spf, .dkim, .dmarcRecord, .dmarcPolicy, .ptr])
    }

    /// `inbox` decides the From domain's existence as the scan does: a domain that does not exist
    /// is said once, FROM_DOMAIN_NOT_FOUND, never "publishes no" (issue 32).
    @Test func inboxSaysAFromDomainThatDoesNotExist() async throws {
        let directory = try TemporaryDirectory()
        let database = try await Self.catalogDatabase(directory)
        let result = try await CommandRunner.run(["inbox", "nosuch-inbox.demo.test", "--region", "NA", "--db", database, "--no-dnsbl", "--dns-server", Self.lab["LAB_DNS"]])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("error: FROM_DOMAIN_NOT_FOUND: nosuch-inbox.demo.test, a From domain of the notices, does not exist"), "\(result.stdout)")
        #expect(!result.stdout.contains("publishes no") && result.stdout.components(separatedBy: "FROM_DOMAIN_NOT_FOUND").count == 2, "\(result.stdout)")
    }

    /// Apple's own words (../shared/realworld/policy-texts/, read there, never copied): bulk mail
    /// that misses the rows iCloud's column requires is rejected.
    @Test(.enabled(if: Fixtures.hasPolicyTexts, Fixtures.policyTextsAbsent))
    func iCloudsRowsAreInApplesOwnText() throws {
        let apple = try String(contentsOf: Fixtures.policyTextsFolder.appendingPathComponent("no-auth-no-entry__apple-102322-icloud-postmaster.txt"), encoding: .utf8)
        for phrase in ["will be rejected", "Publish reverse DNS", "Sender Policy Framework (SPF)", "DomainKeys Identified Mail", "(DMARC) policy",
                       "honors the domain's policy"] {
            #expect(apple.contains(phrase), "\(phrase)")
        }
    }

    /// Every reply code the product prints is one the providers publish
    /// (../shared/realworld/policy-texts/, read there, never copied; skipped, saying why, without them).
    @Test(.enabled(if: Fixtures.hasPolicyTexts, Fixtures.policyTextsAbsent))
    func everyReplyPrintedIsInTheProvidersOwnTexts() throws {
        let folder = Fixtures.policyTextsFolder
        let google = try String(contentsOf: folder.appendingPathComponent("no-auth-no-entry__google-3726730-smtp-errors-and-codes.txt"), encoding: .utf8)
        let microsoft = try String(contentsOf: folder.appendingPathComponent("no-auth-no-entry__microsoft-new-requirements-for-high-volume-senders.txt"), encoding: .utf8)
        var printed = 0
        for row in InboxRow.allCases {
            for code in ReceivingProvider.gmail.replies(for: row) ?? [] {
                #expect(google.contains(code), "Gmail \(code) for \(row)")
                printed += 1
            }
            for code in ReceivingProvider.outlook.replies(for: row) ?? [] {
                #expect(microsoft.contains("550; \(code)"), "Outlook.com \(code) for \(row)")
                printed += 1
            }
        }
        #expect(printed == 16)
        // The thresholds the product names.
        let yahoo = try String(contentsOf: folder.appendingPathComponent("no-auth-no-entry__yahoo-senders-best-practices.txt"), encoding: .utf8)
        #expect(yahoo.contains("0.3%"))
        let faq = try String(contentsOf: folder.appendingPathComponent("no-auth-no-entry__google-14229414-email-sender-guidelines-faq.txt"), encoding: .utf8)
        #expect(faq.contains("5,000"))
    }
}
