import Foundation
import Testing
@testable import NoticeAudit

/// The RFC 7208 suite through real DNS: each section's zone data is served by its own nsd (behind
/// the fault proxy for TIMEOUT names), and every test runs through the `notice-audit spf --json`
/// binary. Results must equal the in-memory run.
@Suite("RFC 7208 suite over real DNS (the binary)", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct RFC7208ParityTests {
    /// Tests whose data the DNS wire cannot carry as the suite writes it, and why.
    static let wireExceptions: [String: String] = [
        "multispf1": "the zone holds two identical TXT records; DNS servers merge identical records of an RRset (RFC 2181 §5), so one record comes back and the result is fail, which the suite also accepts",
    ]

    static let servers: [Int: String] = {
        guard let lab = LabEnvironment.current, let text = try? String(contentsOfFile: lab["LAB_SPF_SUITE_SECTIONS"], encoding: .utf8) else { return [:] }
        var servers: [Int: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 3, let index = Int(fields[0]) { servers[index] = String(fields[2]) }
        }
        return servers
    }()

    @Test("each suite test gives the in-memory result through nsd", arguments: RFC7208SuiteTests.cases)
    func parity(_ test: RFC7208SuiteCase) async throws {
        let server = try #require(Self.servers[test.sectionIndex], "no lab server for section \(test.sectionIndex)")
        let expected = try await SPFEvaluator(resolver: test.zone).checkHost(
            ip: IPAddress(test.host)!, domain: test.identity.domain, sender: test.identity.sender, helo: test.helo)
        var arguments = ["spf", test.identity.domain, "--ip", test.host, "--helo", test.helo, "--dns-server", server, "--timeout", "5", "--json"]
        arguments += ["--sender", test.identity.sender]
        let run = try await CommandRunner.run(arguments)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let live = object["result"] as? String
        if let reason = Self.wireExceptions[test.name] {
            withKnownIssue("\(test.name): \(reason)") { #expect(live == expected.result.rawValue) }
        } else {
            #expect(live == expected.result.rawValue, "in memory: \(expected.result) (\(expected.problem ?? "-")); live: \(object["problem"] ?? "-"); trace: \(object["trace"] ?? "")")
        }
    }
}
