import Foundation
import Testing
@testable import NoticeAudit

/// Issue 20, in memory: the provider columns by sender class, rows that never decide, blocklist
/// answers told apart, ranges checked whole or sampled, each address asked once per run.
@Suite("the receivers' rules (in memory)")
struct InboxRulesTests {
    static func requirement(_ row: InboxRow, _ status: InboxStatus) -> InboxRequirement {
        InboxRequirement(row: row, status: status, party: .institution, detail: "")
    }

    static func matrix(_ senderClass: SenderClass, _ statuses: [InboxRow: InboxStatus]) -> InboxMatrix {
        InboxMatrix(senderClass: senderClass, envelopeDomain: "exlibrisgroup.com", envelopeAssumed: true, sendingAddresses: [],
                    requirements: InboxRow.allCases.map { requirement($0, statuses[$0] ?? .pass) })
    }

    @Test func aProviderTakesTheWorstOfTheRowsItRequiresOfTheClass() {
        let rows: [InboxRow: InboxStatus] = [.alignment: .fail, .dkim: .unknown, .tls: .notObservable, .spamRate: .notObservable]
        let bulk = Self.matrix(.bulk, rows)
        #expect(bulk.verdict(.gmail)?.status == .fail && bulk.verdict(.gmail)?.replies == ["5.7.32", "4.7.32"])
        #expect(bulk.verdict(.outlook)?.replies == ["5.7.515"] && bulk.verdict(.yahoo)?.status == .fail)
        #expect(bulk.outcome == .fail)
        // Alignment and DKIM are asked of bulk senders only: a standard sender passes.
        let standard = Self.matrix(.standard, rows)
        #expect(ReceivingProvider.allCases.allSatisfy { standard.verdict($0)?.status == .pass })
        #expect(standard.outcome == .pass)
        // Without the failure, the unknown DKIM row leaves every bulk column unknown.
        let unseen = Self.matrix(.bulk, [.dkim: .unknown])
        #expect(unseen.verdict(.gmail)?.status == .unknown && unseen.verdict(.gmail)?.replies == [])
        #expect(unseen.outcome == .unknown)
    }

    @Test func blocklistsDecideThoughNoProviderNamesThem() {
        let listed = Self.matrix(.standard, [.blocklists: .fail])
        #expect(ReceivingProvider.allCases.allSatisfy { listed.verdict($0)?.status == .pass })
        #expect(listed.outcome == .fail)
        #expect(Self.matrix(.bulk, [.blocklists: .notObservable, .ptr: .notObservable]).outcome == .pass, "not_observable never decides")
        // Outlook.com asks neither PTR nor spf_or_dkim.
        let ptr = Self.matrix(.bulk, [.ptr: .fail, .spfOrDKIM: .fail])
        #expect(ptr.verdict(.outlook)?.status == .pass && ptr.verdict(.yahoo)?.status == .fail)
    }

