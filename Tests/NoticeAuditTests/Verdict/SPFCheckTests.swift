import Testing
@testable import NoticeAudit

/// The SPF check of one sender domain against a region's relay set, in memory: the defects of
/// issue 13 that partial knowledge caused, each pinned.
@Suite("SPF check with partial knowledge")
struct SPFCheckTests {
    /// A region whose page lists `page` and whose include (spf-na.example) is in `zone`.
    static func relaySet(page: [String], zone: InMemoryZone) async throws -> RegionRelaySet {
        let catalog = RelayCatalog(regions: [.northAmerica: .init(spfInclude: "spf-na.example", relays: [.init(host: "relay.example", addresses: page.map { IPNetwork(cidr: $0)! })])],
                                   source: "test page")
        return try await RegionRelaySet.build(region: .northAmerica, catalog: catalog, expander: IncludeExpander(resolver: zone))
    }

    /// Defect "false compliant": a timeout deep in the include tree used to shrink the set silently.
    @Test func aTimeoutDeepInTheIncludeMakesThePassingInstitutionUnknown() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 ip4:192.0.2.16/28 include:more.spf-na.example -all"], at: "spf-na.example")
        zone.fail("more.spf-na.example", with: .timeout)
        zone.addTXT(["v=spf1 include:spf-na.example -all"], at: "campus.edu")
        let set = try await Self.relaySet(page: ["192.0.2.16/28"], zone: zone)
        #expect(set.knowledge == .incomplete)
        // Defect "DNS failure mislabelled as disagreement": no cross-check from an incomplete expansion.
        #expect(set.crossCheck == nil)
        #expect(CatalogFindings.relaySet(set).map(\.code) == [.catalogIncomplete])
        let result = try await SPFCheck(resolver: zone).check(domain: "campus.edu", sender: "a@campus.edu", relays: set)
        #expect(result.outcome == .unknown)
        #expect(result.findings.map(\.code).contains(.catalogIncomplete))
        #expect(result.domain.worstResult == .pass)
    }

    @Test func aFailOnAKnownAddressOfAnIncompleteSetIsStillProof() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 ip4:192.0.2.16/28 include:more.spf-na.example -all"], at: "spf-na.example")
        zone.fail("more.spf-na.example", with: .serverFailure)
        zone.addTXT(["v=spf1 ip4:203.0.113.0/24 -all"], at: "campus.edu")
        let set = try await Self.relaySet(page: ["192.0.2.16/28"], zone: zone)
        let result = try await SPFCheck(resolver: zone).check(domain: "campus.edu", sender: "a@campus.edu", relays: set)
        #expect(result.outcome == .fail)
        #expect(result.findings.map(\.code).contains(.spfNotAuthorized))
    }

    /// Defect "sampling hidden": an address-dependent record over a range larger than 4096
    /// addresses is sampled, and a pass of every sample is unknown, said with its code.
    @Test func aSampledRangeIsUnknownAndSaysSo() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 ip4:10.1.0.0/16 -all"], at: "spf-na.example")
        zone.addTXT(["v=spf1 -exists:%{i}.deny.campus.edu ip4:10.0.0.0/8 -all"], at: "campus.edu")
        let set = try await Self.relaySet(page: ["10.1.0.0/16"], zone: zone)
        #expect(set.knowledge == .complete)
        let result = try await SPFCheck(resolver: zone).check(domain: "campus.edu", sender: "a@campus.edu", relays: set)
        #expect(result.outcome == .unknown)
        #expect(result.findings.map(\.code) == [.spfCoverageSampled])
        #expect(result.domain.worstResult == .pass)
    }

    @Test func everyAddressOfACompleteSetPassingIsAPassWithoutFindings() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 ip4:192.0.2.16/28 -all"], at: "spf-na.example")
        zone.addTXT(["v=spf1 include:spf-na.example -all"], at: "campus.edu")
        let set = try await Self.relaySet(page: ["192.0.2.16/28"], zone: zone)
        let result = try await SPFCheck(resolver: zone).check(domain: "campus.edu", sender: "a@campus.edu", relays: set)
        #expect(result.outcome == .pass)
        #expect(result.findings.isEmpty)
    }

    @Test func aFailureCarriesItsFactsAsData() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 ip4:192.0.2.16/28 -all"], at: "spf-na.example")
        zone.addTXT(["v=spf1 ip4:203.0.113.0/24 -all"], at: "campus.edu")
        let set = try await Self.relaySet(page: ["192.0.2.16/28"], zone: zone)
        let result = try await SPFCheck(resolver: zone).check(domain: "campus.edu", sender: "a@campus.edu", relays: set)
        let facts = try #require(result.findings.first?.facts)
        #expect(facts.publishedRecord == "v=spf1 ip4:203.0.113.0/24 -all")
        #expect(facts.recommendedRecord == "v=spf1 ip4:203.0.113.0/24 include:spf-na.example -all")
        #expect(facts.networks == ["192.0.2.16/28"])
        #expect(result.findings.first?.remediation == "Publish this TXT record at campus.edu: v=spf1 ip4:203.0.113.0/24 include:spf-na.example -all")
    }

    /// Defect "an invalid record shown as none".
    @Test func anInvalidRecordIsReportedAsPublished() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 ip4:192.0.2.16/28 -all"], at: "spf-na.example")
        zone.addTXT(["v=spf1 include:spf-na.example ip4:300.1.1.1 -all"], at: "campus.edu")
        let set = try await Self.relaySet(page: ["192.0.2.16/28"], zone: zone)
        let result = try await SPFCheck(resolver: zone).check(domain: "campus.edu", sender: "a@campus.edu", relays: set)
        #expect(result.domain.record == "v=spf1 include:spf-na.example ip4:300.1.1.1 -all")
        #expect(result.findings.first?.code == .spfPermerror)
        #expect(result.findings.first?.remediation.contains("invalid as published (v=spf1 include:spf-na.example ip4:300.1.1.1 -all)") == true)
    }

    /// ../shared/domain.md, "DMARC": a missing record is a warning, p=none an info, neither a failure.
    @Test func dmarcMissingIsAWarningAndPolicyNoneAnInfo() {
        let none = DMARCEvaluation(fromDomain: "a.edu", recordName: "_dmarc.a.edu", record: DMARCRecord("v=DMARC1; p=none"), effectivePolicy: DMARCRecord.Policy.none,
                                   envelopeDomain: "exlibrisgroup.com", aligned: false, verdict: .fine)
        let (noneOutcome, noneFinding) = DMARCCheck.judge(none, from: "a.edu", envelope: "alma@exlibrisgroup.com")
        #expect(noneOutcome == .pass && noneFinding?.code == .dmarcPolicyNone && noneFinding?.severity == .info)
        var missing = none
        missing.verdict = .missing
        let (missingOutcome, missingFinding) = DMARCCheck.judge(missing, from: "a.edu", envelope: "alma@exlibrisgroup.com")
        #expect(missingOutcome == .pass && missingFinding?.code == .dmarcMissing && missingFinding?.severity == .warning)
        var misaligned = none
        misaligned.verdict = .misaligned
        #expect(DMARCCheck.judge(misaligned, from: "a.edu", envelope: "alma@exlibrisgroup.com").0 == .fail)
        var unknown = none
        unknown.verdict = .unknown("timeout")
        #expect(DMARCCheck.judge(unknown, from: "a.edu", envelope: "alma@exlibrisgroup.com").0 == .unknown)
    }
}
