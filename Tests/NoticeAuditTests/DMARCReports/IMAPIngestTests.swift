import Foundation
import Testing
@testable import NoticeAudit

/// Issue 21: reports from the consortium's mailbox, over IMAPS through libcurl, against the lab's
/// Dovecot. Messages are delivered by writing them into its Maildir.
@Suite("DMARC reports from an IMAP mailbox", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"), .serialized)
struct IMAPIngestTests {
    static var lab: LabEnvironment { LabEnvironment.current! }

    /// Puts `bytes` into the mailbox (Maildir/new), readable by the mail user.
    static func deliver(_ bytes: Data, folder: String = "") throws {
        let new = URL(fileURLWithPath: lab["LAB_IMAP_MAILDIR"]).appendingPathComponent(folder).appendingPathComponent("new")
        let file = new.appendingPathComponent("\(UInt64(Date().timeIntervalSince1970 * 1000)).\(UUID().uuidString).lab")
        try bytes.write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: file.path)
    }

    static func credentials(in directory: TemporaryDirectory, mode: Int = 0o600, password: String? = nil) throws -> URL {
        let file = try directory.write("\(lab["LAB_IMAP_USER"]):\(password ?? lab["LAB_IMAP_PASSWORD"])\n", to: "imap-\(mode).txt")
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
        return file
    }

    static func ingest(_ directory: TemporaryDirectory, credentials: URL, extra: [String] = []) async throws -> CommandResult {
        try await CommandRunner.run(["dmarc-reports", "ingest", "--imap", lab["LAB_IMAP_URL"], "--imap-credentials-file", credentials.path,
                                     "--db", directory.url.appendingPathComponent("history.sqlite").path, "--dns-server", lab["LAB_DNS"],
                                     "--ca-file", lab["LAB_CA_FILE"], "--json"] + extra)
    }

    @Test func unseenMessagesAreIngestedOnceAndFlagged() async throws {
        let directory = try TemporaryDirectory()
        let credentials = try Self.credentials(in: directory)
        // Drain what earlier tests left unseen.
        _ = try await Self.ingest(directory, credentials: credentials)
        try Self.deliver(Data(contentsOf: Fixtures.reportSample("parsedmarc", "parsedmarc__google.com_borschow.com_report.eml")))
        try Self.deliver(Data(contentsOf: Fixtures.reportSample("parsedmarc", "parsedmarc-aggregate/aggregate/mimecast-weird-gzip.eml")))
        try Self.deliver(Data("From: someone@example.org\r\nTo: dmarc@consortium.test\r\nSubject: hello\r\n\r\nNot a report.\r\n".utf8))
        let first = try await Self.ingest(directory, credentials: credentials)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any], "\(first.stderr)")
        #expect(first.status == 1, "the message without a report is refused")
        #expect(json["files"] as? Int == 3 && json["reports"] as? Int == 2, "\(json)")
        #expect((json["rejected"] as? [[String: String]])?.first?["reason"]?.contains("no DMARC report is attached") == true)
        // Every message read is \Seen: the next run reads none.
        let second = try await Self.ingest(directory, credentials: credentials)
        let again = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect(second.status == 0 && again["files"] as? Int == 0, "\(again)")
        // The password is in no output and not in the history.
        let password = Self.lab["LAB_IMAP_PASSWORD"]
        #expect(!(first.stdout + first.stderr + second.stdout + second.stderr).contains(password))
        let history = try Data(contentsOf: directory.url.appendingPathComponent("history.sqlite"))
        #expect(history.range(of: Data(password.utf8)) == nil)
    }

    @Test func messagesAreMovedWhenAsked() async throws {
        let directory = try TemporaryDirectory()
        let credentials = try Self.credentials(in: directory)
        _ = try await Self.ingest(directory, credentials: credentials)
        let maildir = URL(fileURLWithPath: Self.lab["LAB_IMAP_MAILDIR"])
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(at: maildir.appendingPathComponent(".Processed/\(sub)"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        }
        func processed() throws -> Int {
            try ["cur", "new"].reduce(0) { $0 + (try FileManager.default.contentsOfDirectory(atPath: maildir.appendingPathComponent(".Processed/\($1)").path)).count }
        }
        let before = try processed()
        try Self.deliver(Data(contentsOf: Fixtures.reportSample("stalwart-mail-auth", "stalwart-mail-auth__dmarc-feedback-104.eml")))
        let result = try await Self.ingest(directory, credentials: credentials, extra: ["--imap-move-to", "Processed"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        // Counted against what earlier runs left there: this message, and only it, was moved.
        #expect(try processed() == before + 1, "the message is in Processed")
    }

    @Test func credentialsAreGuarded() async throws {
        let directory = try TemporaryDirectory()
        let open = try Self.credentials(in: directory, mode: 0o644)
        let refused = try await Self.ingest(directory, credentials: open)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("is readable by group or others (mode 644): run chmod 600"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(Self.lab["LAB_IMAP_PASSWORD"]))
        let wrong = try Self.credentials(in: directory, password: "not-the-password-7f3a")
        let denied = try await Self.ingest(directory, credentials: wrong)
        #expect(denied.status == 3 && denied.stderr.contains("IMAP imap.lab.test:2993"), "\(denied.stderr)")
        #expect(!denied.stderr.contains("not-the-password-7f3a"))
        let clear = try await CommandRunner.run(["dmarc-reports", "ingest", "--imap", "imap://imap.lab.test/INBOX", "--imap-credentials-file",
                                                 try Self.credentials(in: directory).path, "--db", directory.url.appendingPathComponent("h2.sqlite").path])
        #expect(clear.status == 3 && clear.stderr.contains("not an imaps:// URL"), "\(clear.stderr)")
    }
}
