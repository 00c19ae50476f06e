import Foundation
import Testing
@testable import NoticeAudit

/// Issue 21 (first part): DMARC aggregate reports from files, read by the binary. The samples are
/// reports no one here wrote, copied unchanged with their licences into Tests/Fixtures/rua-samples/.
@Suite("DMARC aggregate reports from files")
struct ReportIngestTests {

    static func ingest(_ paths: [String], db: String) async throws -> (status: Int32, json: [String: Any]) {
        let result = try await CommandRunner.run(["dmarc-reports", "ingest"] + paths + ["--db", db, "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
        return (result.status, json)
    }

    static func list(db: String, extra: [String] = []) async throws -> [[String: Any]] {
        let result = try await CommandRunner.run(["dmarc-reports", "list", "--json", "--db", db] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["schema_version"] as? Int == 1)
        return try #require(document["reports"] as? [[String: Any]])
    }

    /// parsedmarc 11.1.0 reads its 20 sample inputs as 18 distinct reports with 2,305 records; the
    /// one it cannot read (invalid XML) is refused with the reason; nothing is added twice.
    @Test func parsedmarcsSamplesGiveTheSameReportsAndRecords() async throws {
        let directory = try TemporaryDirectory()
        let db = directory.url.appendingPathComponent("history.sqlite").path
        let folder = Fixtures.reportSample("parsedmarc", "parsedmarc-aggregate").path
        let first = try await Self.ingest([folder], db: db)
        #expect(first.status == 1, "one input is refused")
        #expect(first.json["files"] as? Int == 20)
        #expect(first.json["reports"] as? Int == 18 && first.json["records"] as? Int == 2305, "\(first.json)")
        let rejected = first.json["rejected"] as? [[String: String]] ?? []
        #expect(rejected.count == 1 && rejected[0]["path"]?.hasSuffix("invalid_xml.xml") == true && rejected[0]["reason"]?.contains("not well-formed XML at line 31") == true)
        let recovered = (first.json["recovered"] as? [[String: String]] ?? []).compactMap { $0["path"] }
        #expect(recovered.contains { $0.hasSuffix("invalid_utf_8.xml") } && recovered.contains { $0.contains("ikea.com") })
        let again = try await Self.ingest([folder], db: db)
        #expect(again.json["reports"] as? Int == 0 && again.json["duplicates"] as? Int == 19, "re-ingesting adds nothing: \(again.json)")
        let reports = try await Self.list(db: db)
        #expect(reports.count == 18 && reports.reduce(0) { $0 + (($1["records"] as? [Any])?.count ?? 0) } == 2305)
    }

    /// The receivers' reports of every origin folder but parsedmarc's sample folder (its own test
    /// above): the files of the report formats, not the licences and READMEs beside them.
    static func originSamples() throws -> [URL] {
        let manager = FileManager.default
        return try manager.contentsOfDirectory(atPath: Fixtures.reportSamples.path).sorted().flatMap { origin -> [URL] in
            let folder = Fixtures.reportSamples.appendingPathComponent(origin)
            guard (try? folder.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true else { return [] }
            return try manager.contentsOfDirectory(atPath: folder.path).sorted()
                .filter { name in [".xml", ".gz", ".zip", ".eml"].contains { name.hasSuffix($0) } }
                .map { folder.appendingPathComponent($0) }
        }
    }

    /// Every file of the samples is read or refused with a reason; the other receivers' reports
    /// (Google, Outlook.com, Fastmail, Amazon SES; XML, gzip, zip, messages) are all read. The one
    /// Yahoo report of ../shared/realworld is GPL-3.0 and stays outside the repository.
    @Test func everySampleIsReadOrRefusedWithAReason() async throws {
        let directory = try TemporaryDirectory()
        let db = directory.url.appendingPathComponent("history.sqlite").path
        let files = try Self.originSamples()
        #expect(files.count == 20, "\(files.map(\.lastPathComponent))")
        for file in files {
            let result = try await Self.ingest([file.path], db: db)
            let read = (result.json["reports"] as? Int ?? 0) + (result.json["duplicates"] as? Int ?? 0)
            #expect(result.status == 0 && read >= 1, "\(file.lastPathComponent): \(result.json)")
        }
        let reports = try await Self.list(db: db)
        let organizations = Set(reports.compactMap { $0["org_name"] as? String })
        for expected in ["google.com", "Outlook.com", "FastMail Pty Ltd", "Amazon SES"] {
            #expect(organizations.contains { $0.localizedCaseInsensitiveContains(expected.split(separator: " ")[0]) }, "\(expected) in \(organizations)")
        }
        // Outlook.com's report of the notices' problem: SPF passes for the envelope domain, DMARC fails.
        let outlook = reports.first { ($0["org_name"] as? String)?.contains("Outlook") == true && ($0["domain"] as? String) == "stalw.art" }
        #expect(outlook != nil)
    }

    /// Both formats, as interface.md lists them: RFC 9990 by its namespace, prefixed or not, with
    /// its new fields; a field the report lacks is null; values lower case; XXE inert.
    @Test func bothFormatsAndTheirFields() async throws {
        let directory = try TemporaryDirectory()
        let db = directory.url.appendingPathComponent("history.sqlite").path
        let prefixed = try directory.write("""
            <?xml version="1.0"?>
            <d:feedback xmlns:d="urn:ietf:params:xml:ns:dmarc-2.0">
              <d:report_metadata><d:org_name>GMX</d:org_name><d:email>dmarc@gmx.example</d:email><d:report_id> r-1 </d:report_id>
                <d:date_range><d:begin>1764806400</d:begin><d:end>1764892799</d:end></d:date_range><d:generator>gmx 1</d:generator></d:report_metadata>
              <d:policy_published><d:domain>Lib.Example.EDU</d:domain><d:p>reject</d:p><d:np>quarantine</d:np><d:testing>y</d:testing>
                <d:discovery_method>treewalk</d:discovery_method></d:policy_published>
              <d:record><d:row><d:source_ip>192.0.2.20</d:source_ip><d:count>7</d:count>
                <d:policy_evaluated><d:disposition>PASS</d:disposition><d:dkim>Pass</d:dkim><d:spf>fail</d:spf>
                  <d:reason><d:type>policy_test_mode</d:type></d:reason></d:policy_evaluated></d:row>
                <d:identifiers><d:header_from>lib.example.edu</d:header_from></d:identifiers>
                <d:auth_results><d:dkim><d:domain>lib.example.edu</d:domain><d:selector>alma1</d:selector><d:result>pass</d:result></d:dkim></d:auth_results>
              </d:record>
            </d:feedback>
            """, to: "gmx.xml")
        let hostile = try directory.write("""
            <?xml version="1.0"?>
            <!DOCTYPE feedback [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
            <feedback><report_metadata><org_name>&secret;</org_name><report_id>x</report_id>
            <date_range><begin>1</begin><end>2</end></date_range></report_metadata>
            <policy_published><domain>example.com</domain></policy_published></feedback>
            """, to: "xxe.xml")
        let notReport = try directory.write("<html><body>hello</body></html>", to: "page.xml")
        let result = try await Self.ingest([prefixed.path, hostile.path, notReport.path], db: db)
        #expect(result.status == 1)
        let rejected = result.json["rejected"] as? [[String: String]] ?? []
        // The external entity is never expanded (no file is read): the organization stays empty.
        #expect(rejected.count == 2, "\(rejected)")
        #expect(rejected.contains { $0["path"]?.hasSuffix("xxe.xml") == true && $0["reason"]?.contains("no <org_name>") == true })
        #expect(rejected.contains { $0["path"]?.hasSuffix("page.xml") == true && $0["reason"]?.contains("not <feedback>") == true })
        #expect(!rejected.contains { ($0["reason"] ?? "").contains("root:") })
        let reports = try await Self.list(db: db)
        let gmx = try #require(reports.first { $0["report_id"] as? String == "r-1" })
        #expect(gmx["format"] as? String == "rfc9990" && gmx["generator"] as? String == "gmx 1" && gmx["domain"] as? String == "lib.example.edu")
        let policy = gmx["policy"] as? [String: Any]
        #expect(policy?["np"] as? String == "quarantine" && policy?["testing"] as? String == "y" && policy?["discovery_method"] as? String == "treewalk")
        #expect(policy?["sp"] is NSNull && policy?["pct"] is NSNull, "absent fields are null")
        let record = (gmx["records"] as? [[String: Any]])?.first
        #expect(record?["disposition"] as? String == "pass" && record?["dkim"] as? String == "pass" && record?["envelope_from"] is NSNull)
        #expect((record?["reasons"] as? [String]) == ["policy_test_mode"])
        #expect(((record?["dkim_results"] as? [[String: Any]])?.first?["selector"] as? String) == "alma1")
        #expect(!reports.contains { $0["report_id"] as? String == "x" })
        let since = try await Self.list(db: db, extra: ["--since", "2025-12-01"])
        #expect(since.map { $0["report_id"] as? String } == ["r-1"])
    }

    /// `dmarc-reports list` gives a report's fields as written: a report without <org_name> is
    /// listed with `org_name` null (a name back-filled from its email would be a guess), and is kept
    /// once under its email's domain (issue 32 item 4).
    @Test func aReportWithoutAnOrganizationIsListedWithNull() async throws {
        let directory = try TemporaryDirectory()
        let db = directory.url.appendingPathComponent("history.sqlite").path
        let unnamed = try directory.write("""
            <?xml version="1.0"?>
            <feedback><report_metadata><email>noreply-dmarc@receiver.example</email><report_id>u-1</report_id>
            <date_range><begin>1764806400</begin><end>1764892799</end></date_range></report_metadata>
            <policy_published><domain>lib.example.edu</domain><p>none</p></policy_published>
            <record><row><source_ip>192.0.2.20</source_ip><count>3</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
            <identifiers><header_from>lib.example.edu</header_from></identifiers><auth_results></auth_results></record></feedback>
            """, to: "unnamed.xml")
        let first = try await Self.ingest([unnamed.path], db: db)
        #expect(first.status == 0 && first.json["reports"] as? Int == 1, "\(first.json)")
        let again = try await Self.ingest([unnamed.path], db: db)
        #expect(again.json["duplicates"] as? Int == 1, "kept once, under the email's domain")
        let listed = try #require(try await Self.list(db: db).first { $0["report_id"] as? String == "u-1" })
        #expect(listed["org_name"] is NSNull && listed["email"] as? String == "noreply-dmarc@receiver.example", "\(listed)")
    }
}
