import Foundation
import Testing
@testable import NoticeAudit

/// ../shared/domain.md "DMARC: two readings" (issue 24), in memory: RFC 9989's tree walk (§4.10)
/// beside RFC 7489's reading (§6.6.3), each example of the issue, and the verdict taking the worse.
@Suite("DMARC read two ways (RFC 9989 and RFC 7489)")
struct DMARCReadingsTests {
    /// The lab's test.zone examples, under `.edu` so that the Public Suffix List knows the suffix.
    static func zone() -> InMemoryZone {
        var zone = InMemoryZone()
        zone.addTXT(["v=DMARC1; p=reject"], at: "_dmarc.lib.twin.edu")
        zone.addTXT(["v=DMARC1; p=none"], at: "_dmarc.lib.twin.edu")
        zone.addTXT(["v=DMARC1; p=none; sp=quarantine"], at: "_dmarc.twin.edu")
        zone.addTXT(["v=DMARC1; p=reject"], at: "_dmarc.lib.deep.edu")
        zone.addTXT(["v=DMARC1; p=reject; psd=n"], at: "_dmarc.lib.psd.edu")
        zone.addTXT(["v=DMARC1; p=none"], at: "_dmarc.psd.edu")
        zone.addTXT(["v=DMARC1; p=reject; pct=0"], at: "_dmarc.pct.edu")
        zone.addTXT(["v=DMARC1; p=reject; t=y"], at: "_dmarc.testing.edu")
        zone.addTXT(["v=DMARC1; p=none; sp=quarantine; np=reject"], at: "_dmarc.np.edu")
        zone.add(.a(IPAddress("192.0.2.1")!), at: "exists.np.edu")
        return zone
    }

    static func discover(_ domain: String, zone: InMemoryZone = zone()) async throws -> DMARCDiscovery {
        try await DMARCDiscoverer(resolver: zone).discover(domain)
    }

    /// §4.10 step 2: several records at a name are discarded and the walk goes on (RFC 7489 §6.6.3: no policy).
    @Test func severalRecordsAreDiscardedAndTheWalkGoesOn() async throws {
        let discovery = try await Self.discover("lib.twin.edu")
        #expect(discovery.rfc9989.status == .found && discovery.rfc9989.recordDomain == "twin.edu" && discovery.rfc9989.policy == .quarantine)
        #expect(discovery.rfc7489.status == DMARCReading.Status.none)
        #expect(discovery.differ)
        #expect(DMARCCheck.agreement(discovery).hasPrefix("Keep exactly one TXT record"))
    }

    /// RFC 7489 asks only the From domain and the PSL organizational domain; RFC 9989 finds a
    /// record between them.
    @Test func aRecordBetweenTheDomainAndItsOrganizationIsFoundOnlyByTheWalk() async throws {
        let discovery = try await Self.discover("alma.lib.deep.edu")
        #expect(discovery.rfc9989.recordDomain == "lib.deep.edu" && discovery.rfc9989.policy == .reject)
        #expect(discovery.rfc9989.queries == ["_dmarc.alma.lib.deep.edu", "_dmarc.lib.deep.edu", "_dmarc.deep.edu", "_dmarc.edu"])
        #expect(discovery.rfc7489.status == DMARCReading.Status.none && discovery.rfc7489.queries == ["_dmarc.alma.lib.deep.edu", "_dmarc.deep.edu"])
        #expect(DMARCCheck.agreement(discovery).contains("Publish the record of _dmarc.lib.deep.edu at _dmarc.alma.lib.deep.edu"))
    }

