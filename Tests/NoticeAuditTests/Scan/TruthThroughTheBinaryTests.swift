import Foundation
import Testing
@testable import NoticeAudit

/// Issue 19 through the built binary and the lab: a deadline after a definite failure, a
/// black-holed name that costs one timeout per run, an offline scan that says its cause once,
/// ad-hoc rescans that leave `latest` and the metrics alone, and the catalog change against the
/// previous scan however many fetches ran in between.
@Suite("issue 19 through the binary and the lab", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct TruthThroughTheBinaryTests {
    static var lab: LabEnvironment { LabEnvironment.current! }

    static func inventory(_ institutions: String, in directory: TemporaryDirectory) throws -> URL {
        try directory.write(#"{"consortium": "T", "defaults": {"region": "NA", "delivery": "spf", "sender_class": "standard"}, "institutions": [\#(institutions)]}"#, to: "inventory.json")
    }

    static func scan(_ inventory: URL, in directory: TemporaryDirectory, catalog: String? = nil, extra: [String]) async throws -> CommandResult {
        try await CommandRunner.run(
            lab.scan.arguments(inventory: inventory.path, in: directory.url, catalogURL: catalog) + extra)
    }

    static func findings(_ directory: TemporaryDirectory, folder: String = "latest") throws -> [String] {
        try String(contentsOf: directory.url.appendingPathComponent("Reports/\(folder)/findings.csv"), encoding: .utf8).split(separator: "\r\n").map(String.init)
    }

    /// ../shared/domain.md: "A scan that runs out of time keeps what it proved". The first From
    /// domain fails at once; the second waits on a name that never answers, past the deadline.
    @Test func aDeadlineAfterADefiniteFailureKeepsTheFailure() async throws {
        let directory = try TemporaryDirectory()
        let tag = "cut\(UInt32.random(in: 0...UInt32.max))"
        let inventory = try Self.inventory(#"{"id": "cut", "name": "Cut", "from_addresses": ["a@missing.demo.test", "\#(tag)@blackhole-spf.demo.test"]}"#, in: directory)
        let result = try await Self.scan(inventory, in: directory, extra: ["--timeout", "20", "--institution-deadline", "3"])
        #expect(result.status == 1, "\(result.stderr)")
        let rows = try Self.findings(directory).filter { $0.hasPrefix("cut,") }
        #expect(rows.first?.hasPrefix("cut,noncompliant,error,SPF_NOT_AUTHORIZED,missing.demo.test,") == true, "\(rows)")
        #expect(rows.first?.contains(",true,") == true, "the failure decides")
        #expect(rows.contains { $0.contains(",SCAN_DEADLINE,") })
    }

    /// The same within one record (issue 32 item 4): 192.0.2.16 fails at once while the other
    /// addresses of 192.0.2.16/28 (an address-dependent record, `exists:%{i}`) wait on names that
    /// never answer, past the deadline. Each decided address reaches the ledger, not only the
    /// finished check: the failure stands.
    @Test func aDeadlineKeepsAFailureOneAddressProvedWhileTheOthersAreEvaluated() async throws {
        let directory = try TemporaryDirectory()
        let inventory = try Self.inventory(#"{"id": "cut", "name": "Cut", "sender_domains": ["cut-spf.demo.test"]}"#, in: directory)
        let result = try await Self.scan(inventory, in: directory, extra: ["--timeout", "10", "--institution-deadline", "3"])
        #expect(result.status == 1, "\(result.stderr)")
        let rows = try Self.findings(directory).filter { $0.hasPrefix("cut,") }
        #expect(rows.first?.hasPrefix("cut,noncompliant,error,SPF_NOT_AUTHORIZED,cut-spf.demo.test,") == true, "\(rows)")
        #expect(rows.first?.contains("192.0.2.16") == true && rows.first?.contains(",true,") == true, "\(rows)")
        #expect(rows.contains { $0.contains(",SCAN_DEADLINE,") })
    }

    /// A name that never answers is asked once per run (c-ares sends it at most `tries` = 2 times),
    /// not again for every relay range of the region.
    @Test func aBlackHoledNameCostsOneTimeoutPerRun() async throws {
        let directory = try TemporaryDirectory()
        let tag = "once\(UInt32.random(in: 0...UInt32.max))"
        let inventory = try Self.inventory(#"{"id": "bh", "name": "Black Hole", "from_addresses": ["\#(tag)@blackhole-spf.demo.test"]}"#, in: directory)
        // A timeout the lab's answering names meet under any load: only the black hole times out
        // (docs/ci.md), whatever the timeout is.
        let result = try await Self.scan(inventory, in: directory, extra: ["--timeout", "5"])
        #expect(result.status == 1)
        // The fault DNS logs a query when it reads it, which under load can be after the scan gave
        // up on it: wait for the line, then count (one query, and at most its one retry).
        func asked() -> [Substring] {
            let log = (try? String(contentsOfFile: Self.lab["LAB_FAULT_DNS_LOG"], encoding: .utf8)) ?? ""
            return log.split(separator: "\n").filter { $0.contains("\(tag).blackhole.fault.lab.test") }
        }
        #expect(await waitUntil(upTo: .seconds(30)) { !asked().isEmpty }, "the name never reached the fault DNS: \(result.stdout)")
        #expect(asked().count <= 2, "\(asked())")
        #expect(try Self.findings(directory).contains { $0.hasPrefix("bh,unknown,error,SPF_TEMPERROR,") })
    }

    /// "Offline, make scan prints the unknown cause once with its count, and writes no letter":
    /// the shipped inventory, with no page and no name server that answers.
    @Test func anOfflineScanSaysItsCauseOnceAndWritesNoLetter() async throws {
        let directory = try TemporaryDirectory()
        let shipped = CommandRunner.packageRoot.appendingPathComponent("inventory.json")
        let result = try await CommandRunner.run(
            ["scan", "--inventory", shipped.path, "--db", directory.url.appendingPathComponent("history.sqlite").path,
             "--reports", directory.url.appendingPathComponent("Reports").path, "--catalog-url", "https://127.0.0.1:9/nothing",
             "--dns-server", "127.0.0.1:9", "--timeout", "1"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.filter { $0.contains("SPF_RELAYS_UNKNOWN") }.isEmpty, "\(result.stdout)")
        #expect(lines.filter { $0.contains("CATALOG_NO_ADDRESS [40 institutions: ") }.count == 1, "\(result.stdout)")
        #expect(lines.contains { $0.contains("DNS_UNREACHABLE") })
        #expect(!lines.contains { $0.hasPrefix("not compliant") }, "no institution needs a line of its own")
        let latest = directory.url.appendingPathComponent("Reports/latest")
        #expect(!FileManager.default.fileExists(atPath: latest.appendingPathComponent("institutions").path), "no letter to a campus that can do nothing")
    }

    /// An ad-hoc rescan gets its own folder, leaves `latest` and the metrics alone, and does not
    /// use up the regression it saw first: the next consortium run still lists it.
    @Test func anAdHocRescanLeavesTheConsortiumsReportsAlone() async throws {
        let directory = try TemporaryDirectory()
        let metrics = directory.url.appendingPathComponent("metrics.prom").path
        let good = #"{"id": "flip", "name": "Flip", "sender_domains": ["good-include.demo.test"]}, {"id": "steady", "name": "Steady", "sender_domains": ["good-ip.demo.test"]}"#
        let night1 = try Self.inventory(good, in: directory)
        _ = try await Self.scan(night1, in: directory, extra: ["--metrics-file", metrics, "--timeout", "5"])
        let latest1 = try FileManager.default.destinationOfSymbolicLink(atPath: directory.url.appendingPathComponent("Reports/latest").path)
        let metrics1 = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(metrics1.contains("notice_audit_last_run_id 1"))
        // The campus breaks its record; the coordinator rescans it alone.
        let broken = try directory.write(try String(contentsOf: night1, encoding: .utf8).replacingOccurrences(of: "good-include.demo.test", with: "partial.demo.test"), to: "inventory2.json")
        let rescan = try await Self.scan(broken, in: directory, extra: ["--institution", "flip", "--metrics-file", metrics, "--timeout", "5"])
        #expect(rescan.stdout.contains("regressed (1): flip"), "\(rescan.stdout)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory.url.appendingPathComponent("Reports/latest").path) == latest1)
        #expect(try String(contentsOfFile: metrics, encoding: .utf8) == metrics1, "the consortium's metrics are untouched")
        let folders = try FileManager.default.contentsOfDirectory(atPath: directory.url.appendingPathComponent("Reports").path).filter { $0.hasSuffix("-run2") }
        #expect(folders.count == 1, "the rescan has its own folder")
        // The next night compares with the previous consortium run: still a regression.
        let night2 = try await Self.scan(broken, in: directory, extra: ["--metrics-file", metrics, "--timeout", "5"])
        #expect(night2.stdout.contains("regressed (1): flip (first seen by the rescan of run 2 at "), "\(night2.stdout)")
        #expect(try String(contentsOfFile: metrics, encoding: .utf8).contains("notice_audit_last_run_id 3"))
    }

    /// "The catalog changed" is against the catalog the previous scan used, however many
    /// `ranges fetch` ran in between (the shipped schedule fetches every 6 hours).
    @Test func theCatalogChangeIsAgainstThePreviousScan() async throws {
        let directory = try TemporaryDirectory()
        let inventory = try Self.inventory(#"{"id": "g", "name": "G", "sender_domains": ["good-include.demo.test"]}"#, in: directory)
        _ = try await Self.scan(inventory, in: directory, extra: ["--timeout", "5"])
        let v2 = Self.lab.scan.url("exlibris/v2.html")
        let fetch = try await CommandRunner.run(["ranges", "fetch", "--url", v2, "--db", directory.url.appendingPathComponent("history.sqlite").path,
                                                 "--dns-server", Self.lab["LAB_FAULT_DNS"], "--ca-file", Self.lab["LAB_CA_FILE"]])
        #expect(fetch.status == 0, "\(fetch.stderr)")
        let second = try await Self.scan(inventory, in: directory, catalog: v2, extra: ["--timeout", "5"])
        #expect(second.stdout.contains("CATALOG_CHANGED"), "\(second.stdout)")
        let third = try await Self.scan(inventory, in: directory, catalog: v2, extra: ["--timeout", "5"])
        #expect(!third.stdout.contains("CATALOG_CHANGED"), "\(third.stdout)")
    }
}