    /// RFC 5782 §2.1 and the lists' own codes: listings told apart from "I will not answer you".
    @Test func blocklistAnswersAreToldApart() {
        func meaning(_ code: String, _ zone: String) -> AddressReputation.BlocklistAnswer { ReputationChecker.meaning(of: IPAddress(code)!, zone: zone) }
        #expect(meaning("127.0.0.2", "zen.spamhaus.org") == .listed("127.0.0.2"))
        #expect(meaning("127.0.0.11", "zen.spamhaus.org") == .listed("127.0.0.11"))
        #expect(meaning("127.0.0.2", "bl.spamcop.net") == .listed("127.0.0.2"))
        for refusal in ["127.255.255.252", "127.255.255.254", "127.255.255.255"] {
            guard case .unusable = meaning(refusal, "zen.spamhaus.org") else { Issue.record("\(refusal) is a refusal"); continue }
        }
        guard case .unusable = meaning("127.0.0.1", "zen.spamhaus.org") else { Issue.record("127.0.0.1 names no ZEN listing"); return }
        guard case .unusable = meaning("198.51.100.1", "other.example") else { Issue.record("an answer outside 127/8 is a rewriting resolver"); return }
        #expect(meaning("127.0.0.4", "other.example") == .listed("127.0.0.4"))
        #expect(ReputationChecker.queryName(IPAddress("192.0.2.99")!, zone: "zen.spamhaus.org") == "99.2.0.192.zen.spamhaus.org")
        #expect(ReputationChecker.queryName(IPAddress("2001:db8::1")!, zone: "zen.spamhaus.org")
                == "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org")
    }

    /// ../shared/domain.md "Reverse DNS of a range": up to 16 addresses whole, else 64 spread.
    @Test func rangesAreCheckedWholeOrSampled() {
        let small = ReputationChecker.addresses(of: IPNetwork(cidr: "192.0.2.16/28")!)
        #expect(small.addresses.count == 16 && !small.sampled && small.addresses.last == IPAddress("192.0.2.31"))
        let large = ReputationChecker.addresses(of: IPNetwork(cidr: "198.51.100.0/24")!)
        #expect(large.addresses.count == 64 && large.sampled && large.addresses.first == IPAddress("198.51.100.0"))
        #expect(Set(large.addresses).count == 64 && large.addresses.allSatisfy { IPNetwork(cidr: "198.51.100.0/24")!.contains($0) })
        let v6 = ReputationChecker.addresses(of: IPNetwork(cidr: "2001:db8:e0::/48")!)
        #expect(v6.addresses.count == 64 && v6.sampled)
    }

    /// A sampled range's failures are said but never decide; an address is asked once per run;
    /// SpamCop is not asked for IPv6.
    @Test func reverseDNSAndListingsThroughAResolver() async {
        var zone = InMemoryZone()
        let confirmed = IPAddress("192.0.2.20")!, listed = IPAddress("192.0.2.21")!
        zone.add(.ptr("relay.example"), at: confirmed.reverseLookupName)
        zone.add(.a(confirmed), at: "relay.example")
        zone.add(.ptr("relay.example"), at: listed.reverseLookupName)
        zone.add(.a(IPAddress("127.0.0.2")!), at: "21.2.0.192.zen.spamhaus.org")
        let counting = CountingResolver(zone)
        let checker = ReputationChecker(resolver: counting)
        let report = await checker.report(for: [IPNetwork(host: confirmed), IPNetwork(host: listed)])
        #expect(report.ranges[0].addresses[0].ptr == .confirmed("relay.example"))
        #expect(report.ranges[1].addresses[0].ptr == .mismatch(["relay.example"]))
        #expect(report.ptrStatus == .fail && report.blocklistStatus == .fail)
        #expect(report.listings.map(\.zone) == ["zen.spamhaus.org"])
        let before = counting.count
        _ = await checker.report(for: [IPNetwork(host: confirmed)])
        #expect(counting.count == before, "each address once per run")

        let sampled = await checker.report(for: [IPNetwork(cidr: "203.0.113.0/24")!])
        #expect(sampled.ptrStatus == .notObservable, "a sample without PTRs is said, never deciding")
        let v6 = await checker.reputation(of: IPAddress("2001:db8::1")!)
        #expect(v6.blocklists.keys.sorted() == ["zen.spamhaus.org"])
    }
}

extension InboxRulesTests {
    /// The Ex Libris relays' rows, once per region: exlibrisgroup.com's SPF over the relay set, and
    /// a range too large to check whole, sampled, said as a warning that never decides.
    @Test func exLibrisRegionFacts() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 ip4:192.0.2.16/28 -all"], at: "exlibrisgroup.com")
        let single = IPAddress("192.0.2.20")!
        zone.add(.ptr("relay.example"), at: single.reverseLookupName)
        zone.add(.a(single), at: "relay.example")
        let relays = RegionRelaySet(region: .europe, include: nil, includeConfirmed: false,
                                    networks: [IPNetwork(host: single), IPNetwork(cidr: "203.0.113.0/24")!], includeNetworks: [], problems: [])
        let facts = try await ExLibrisRegionFacts.check(relays, resolver: zone, reputation: ReputationChecker(resolver: zone, zones: []))
        #expect(facts.spfStatus == .fail, "203.0.113.0/24 is not in exlibrisgroup.com's SPF")
        #expect(facts.findings.map(\.code) == [.exlibrisSPFNotPassing, .exlibrisRelayPTRSampled])
        #expect(facts.findings.allSatisfy { !$0.campusCanFix && $0.target == "EU" })
        #expect(facts.findings[1].severity == .warning && facts.findings[1].message.contains("64 addresses spread over it were asked and 64 have no forward-confirmed PTR"))
        #expect(facts.reputation.ptrStatus == .notObservable, "the single address passes; the sampled range never decides")
        #expect(facts.reputation.blocklistStatus == .notObservable, "no list configured")
    }
}

/// Counts the queries that reach a zone.
final class CountingResolver: DNSResolver, @unchecked Sendable {
    let zone: InMemoryZone
    private let lock = NSLock()
    private var queries = 0

    init(_ zone: InMemoryZone) { self.zone = zone }

    var count: Int { lock.withLock { queries } }

    func resolve(_ name: String, type: DNSRecordType) async throws -> DNSAnswer {
        lock.withLock { queries += 1 }
        return try await zone.resolve(name, type: type)
    }
}