    /// §4.10.2: `psd=n` makes the name its own organizational domain: a key of the parent does
    /// not align for RFC 9989 receivers, and does for RFC 7489 ones; the worse is kept.
    @Test func psdNoSeparatesTheOrganizationAndTheWorseReadingDecides() async throws {
        let discovery = try await Self.discover("lib.psd.edu")
        #expect(discovery.rfc9989.orgDomain == "lib.psd.edu" && discovery.rfc7489.orgDomain == "psd.edu")
        #expect(discovery.rfc9989.queries == ["_dmarc.lib.psd.edu"], "psd=n stops the walk")
        #expect(discovery.differ)
        let key = DKIMKeyCheck.Result(selector: "s1", domain: "psd.edu", name: "s1._domainkey.psd.edu", status: .ok, keyType: "rsa", keyBits: 2048,
                                      testing: false, record: "v=DKIM1; p=…", problems: [])
        let path = SendingPath(fromDomains: ["lib.psd.edu"], envelopeFrom: SendingPath.almaDefaultEnvelope, envelopeAssumed: true,
                               sendingAddresses: [], addressSource: .exLibrisRelays)
        let result = try await DMARCCheck(resolver: Self.zone()).check(path, envelopeSPF: [:], selectors: ["s1"], dkim: [key])
        #expect(result.outcome == .fail, "aligned by DKIM for RFC 7489 receivers only: RFC 9989 receivers fail the notices")
        #expect(result.findings.contains { $0.code == .dmarcMisaligned })
        #expect(result.findings.contains { $0.code == .dmarcReadingsDiffer && $0.remediation.contains("Drop psd=n") })
        #expect(result.discoveries["lib.psd.edu"] == discovery)
    }

    /// pct and t never soften the verdict; each is said.
    @Test func pctAndTestingNeverSoftenTheVerdict() async throws {
        let path = SendingPath(fromDomains: ["pct.edu", "testing.edu"], envelopeFrom: SendingPath.almaDefaultEnvelope, envelopeAssumed: true,
                               sendingAddresses: [], addressSource: .exLibrisRelays)
        let result = try await DMARCCheck(resolver: Self.zone()).check(path, envelopeSPF: [:], selectors: [])
        #expect(result.outcome == .fail)
        let codes = result.findings.map(\.code)
        #expect(codes.contains(.dmarcPctIgnored) && codes.contains(.dmarcTesting) && codes.contains(.dmarcRejectWithoutDKIM))
        #expect(result.findings.filter { $0.code == .dmarcMisaligned }.count == 2)
    }

    /// §4.10.1: `np` applies when the From domain does not exist, `sp` when it does.
    @Test func nonexistentPolicyAppliesOnlyToNamesThatDoNotExist() async throws {
        #expect(try await Self.discover("gone.np.edu").rfc9989.policy == .reject)
        #expect(try await Self.discover("gone.np.edu").rfc7489.policy == .quarantine)
        #expect(try await Self.discover("exists.np.edu").rfc9989.policy == .quarantine)
    }

    /// §4.10: at most 8 queries; a name of 8 or more labels jumps to 7 after the first.
    @Test func theWalkAsksAtMostEightNames() {
        let names = DMARCDiscoverer.walkNames("a.b.c.d.e.f.g.h.i.edu")
        #expect(names.count == 8)
        #expect(names.first == "a.b.c.d.e.f.g.h.i.edu" && names[1] == "d.e.f.g.h.i.edu" && names.last == "edu")
        #expect(DMARCDiscoverer.walkNames("ufl.edu") == ["ufl.edu", "edu"])
    }

    /// A query without a definite answer anywhere in the walk makes the reading unknown, never "none".
    @Test func aTimeoutInTheWalkIsTemperror() async throws {
        var zone = Self.zone()
        zone.fail("_dmarc.deep.edu", with: .timeout)
        let discovery = try await Self.discover("alma.lib.deep.edu", zone: zone)
        #expect(discovery.rfc9989.status == .temperror)
        #expect(discovery.rfc7489.status == .temperror)
    }

    /// History keeps both readings: what a report renders from history is what the scan saw.
    @Test func historyKeepsBothReadingsAsScanJSONShowsThem() async throws {
        let directory = try TemporaryDirectory()
        let store = ScanStore(database: try HistoryDatabase(path: directory.url.appendingPathComponent("h.sqlite").path))
        let catalog = CatalogStatus(snapshot: nil, catalog: DefaultRelayCatalog.catalog, isStale: false, lastError: nil, lastAttemptAt: nil)
        let run = try store.beginRun(trigger: .scheduled, consortium: "T", selection: nil, catalog: catalog, notes: [])
        var result = InstitutionResult(institutionID: "c", name: "C", method: .spf, status: .compliant, spfResult: .pass, dmarcPolicy: nil, relayStatus: nil,
                                       change: .new, findings: [], domains: [], relay: nil, durationMilliseconds: 1)
        var dmarc: [String: DMARCDiscovery] = [:]
        for domain in ["lib.twin.edu", "alma.lib.deep.edu", "lib.psd.edu", "testing.edu", "gone.np.edu", "nothing.edu"] {
            dmarc[domain] = try await Self.discover(domain)
        }
        result.dmarc = dmarc
        _ = try store.record(result, run: run)
        let loaded = try #require(try store.results(run: run).first?.dmarc)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        #expect(String(decoding: try encoder.encode(loaded), as: UTF8.self) == String(decoding: try encoder.encode(dmarc), as: UTF8.self))
        #expect(loaded["alma.lib.deep.edu"]?.rfc9989.queries.count == 4 && loaded["lib.psd.edu"]?.rfc9989.record?.contains("psd=n") == true)
    }

