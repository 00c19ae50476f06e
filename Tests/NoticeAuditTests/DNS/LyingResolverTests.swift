import Foundation
import Testing
@testable import NoticeAudit

/// Issue 32 through the binary: the shipped inventory scanned through the lab's lying resolvers
/// (NXDOMAIN for every name, an A record for every name, SERVFAIL for every name), and
/// `notice-audit dns check` for the person setting up the cron job.
@Suite("lying resolvers (the binary and the lab)", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct LyingResolverTests {
    static var lab: LabEnvironment { LabEnvironment.current! }
    static let shipped = CommandRunner.packageRoot.appendingPathComponent("inventory.json").path

    /// A scan of the shipped inventory through `server`, with a webhook at the lab's HTTPS server by
    /// address (the lying resolver cannot resolve its name) whose path carries `tag`.
    static func scan(through server: String, in directory: TemporaryDirectory, tag: String) async throws -> CommandResult {
        var arguments = lab.scan.arguments(inventory: shipped, in: directory.url, timeout: "2")
        arguments[arguments.firstIndex(of: "--dns-server")! + 1] = server
        let hook = try directory.write("https://\(lab["LAB_HTTPS_ADDRESS"]):\(lab["LAB_HTTPS_PORT"])/hook-\(tag)\n", to: "webhook")
        return try await CommandRunner.run(arguments + ["--notify-webhook-file", hook.path])
    }

    static func posts(tag: String) -> [String] {
        ((try? String(contentsOfFile: lab["LAB_HTTPS_POST_LOG"], encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).filter { $0.contains("/hook-\(tag)") }
    }

    /// ../shared/domain.md: a resolver that answers yet denies every name that must exist, or
    /// answers the name that cannot, is lying: DNS_UNTRUSTED, 40 unknown, no letter, exit 3, the
    /// webhook once naming the cause, and nothing else said of the run.
    @Test(arguments: ["LAB_LYING_DNS_NXDOMAIN", "LAB_LYING_DNS_A_FOR_ALL"])
    func aLyingResolverChecksNothingAndSaysSoOnce(server: String) async throws {
        let directory = try TemporaryDirectory()
        let tag = "\(server.lowercased())-\(UInt32.random(in: 0...UInt32.max))"
        let result = try await Self.scan(through: Self.lab[server], in: directory, tag: tag)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "run 1: 0 compliant, 0 noncompliant, 40 unknown of 40", "\(result.stdout)")
        let causes = lines.filter { $0.range(of: #"^  [A-Z][A-Z_]+( \[|:)"#, options: .regularExpression) != nil }
        #expect(causes.count == 1 && causes[0].hasPrefix("  DNS_UNTRUSTED [40 institutions: "), "one run-level line: \(result.stdout)")
        #expect(!lines.contains { $0.hasPrefix("not compliant") }, "no institution has a line of its own")
        let latest = directory.url.appendingPathComponent("Reports/latest")
        #expect(!FileManager.default.fileExists(atPath: latest.appendingPathComponent("institutions").path), "no letter")
        let summary = try String(contentsOf: latest.appendingPathComponent("summary.csv"), encoding: .utf8).split(separator: "\r\n").dropFirst()
        #expect(summary.count == 40 && summary.allSatisfy { $0.contains(",unknown,") && $0.contains(",unverified") }, "\(summary)")
        let findings = try String(contentsOf: latest.appendingPathComponent("findings.csv"), encoding: .utf8).split(separator: "\r\n").dropFirst()
        let runLevel = findings.filter { $0.hasPrefix(",") }
        #expect(runLevel.count == 1 && runLevel[0].contains(",DNS_UNTRUSTED,dns,"), "only the cause is said of the run: \(runLevel)")
        // Every institution's deciding finding points at the cause; none says anything of its DNS.
        #expect(findings.filter { !$0.hasPrefix(",") }.allSatisfy { $0.contains(",DNS_UNTRUSTED,dns,") }, "\(findings)")
        #expect(await waitUntil(upTo: .seconds(30)) { Self.posts(tag: tag).count == 1 }, "the webhook fires once")
        #expect(Self.posts(tag: tag).first?.contains("DNS_UNTRUSTED") == true)
    }

    /// SERVFAIL for every name is no lie: the existing rules apply (DNS_UNREACHABLE), still no letter.
    @Test func aResolverThatFailsEverythingIsUnreachableNotUntrusted() async throws {
        let directory = try TemporaryDirectory()
        let result = try await Self.scan(through: Self.lab["LAB_LYING_DNS_SERVFAIL"], in: directory, tag: "servfail-\(UInt32.random(in: 0...UInt32.max))")
        #expect(result.status == 1 || result.status == 3, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("run 1: 0 compliant, 0 noncompliant, 40 unknown of 40"), "\(result.stdout)")
        #expect(result.stdout.contains("DNS_UNREACHABLE") && !result.stdout.contains("DNS_UNTRUSTED"), "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("Reports/latest/institutions").path))
    }

    /// `dns check` says why, and exits non-zero; the lab's own name server is trusted.
    @Test(arguments: [("LAB_DNS", "trusted", Int32(0)), ("LAB_LYING_DNS_NXDOMAIN", "untrusted", 1), ("LAB_LYING_DNS_A_FOR_ALL", "untrusted", 1),
                      ("LAB_LYING_DNS_SERVFAIL", "unreachable", 1)])
    func dnsCheckSaysWhy(server: String, verdict: String, status: Int32) async throws {
        let result = try await CommandRunner.run(["dns", "check", "--dns-server", Self.lab[server], "--timeout", "2", "--json", "--db", "/nonexistent/history.sqlite",
                                                  "--catalog-url", Self.lab.scan.url("exlibris/v1.html"), "--ca-file", Self.lab["LAB_CA_FILE"]])
        #expect(result.status == status, "\(result.stdout)\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
        #expect(json["verdict"] as? String == verdict && json["resolver"] as? String == Self.lab[server])
        let queries = json["queries"] as? [[String: Any]] ?? []
        #expect(queries.contains { $0["name"] as? String == "exlibrisgroup.com" && $0["expect"] as? String == "exists" })
        #expect(queries.contains { $0["expect"] as? String == "absent" && ($0["name"] as? String)?.hasSuffix(".spf-na.exlibrisgroup.com") == true })
        if verdict == "trusted" {
            #expect(json["reason"] is NSNull && queries.count == 7, "the five includes of the lab's page, exlibrisgroup.com, the random name: \(queries)")
        } else {
            #expect((json["reason"] as? String)?.isEmpty == false)
        }
    }

    /// `inbox` runs the same check first: through a lying resolver it stops with the reason (exit 3).
    @Test func inboxStopsOnALyingResolver() async throws {
        let result = try await CommandRunner.run(["inbox", "good-include.demo.test", "--region", "NA", "--no-dnsbl", "--db", "/nonexistent/history.sqlite",
                                                  "--dns-server", Self.lab["LAB_LYING_DNS_NXDOMAIN"], "--timeout", "2"])
        #expect(result.status == 3 && result.stderr.contains("DNS_UNTRUSTED") && result.stderr.contains("--dns-server"), "\(result.stderr)")
    }
}
