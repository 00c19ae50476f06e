import Testing
@testable import NoticeAudit

@Suite("DMARC (RFC 7489)")
struct DMARCCheckerTests {
    static func zone(_ records: [String: String]) -> InMemoryZone {
        var zone = InMemoryZone()
        for (name, text) in records { zone.addTXT([text], at: name) }
        return zone
    }

    @Test func rejectWithAForeignEnvelopeIsMisaligned() async throws {
        let checker = DMARCChecker(resolver: Self.zone(["_dmarc.ufl.edu": "v=DMARC1; p=reject"]))
        let evaluation = try await checker.evaluate(fromDomain: "ufl.edu", envelopeDomain: "exlibrisgroup.com")
        #expect(evaluation.verdict == .misaligned)
        #expect(evaluation.effectivePolicy == .reject)
    }

    @Test func relaxedAlignmentAcceptsASubdomainEnvelope() async throws {
        let checker = DMARCChecker(resolver: Self.zone(["_dmarc.ufl.edu": "v=DMARC1; p=quarantine"]))
        #expect(try await checker.evaluate(fromDomain: "ufl.edu", envelopeDomain: "bounces.ufl.edu").verdict == .fine)
        let strict = DMARCChecker(resolver: Self.zone(["_dmarc.ufl.edu": "v=DMARC1; p=quarantine; aspf=s"]))
        #expect(try await strict.evaluate(fromDomain: "ufl.edu", envelopeDomain: "bounces.ufl.edu").verdict == .misaligned)
    }

    @Test func subdomainFallsBackToTheOrganizationalDomainAndItsSubdomainPolicy() async throws {
        let checker = DMARCChecker(resolver: Self.zone(["_dmarc.ufl.edu": "v=DMARC1; p=reject; sp=none"]))
        let evaluation = try await checker.evaluate(fromDomain: "library.ufl.edu", envelopeDomain: "exlibrisgroup.com")
        #expect(evaluation.recordName == "_dmarc.ufl.edu")
        #expect(evaluation.effectivePolicy == DMARCRecord.Policy.none)
        #expect(evaluation.verdict == .fine)
    }

    @Test func missingRecordIsAWarningAndTimeoutIsUnknown() async throws {
        #expect(try await DMARCChecker(resolver: Self.zone([:])).evaluate(fromDomain: "ufl.edu", envelopeDomain: "ufl.edu").verdict == .missing)
        var zone = InMemoryZone()
        zone.fail("_dmarc.ufl.edu", with: .timeout)
        let verdict = try await DMARCChecker(resolver: zone).evaluate(fromDomain: "ufl.edu", envelopeDomain: "ufl.edu").verdict
        guard case .unknown = verdict else { Issue.record("expected unknown, got \(verdict)"); return }
    }

    @Test(arguments: ["v=DMARC1", "v=DMARC2; p=reject", "p=reject", "v=DMARC1; p=block"])
    func invalidRecordsAreIgnored(_ text: String) {
        #expect(DMARCRecord(text) == nil)
    }
}