    /// The walk's answers are cached: a second walk of a sibling asks only its own name.
    @Test func theWalkCostsOneQueryPerDistinctName() async throws {
        final class Counting: DNSTransport, @unchecked Sendable {
            let zone = DMARCReadingsTests.zone()
            let lock = NSLockLike()
            var asked: [String] = []
            func exchange(_ name: String, type: DNSRecordType) async throws -> DNSResponse {
                lock.run { asked.append(name) }
                return DNSResponse(answer: try await zone.resolve(name, type: type), ttl: 300)
            }
        }
        let transport = Counting()
        let resolver = CachingDNSResolver(transport: transport)
        _ = try await DMARCDiscoverer(resolver: resolver).discover("alma.lib.deep.edu")
        _ = try await DMARCDiscoverer(resolver: resolver).discover("beta.lib.deep.edu")
        #expect(transport.asked.count == Set(transport.asked).count, "\(transport.asked)")
    }

    /// §4.10.1: when neither the From domain nor its organizational domain has a record, the record
    /// the walk found at a public suffix domain (`psd=y`) applies: its `sp` for a domain that
    /// exists, its `np` for one that does not, else its `p`.
    @Test func aPublicSuffixDomainsRecordAppliesWhenNeitherTheDomainNorItsOrganizationHasOne() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=DMARC1; p=none; sp=quarantine; np=reject; psd=y"], at: "_dmarc.gov.example")
        zone.add(.a(IPAddress("192.0.2.1")!), at: "library.city.gov.example")
        let exists = try await Self.discover("library.city.gov.example", zone: zone)
        #expect(exists.rfc9989.status == .found && exists.rfc9989.recordDomain == "gov.example" && exists.rfc9989.policy == .quarantine, "\(exists.rfc9989)")
        #expect(exists.rfc9989.orgDomain == "city.gov.example")
        let missing = try await Self.discover("nosuch.city.gov.example", zone: zone)
        #expect(missing.rfc9989.policy == .reject, "np for a domain that does not exist")
        var plain = InMemoryZone()
        plain.addTXT(["v=DMARC1; p=reject; psd=y"], at: "_dmarc.gov.example")
        plain.add(.a(IPAddress("192.0.2.1")!), at: "city.gov.example")
        #expect(try await Self.discover("city.gov.example", zone: plain).rfc9989.policy == .reject, "p when the record has no sp")
        // The organizational domain's own record still wins over the suffix's.
        zone.addTXT(["v=DMARC1; p=none"], at: "_dmarc.city.gov.example")
        #expect(try await Self.discover("library.city.gov.example", zone: zone).rfc9989.recordDomain == "city.gov.example")
    }

    /// The tag names of the ABNF are case-insensitive quoted strings: `V=DMARC1` starts a record;
    /// the value `DMARC1` stays exact.
    @Test func theVersionTagIsCaseInsensitiveAndItsValueExact() async throws {
        #expect(DMARCRecord.isDMARC1("V=DMARC1; p=reject") && DMARCRecord("V=DMARC1; P=reject")?.policy == .reject)
        #expect(DMARCRecord.isDMARC1(" v = DMARC1 ;p=none"))
        #expect(!DMARCRecord.isDMARC1("v=dmarc1; p=reject") && !DMARCRecord.isDMARC1("v=DMARC10; p=reject") && !DMARCRecord.isDMARC1("x=DMARC1"))
        var zone = InMemoryZone()
        zone.addTXT(["V=DMARC1; p=quarantine"], at: "_dmarc.upper.edu")
        #expect(try await Self.discover("upper.edu", zone: zone).rfc9989.policy == .quarantine)
    }
}

/// A tiny lock for the test transport's counter.
final class NSLockLike: @unchecked Sendable {
    private let lock = NSLock()
    func run(_ body: () -> Void) { lock.lock(); body(); lock.unlock() }
}
