import Foundation
import Testing
@testable import NoticeAudit

/// The relay's status from the scanner's side, told from structured facts (the connect's errno),
/// not from message text: `unreachable` (no route) apart from `refused` (a reset).
@Suite("relay vantage point (the binary)")
struct RelayVantageTests {
    /// In a network namespace of its own with no interface up, 127.0.0.1 has no route: the
    /// connect fails with ENETUNREACH, and no packet leaves the machine.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"), "needs root and unshare for an empty network namespace"))
    func noRouteIsUnreachableNotRefused() async throws {
        let run = try await CommandRunner.run(["-n", CommandRunner.binary.path, "relay", "127.0.0.1:2587", "--security", "starttls", "--json", "--timeout", "5"],
                                              executable: "/usr/bin/unshare")
        #expect(run.status == 1, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout) \(run.stderr)")
        #expect(object["status"] as? String == "unreachable", "\(run.stdout)")
        #expect((object["detail"] as? String)?.contains("no route from the scanner's network") == true, "\(run.stdout)")
    }
}
