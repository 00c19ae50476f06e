import Foundation
import Testing
@testable import NoticeAudit

/// The built binary scanning the lab's demo consortium: every verdict path, across two runs.
@Suite("scan end to end (the binary and the lab)", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct ScanEndToEndTests {
    static var lab: LabEnvironment { LabEnvironment.current! }
    static let demo = CommandRunner.packageRoot.appendingPathComponent("Tests/Lab/demo")

    static func scan(_ inventory: String, in directory: TemporaryDirectory, extra: [String] = [], environment: [String: String]? = nil) async throws -> CommandResult {
        try await CommandRunner.run(
            lab.scan.arguments(inventory: demo.appendingPathComponent(inventory).path, in: directory.url, timeout: "10") + extra,
            environment: environment ?? ["DEMO_RELAY_PASSWORD": lab["LAB_SMTP_PASSWORD"], "DEMO_WRONG_PASSWORD": "not-it"])
    }

    /// The first findings.csv row of `institution` (its deciding finding).
    static func firstFinding(_ institution: String, in findings: String) -> String? {
        findings.split(separator: "\r\n").first { $0.hasPrefix("\(institution),") }.map(String.init)
    }

    /// summary.csv as institution → column → value.
    static func summary(_ directory: TemporaryDirectory, folder: String = "latest") throws -> [String: [String: String]] {
        let text = try String(contentsOf: directory.url.appendingPathComponent("Reports/\(folder)/summary.csv"), encoding: .utf8)
        let lines = text.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        var rows: [String: [String: String]] = [:]
        for line in lines.dropFirst() { rows[line[0]] = Dictionary(uniqueKeysWithValues: zip(header, line)) }
        return rows
    }

    // institution: status, method, spf_result, relay_status for run 1, then run 2 with its change.
    // Run 1's change is `new` for a known status and `unverified` for an unknown one.
    static let expected: [(String, String, String, String, String, String, String)] = [
        // id, status1, method, spf1, relay1, status2, change2
        ("good-include", "compliant", "spf", "pass", "", "compliant", "unchanged"),
        ("good-ip", "compliant", "spf", "pass", "", "compliant", "unchanged"),
        ("missing", "noncompliant", "spf", "fail", "", "noncompliant", "unchanged"),
        ("softfail", "noncompliant", "spf", "softfail", "", "noncompliant", "unchanged"),
        ("partial", "noncompliant", "spf", "fail", "", "noncompliant", "unchanged"),
        ("nospf", "noncompliant", "spf", "none", "", "noncompliant", "unchanged"),
        ("broken", "noncompliant", "spf", "permerror", "", "noncompliant", "unchanged"),
        ("toomany", "noncompliant", "spf", "permerror", "", "noncompliant", "unchanged"),
        ("flaky", "unknown", "spf", "temperror", "", "unknown", "unverified"),
        ("misaligned", "noncompliant", "spf", "pass", "", "noncompliant", "unchanged"),
        ("flip-fix", "noncompliant", "spf", "fail", "", "compliant", "fixed"),
        ("flip-regress", "compliant", "spf", "pass", "", "noncompliant", "regressed"),
        ("relay-good", "compliant", "relay", "", "ok", "compliant", "unchanged"),
        ("relay-expired", "noncompliant", "relay", "", "cert_expired", "noncompliant", "unchanged"),
        ("relay-noauth", "noncompliant", "relay", "", "auth_missing", "noncompliant", "unchanged"),
        ("relay-silent", "unknown", "relay", "", "timeout", "unknown", "unverified"),
        ("relay-badpass", "noncompliant", "relay", "", "auth_failed", "compliant", "fixed"),
        // Refused from the scanner's side: unknown unless campus IT admitted the scanner.
        ("relay-857", "unknown", "relay", "", "refused", "unknown", "unverified"),
        ("relay-firewalled", "unknown", "relay", "", "refused", "unknown", "unverified"),
        ("relay-admitted", "noncompliant", "relay", "", "refused", "noncompliant", "unchanged"),
        // STARTTLS answered 454: temporary, so unknown.
        ("relay-tls-busy", "unknown", "relay", "", "temporary", "unknown", "unverified"),
        // Every known CA relay passes, but the CA include's tree black-holes: unknown.
        ("incomplete-ca", "unknown", "spf", "pass", "", "unknown", "unverified"),
        // Compliant on night 1; night 2 its DNS is out: unverified, not a regression.
        ("outage", "compliant", "spf", "pass", "", "unknown", "unverified"),
        // DMARC p=reject with Alma's envelope: rescued by a usable DKIM key, or not (revoked).
        ("dkim-rescued", "compliant", "spf", "pass", "", "compliant", "unchanged"),
        ("dkim-revoked", "noncompliant", "spf", "pass", "", "noncompliant", "unchanged"),
        // Hostile text (issue 15): an SPF record and a relay greeting full of markup and escapes.
        ("hostile-spf", "noncompliant", "spf", "permerror", "", "noncompliant", "unchanged"),
        ("relay-hostile", "noncompliant", "relay", "", "rejected", "noncompliant", "unchanged"),
        // A 5xx greeting to the scanner proves nothing unless campus IT admitted it (issue 19).
        ("relay-554", "unknown", "relay", "", "rejected", "unknown", "unverified"),
        // Issue 19: Alma's default envelope assumed under p=quarantine; a subdomain envelope
        // without the include; two DMARC records (no policy, a warning); a reset after EHLO.
        ("default-envelope", "noncompliant", "spf", "pass", "", "noncompliant", "unchanged"),
        ("envelope-sub", "noncompliant", "spf", "pass", "", "noncompliant", "unchanged"),
        ("dmarc-twice", "compliant", "spf", "pass", "", "compliant", "unchanged"),
        ("relay-reset", "unknown", "relay", "", "refused", "unknown", "unverified"),
        // Issue 24: a DMARC record only at lib.deep.test: RFC 9989 receivers apply its p=reject.
        ("readings-differ", "noncompliant", "spf", "pass", "", "noncompliant", "unchanged"),
        // Issue 20, the receivers' rules: a bulk domain on Alma's default envelope with p=none
        // fails at all three; the same domain as a standard sender passes; a usable DKIM key at
        // the named selector aligns a bulk sender; a campus relay whose egress the envelope's SPF
        // omits; a campus relay whose egress is listed; region AP, whose relays have no PTR.
        ("inbox-bulk", "noncompliant", "spf", "pass", "", "noncompliant", "unchanged"),
        ("inbox-standard", "compliant", "spf", "pass", "", "compliant", "unchanged"),
        ("inbox-dkim", "compliant", "spf", "pass", "", "compliant", "unchanged"),
        ("relay-spfless", "noncompliant", "relay", "", "ok", "noncompliant", "unchanged"),
        ("relay-listed", "noncompliant", "relay", "", "ok", "noncompliant", "unchanged"),
        ("ap-noptr", "noncompliant", "spf", "pass", "", "noncompliant", "unchanged"),
    ]

    @Test func everyVerdictPathAcrossTwoRunsWithAFixAndARegression() async throws {
        let directory = try TemporaryDirectory()
        let first = try await Self.scan("inventory.json", in: directory)
        #expect(first.status == 1, "stderr: \(first.stderr)")
        let run1 = try Self.summary(directory)
        #expect(run1.count == Self.expected.count)
        for (id, status, method, spf, relay, _, _) in Self.expected {
            let row = try #require(run1[id], "\(id) missing from run 1")
            #expect(row["status"] == status, "\(id)")
            #expect(row["method"] == method, "\(id)")
            #expect(row["spf_result"] == spf, "\(id)")
            #expect(row["relay_status"] == relay, "\(id)")
            #expect(row["change"] == (status == "unknown" ? "unverified" : "new"), "\(id)")
        }
        #expect(run1["misaligned"]?["dmarc_policy"] == "reject")

        // The webhook URL is a credential: given in a file, never shown in full, even in debug logs.
        let hook = "https://\(Self.lab["LAB_HTTPS_HOSTNAME"]):\(Self.lab["LAB_HTTPS_PORT"])/hooks/\(UUID().uuidString)"
        let hookFile = try directory.write(hook + "\n", to: "webhook-url")
        let second = try await Self.scan("inventory-run2.json", in: directory, extra: ["--notify-webhook-file", hookFile.path, "--log-level", "debug"])
        #expect(second.status == 1)
        // The debug log quotes DNS answers and SMTP replies: the hostile ones with their escapes made visible.
        #expect(!second.stderr.contains("\u{1B}") && second.stderr.contains("\\x1B[31mred"), "\(second.stderr.suffix(2000))")
        #expect(second.stdout.contains("  fixed (2): flip-fix, relay-badpass"), "\(second.stdout)")
        #expect(second.stdout.contains("  regressed (1): flip-regress"))
        // The regression was posted to the lab's webhook receiver.
        let posts = try String(contentsOfFile: Self.lab["LAB_HTTPS_POST_LOG"], encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { ($0["path"] as? String) == URL(string: hook)!.path }
        #expect(posts.count == 1)
        #expect(posts.first?["content_type"] as? String == "application/json")
        let body = (posts.first?["body"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect((body?["text"] as? String)?.contains("Regressed: Regressed Overnight College (flip-regress) is now noncompliant") == true)
        #expect(body?["regressed"] as? [String] == ["flip-regress"])
        let run2 = try Self.summary(directory)
        for (id, _, _, _, _, status, change) in Self.expected {
            #expect(run2[id]?["status"] == status, "\(id)")
            #expect(run2[id]?["change"] == change, "\(id)")
        }
        let markdown = try String(contentsOf: directory.url.appendingPathComponent("Reports/latest/summary.md"), encoding: .utf8)
        #expect(markdown.contains("Fixed Overnight College** (flip-fix): fixed, now compliant"))
        #expect(markdown.contains("Publish this TXT record at missing.demo.test: v=spf1 ip4:203.0.113.0/24 include:spf-na.exlibrisgroup.com -all"))
        #expect(markdown.contains("](trend.svg)") && markdown.contains("[index.html](index.html)"))
        let latest = directory.url.appendingPathComponent("Reports/latest")
        for file in ["index.html", "trend.svg", "institutions/missing.md", "institutions/relay-hostile.md", "../index.html"] {
            #expect(FileManager.default.fileExists(atPath: latest.appendingPathComponent(file).path), "\(file)")
        }
        #expect(!FileManager.default.fileExists(atPath: latest.appendingPathComponent("institutions/good-ip.md").path), "a letter only where one is needed")
        // The hostile SPF record (markup, backticks, an ANSI escape, a line feed) and the hostile
        // greeting came through the lab's DNS and SMTP servers: shown as text everywhere, never acting.
        let html = try String(contentsOf: latest.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.contains("&lt;script&gt;alert(&#39;spf&#39;)&lt;/script&gt; | `tick` &quot;q&quot; \\x1B[31mred"))
        #expect(html.contains("554-&lt;script&gt;alert(&#39;banner&#39;)&lt;/script&gt;"))
        #expect(html.contains("x=&lt;img src=x onerror=alert(&#39;dmarc&#39;)&gt;"))
        #expect(!html.contains("<script>alert") && !html.contains("<img src=x"))
        for file in ["index.html", "summary.md", "summary.csv", "findings.csv", "institutions/hostile-spf.md", "institutions/relay-hostile.md"] {
            let text = try String(contentsOf: latest.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains("\u{1B}"), "\(file) holds a raw escape character")
        }
        #expect(markdown.contains(#"554-\<script>alert('banner')\</script> \| pipe \`tick\`"#), "escaped in summary.md")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.url.appendingPathComponent("Reports/latest/scan.json"))) as? [String: Any]
        #expect((json?["counts"] as? [String: Int])?["total"] == Self.expected.count)
        let outage = (json?["institutions"] as? [[String: Any]])?.first { $0["institution_id"] as? String == "outage" }
        #expect(outage?["unknown_runs"] as? Int == 1)
        // Findings the new rules give, with fixes that fix.
        let findings = try String(contentsOf: directory.url.appendingPathComponent("Reports/latest/findings.csv"), encoding: .utf8)
        #expect(findings.contains("relay-firewalled,unknown,warning,RELAY_UNREACHABLE_FROM_SCANNER"), "\(findings)")
        #expect(findings.contains("relay-admitted,noncompliant,error,RELAY_REFUSED"))
        #expect(findings.contains("relay-tls-busy,unknown,warning,RELAY_TEMPORARY"))
        #expect(findings.contains("incomplete-ca,unknown,warning,CATALOG_INCOMPLETE"))
        #expect(findings.contains("dkim-rescued,compliant,info,DMARC_ALIGNED_BY_DKIM"))
        #expect(findings.contains("dkim-revoked,noncompliant,error,DKIM_REVOKED"))
        #expect(findings.contains("dkim-revoked,noncompliant,error,DMARC_MISALIGNED"))
        #expect(run2["dkim-rescued"]?["dkim_status"] == "ok" && run2["dkim-revoked"]?["dkim_status"] == "revoked" && run2["good-ip"]?["dkim_status"] == "")
        #expect(findings.contains(",,warning,CATALOG_INCOMPLETE,CA,"), "the run-level finding, with an empty institution")
        #expect(!findings.contains("CATALOG_PAGE_INCLUDE_DISAGREE,CA"), "a DNS failure is not a disagreement")
        #expect(markdown.contains("**Outage Night College** (outage): unverified, unknown in this run (not a fix and not a regression)"))
        // Issue 19: the sending path. Alma's default envelope is assumed and said; under
        // p=quarantine it fails DMARC, and that failure decides (listed first, decisive).
        #expect(findings.contains("default-envelope,noncompliant,error,DMARC_MISALIGNED,defenv.demo.test,"), "\(findings)")
        #expect(findings.contains("default-envelope,noncompliant,info,ENVELOPE_DEFAULT_ASSUMED,default-envelope,"))
        #expect(Self.firstFinding("default-envelope", in: findings)?.hasSuffix(",true,") == true)
        // An envelope on a campus subdomain is checked: its SPF fails, so it cannot align.
        #expect(Self.firstFinding("envelope-sub", in: findings)?.contains(",ENVELOPE_SPF_NOT_PASSING,mail.envsub.demo.test,") == true)
        #expect(findings.contains("envelope-sub,noncompliant,error,DMARC_MISALIGNED,envsub.demo.test,"))
        // Two DMARC records end discovery (RFC 7489 §6.6.3): a warning, no policy, no fall-through.
        #expect(findings.contains("dmarc-twice,compliant,warning,DMARC_MULTIPLE_RECORDS,twice.demo.test,"))
        #expect(run2["dmarc-twice"]?["dmarc_policy"] == "")
        // The vantage point after the connection: a 554 greeting and a reset after EHLO are unknown,
        // and the request to admit the scanner names its address (scanner.egress_addresses).
        #expect(Self.firstFinding("relay-554", in: findings)?.contains(",RELAY_UNREACHABLE_FROM_SCANNER,") == true)
        #expect(Self.firstFinding("relay-reset", in: findings)?.contains(",RELAY_UNREACHABLE_FROM_SCANNER,") == true)
        let resetLetter = try String(contentsOf: latest.appendingPathComponent("institutions/relay-reset.md"), encoding: .utf8)
        #expect(resetLetter.contains("the consortium's scanner at 127.0.0.1") && !resetLetter.contains("admits_scanner"), "\(resetLetter)")
        // Issue 24: the readings differ, the worse decides; the dashboard and the letter say both
        // and the one change that makes them agree; dmarc_policy is the RFC 9989 reading's.
        #expect(run2["readings-differ"]?["dmarc_policy"] == "reject")
        #expect(Self.firstFinding("readings-differ", in: findings)?.contains(",DMARC_MISALIGNED,alma.lib.deep.test,") == true)
        #expect(findings.contains("readings-differ,noncompliant,info,DMARC_READINGS_DIFFER,alma.lib.deep.test,"))
        let differLetter = try String(contentsOf: latest.appendingPathComponent("institutions/readings-differ.md"), encoding: .utf8)
        #expect(differLetter.contains("receivers that follow RFC 9989 apply p=reject of lib.deep.test; receivers still on RFC 7489 apply no DMARC"), "\(differLetter)")
        #expect(differLetter.contains("Publish the record of _dmarc.lib.deep.test at _dmarc.alma.lib.deep.test"), "\(differLetter)")
        #expect(html.contains("DMARC of <code>alma.lib.deep.test</code> (<strong>the readings differ</strong>)"))
        let scanJSON = (json?["institutions"] as? [[String: Any]])?.first { $0["institution_id"] as? String == "readings-differ" }
        let readings = (scanJSON?["dmarc"] as? [String: Any])?["alma.lib.deep.test"] as? [String: Any]
        #expect(readings?["differ"] as? Bool == true)
        #expect((readings?["rfc9989"] as? [String: Any])?["record_domain"] as? String == "lib.deep.test")
        #expect((readings?["rfc7489"] as? [String: Any])?["status"] as? String == "none")
        // An unknown institution's summary.csv names its deciding finding.
        #expect(run2["relay-firewalled"]?["findings"]?.hasPrefix("RELAY_UNREACHABLE_FROM_SCANNER") == true)
        // Issue 20, the receivers' rules: the provider columns, the deciding rows, the causes
        // that are Ex Libris's said once (no letter), the digest's providers and replies.
        #expect(run2["inbox-bulk"]?["gmail"] == "fail" && run2["inbox-bulk"]?["yahoo"] == "fail" && run2["inbox-bulk"]?["outlook"] == "fail")
        #expect(Self.firstFinding("inbox-bulk", in: findings)?.contains(",INBOX_UNALIGNED,inbox.demo.test,") == true)
        #expect(["gmail", "yahoo", "outlook"].allSatisfy { run2["inbox-standard"]?[$0] == "pass" && run2["inbox-dkim"]?[$0] == "pass" })
        #expect(Self.firstFinding("relay-spfless", in: findings)?.contains(",ENVELOPE_SPF_NOT_PASSING,spfless-relay.demo.test,") == true)
        #expect(run2["relay-spfless"]?["gmail"] == "fail" && run2["relay-spfless"]?["outlook"] == "pass", "Outlook.com does not ask SPF of standard senders")
        #expect(Self.firstFinding("relay-listed", in: findings)?.contains(",SENDER_LISTED,198.51.100.99,") == true)
        #expect(Self.firstFinding("ap-noptr", in: findings)?.contains(",EXLIBRIS_RELAY_PTR_MISSING,AP,") == true)
        #expect(findings.contains(",,error,EXLIBRIS_RELAY_PTR_MISSING,AP,") && findings.contains(",ap-noptr\r\n"), "said once, naming the institution")
        #expect(findings.contains(",,warning,DNSBL_UNUSABLE,refusing.dnsbl.test,"))
        #expect(!FileManager.default.fileExists(atPath: latest.appendingPathComponent("institutions/ap-noptr.md").path), "Ex Libris's rows never become a campus letter")
        let bulkLetter = try String(contentsOf: latest.appendingPathComponent("institutions/inbox-bulk.md"), encoding: .utf8)
        #expect(bulkLetter.contains("**Gmail** refuses them or sends them to spam") && bulkLetter.contains("550 5.7.515"), "\(bulkLetter)")
        #expect(bulkLetter.contains("**The one change that fixes most:** Set up DKIM signing in inbox.demo.test"))
        #expect(second.stdout.contains("INBOX_UNALIGNED") && second.stdout.contains("[Gmail 5.7.32, Yahoo, Outlook.com 550 5.7.515]"), "\(second.stdout)")
        #expect(second.stdout.contains("EXLIBRIS_RELAY_PTR_MISSING [1 institution: ap-noptr]"))
        let inbox = (json?["institutions"] as? [[String: Any]])?.first { $0["institution_id"] as? String == "inbox-bulk" }?["inbox"] as? [String: Any]
        #expect(inbox?["sender_class"] as? String == "bulk" && inbox?["envelope_assumed"] as? Bool == true)
        #expect(((inbox?["providers"] as? [String: Any])?["gmail"] as? [String: Any])?["replies"] as? [String] == ["5.7.32", "4.7.32"])
        #expect((inbox?["requirements"] as? [[String: Any]])?.map { $0["row"] as? String ?? "" }
                == ["spf_or_dkim", "spf", "dkim", "dmarc_record", "alignment", "dmarc_policy", "ptr", "tls", "blocklists", "spam_rate"])
        // ../shared/domain.md, "Remediation": no fix repeats the record already published, and
        // every recommended record passes for every relay address when evaluated here.
        let resolver = try CAresResolver(servers: [try DNSServerAddress(parsing: Self.lab["LAB_FAULT_DNS"])], timeout: .seconds(10))
        defer { resolver.shutdown() }
        let relays = [IPNetwork(cidr: "192.0.2.16/28")!, IPNetwork(cidr: "198.51.100.7/32")!]
        var published: [String: String] = [:]
        for institution in (json?["institutions"] as? [[String: Any]]) ?? [] {
            for domain in (institution["domains"] as? [[String: Any]]) ?? [] {
                if let name = domain["domain"] as? String, let record = domain["record"] as? String { published[name] = record }
            }
        }
        var recommended = 0
        for line in findings.split(separator: "\r\n") {
            guard let range = line.range(of: "Publish this TXT record at ") else { continue }
            let rest = line[range.upperBound...]
            guard let colon = rest.range(of: ": ") else { continue }
            let domain = String(rest[..<colon.lowerBound])
            // The record (no comma in it) runs to the end of the remediation cell.
            let record = String(rest[colon.upperBound...].prefix { $0 != "\"" && $0 != "," })
            #expect(record != published[domain], "\(domain): the fix repeats the record already published")
            let overlay = RecordOverlayResolver(base: resolver, name: domain, record: record)
            let coverages = try await SPFEvaluator(resolver: overlay).coverage(ranges: relays, domain: domain, sender: "a@\(domain)")
            #expect(coverages.allSatisfy { $0.worstResult == .pass && $0.maximumDNSLookups <= 10 }, "\(domain): \(record)")
            recommended += 1
        }
        #expect(recommended >= 2, "\(findings)")
        // The password reaches no report, history row or output.
        let password = Self.lab["LAB_SMTP_PASSWORD"]
        for file in ["summary.md", "summary.csv", "findings.csv", "scan.json"] {
            #expect(!(try String(contentsOf: directory.url.appendingPathComponent("Reports/latest/\(file)"), encoding: .utf8)).contains(password))
        }
        let database = try Data(contentsOf: directory.url.appendingPathComponent("history.sqlite"))
        #expect(database.range(of: Data(password.utf8)) == nil)
        #expect(!(first.stdout + first.stderr + second.stdout + second.stderr).contains(password))
        let secretPath = URL(string: hook)!.path
        #expect(!(second.stdout + second.stderr).contains(secretPath))
        for file in ["summary.md", "summary.csv", "findings.csv", "scan.json"] {
            #expect(!(try String(contentsOf: directory.url.appendingPathComponent("Reports/latest/\(file)"), encoding: .utf8)).contains(secretPath))
        }
        #expect(database.range(of: Data(secretPath.utf8)) == nil)
        // Issue 12 item 11: the debug log shows every DNS query, the relay dialogues and the catalog fetch.
        #expect(second.stderr.contains("dns query"), "\(second.stderr.suffix(2000))")
        #expect(second.stderr.contains("dns.name=good-ip.demo.test") && second.stderr.contains("dns.outcome="))
        #expect(second.stderr.contains("smtp step") && second.stderr.contains("smtp.line="))
        #expect(second.stderr.contains("catalog fetch finished"))
        // At the default level, none of it.
        #expect(!first.stderr.contains("dns query") && !first.stderr.contains("smtp step") && !first.stderr.contains("catalog fetch"))
    }

    @Test func adhocRescanCoversOnlyTheNamedInstitutions() async throws {
        let directory = try TemporaryDirectory()
        _ = try await Self.scan("inventory.json", in: directory)
        let rescan = try await Self.scan("inventory-run2.json", in: directory, extra: ["--institution", "flip-fix"])
        #expect(rescan.status == 0, "stdout: \(rescan.stdout) stderr: \(rescan.stderr)")
        #expect(rescan.stdout.contains("(ad-hoc: flip-fix)"))
        // The rescan's own folder (it leaves `latest` on the consortium run, issue 19).
        let summaryPath = try #require(rescan.stdout.split(separator: "\n").first { $0.hasPrefix("summary:") }).dropFirst("summary:".count)
            .trimmingCharacters(in: .whitespaces)
        let folder = URL(fileURLWithPath: summaryPath).deletingLastPathComponent()
        let rows = try Self.summary(directory, folder: folder.lastPathComponent)
        #expect(rows.keys.sorted() == ["flip-fix"])
        #expect(rows["flip-fix"]?["change"] == "fixed")
        #expect(try Self.summary(directory).count == Self.expected.count, "latest still shows the consortium run")
        let markdown = try String(contentsOf: folder.appendingPathComponent("summary.md"), encoding: .utf8)
        #expect(markdown.contains("Ad-hoc rescan covering only: flip-fix"))
        let history = try await CommandRunner.run(["history", "--institution", "flip-fix", "--db", directory.url.appendingPathComponent("history.sqlite").path])
        #expect(history.stdout.contains("manual: noncompliant (new)"))
        #expect(history.stdout.contains("adhoc: compliant (fixed)"))
    }

    @Test func invalidInventoryScansNothingAndExitsTwo() async throws {
        let directory = try TemporaryDirectory()
        let broken = try directory.write(#"{"consortium": "X", "institutions": [{"id": "a"}]}"#, to: "broken.json")
        let run = try await CommandRunner.run(["scan", "--inventory", broken.path, "--db", directory.url.appendingPathComponent("h.sqlite").path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("institutions[0].name"))
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("h.sqlite").path))
    }

    @Test func killedScanIsMarkedAbortedAndKeepsWhatItFinished() async throws {
        let directory = try TemporaryDirectory()
        let database = directory.url.appendingPathComponent("history.sqlite").path
        // Three quick institutions, then relays that never greet (3 s per step), one at a time:
        // the scan is surely still running when it is killed.
        let silent = (0..<10).map { index in
            #"{"id": "silent\#(index)", "name": "Silent \#(index)", "sender_domains": ["relay.demo.test"], "delivery": "relay", "envelope_from": "a@relay.demo.test", "relay": {"host": "smtp.lab.test", "port": 2592, "security": "starttls"}}"#
        }
        let quick = ["good-include", "good-ip", "missing"].map { #"{"id": "\#($0)", "name": "\#($0)", "sender_domains": ["\#($0).demo.test"]}"# }
        let inventory = try directory.write(#"{"consortium": "KILL", "defaults": {"region": "NA"}, "institutions": ["# + (quick + silent).joined(separator: ",") + "]}", to: "inventory.json")
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = Self.lab.scan.arguments(inventory: inventory.path, in: directory.url, database: database, timeout: "3") + ["--concurrency", "1"]
        process.environment = CommandRunner.environment()
        process.standardOutput = FileHandle.nullDevice
        // Kept for the failure message: what the scan was doing when it was killed.
        let stderrURL = directory.url.appendingPathComponent("scan.stderr")
        try Data().write(to: stderrURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        let started = ContinuousClock.now
        try process.run()
        // Wait until the quick results are committed, then kill -9. The watch runs on its own
        // thread: the test pool has one thread per core, and other tests that wait for the binary
        // synchronously can hold them all for half a minute, long enough for the whole scan to end
        // before a sleeping task here would run again (seen: killed after 34.7 s, 13 committed).
        let processID = process.processIdentifier
        let (committed, waited) = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var committed = 0
                for _ in 0..<300 {
                    usleep(100_000)
                    if let store = try? ScanStore(database: HistoryDatabase(path: database)), let run = try? store.latestRun() {
                        committed = (try? store.results(run: run.id).count) ?? 0
                        if committed >= 3 { break }
                    }
                }
                kill(processID, SIGKILL)
                continuation.resume(returning: (committed, ContinuousClock.now - started))
            }
        }
        process.waitUntilExit()
        #expect(committed >= 3, "the scan's stderr: \((try? String(contentsOf: stderrURL, encoding: .utf8))?.suffix(2000) ?? "")")

        let again = try await Self.scan("inventory.json", in: directory, extra: ["--institution", "good-include"])
        #expect(again.status == 0, "stderr: \(again.stderr)")
        let store = ScanStore(database: try HistoryDatabase(path: database))
        let killed = try #require(try store.run(id: 1))
        let seen = try store.results(run: 1).map { "\($0.institutionID): \($0.status) \($0.relayStatus.map { "\($0)" } ?? "-") \($0.durationMilliseconds) ms" }
        #expect(killed.status == .aborted, "killed after \(waited) with \(committed) committed; results: \(seen)")
        #expect(try store.results(run: 1).count >= committed)
        #expect(try store.results(run: 1).count < 13)
        #expect(try store.run(id: 2)?.status == .completed)
    }

    @Test func twoScansAtOnceOnOneDatabaseBothComplete() async throws {
        let directory = try TemporaryDirectory()
        async let nightly = Task.detached { try await Self.scan("inventory.json", in: directory) }.value
        async let adhoc = Task.detached { try await Self.scan("inventory.json", in: directory, extra: ["--institution", "good-ip", "--institution", "relay-good"]) }.value
        let (first, second) = try await (nightly, adhoc)
        #expect(first.status == 1, "\(first.stderr)")
        #expect(second.status == 0, "\(second.stderr)")
        let store = ScanStore(database: try HistoryDatabase(path: directory.url.appendingPathComponent("history.sqlite").path))
        #expect(try store.run(id: 1)?.status == .completed)
        #expect(try store.run(id: 2)?.status == .completed)
        #expect(try store.results(run: 1).count + store.results(run: 2).count == Self.expected.count + 2)
        // Issue 12 item 6: latest is a link to one of the two runs, complete.
        let latest = directory.url.appendingPathComponent("Reports/latest").path
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: latest)
        #expect(target.hasSuffix("-run1") || target.hasSuffix("-run2"), "\(target)")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: latest))
        #expect(files.isSuperset(of: ["summary.md", "summary.csv", "findings.csv", "scan.json", "index.html", "trend.svg"]), "\(files)")
        #expect(files.isSubset(of: ["summary.md", "summary.csv", "findings.csv", "scan.json", "index.html", "trend.svg", "institutions"]), "\(files)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.appendingPathComponent("Reports").path).filter { $0.hasPrefix(".") }.isEmpty)
    }
}

extension ScanEndToEndTests {
    @Test func unreachableWebhookNeverFailsTheScan() async throws {
        let directory = try TemporaryDirectory()
        _ = try await Self.scan("inventory.json", in: directory)
        // From the environment, as a systemd credential or a Kubernetes secret would give it.
        let secret = "T000/B000/\(UUID().uuidString)"
        let run = try await Self.scan("inventory-run2.json", in: directory, environment: [
            "DEMO_RELAY_PASSWORD": Self.lab["LAB_SMTP_PASSWORD"], "DEMO_WRONG_PASSWORD": "not-it",
            "NOTICE_AUDIT_WEBHOOK_URL": "https://\(Self.lab["LAB_HTTPS_HOSTNAME"]):\(Self.lab["LAB_SMTP_CLOSED_PORT"])/\(secret)",
        ])
        #expect(run.status == 1)
        #expect(run.stderr.contains("the webhook at \(Self.lab["LAB_HTTPS_HOSTNAME"]) could not be notified"), "\(run.stderr)")
        #expect(!(run.stdout + run.stderr).contains(secret))
        #expect(run.stdout.contains("summary:   ") && run.stdout.contains("dashboard: "))
    }
}

extension ScanEndToEndTests {
    /// ../shared/domain.md, "Changes between runs", through the binary over three nights: a DNS
    /// outage (unverified, no webhook), the recovery (new: no earlier known status), then a real
    /// regression (regressed, webhook).
    @Test func outageRecoveryRegressionThroughTheBinary() async throws {
        let directory = try TemporaryDirectory()
        let hook = "https://\(Self.lab["LAB_HTTPS_HOSTNAME"]):\(Self.lab["LAB_HTTPS_PORT"])/hooks/\(UUID().uuidString)"
        let hookFile = try directory.write(hook + "\n", to: "webhook-url")
        func night(_ domain: String) async throws -> [String: String] {
            let inventory = try directory.write(#"{"consortium": "NIGHTS", "defaults": {"region": "NA", "sender_class": "standard"}, "institutions": [{"id": "campus", "name": "Campus", "sender_domains": ["\#(domain)"]}]}"#, to: "nights.json")
            let run = try await CommandRunner.run(
                Self.lab.scan.arguments(inventory: inventory.path, in: directory.url, timeout: "10") + ["--notify-webhook-file", hookFile.path])
            #expect(run.status <= 1, "\(run.stderr)")
            return try #require(try Self.summary(directory)["campus"])
        }
        func posts() throws -> Int {
            ((try? String(contentsOfFile: Self.lab["LAB_HTTPS_POST_LOG"], encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.contains(URL(string: hook)!.path) }.count
        }
        let outage = try await night("campus.blackhole.fault.lab.test")
        #expect(outage["status"] == "unknown" && outage["change"] == "unverified")
        let recovery = try await night("good-include.demo.test")
        #expect(recovery["status"] == "compliant" && recovery["change"] == "new")
        #expect(try posts() == 0, "an outage and a recovery are nothing to shout about")
        let regression = try await night("missing.demo.test")
        #expect(regression["status"] == "noncompliant" && regression["change"] == "regressed")
        #expect(try posts() == 1)
    }
}
