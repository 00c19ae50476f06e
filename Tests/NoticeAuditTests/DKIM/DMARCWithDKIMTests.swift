import Testing
@testable import NoticeAudit

/// ../shared/domain.md, "DMARC" and "DKIM": a misaligned envelope under quarantine/reject is
/// rescued only by a usable key at an aligned domain; DKIM problems decide the verdict only where
/// DMARC needs DKIM.
@Suite("DMARC with DKIM")
struct DMARCWithDKIMTests {
    static let key2048 = DKIMKeyRecordTests.rsa2048SPKI

    static func institution(selectors: [String] = ["alma1"], domain: String = "campus.edu") -> Institution {
        Institution(id: "c", name: "Campus", region: .northAmerica, delivery: .spf, fromAddresses: [try! EmailAddress.parse("notices@\(domain)").get()],
                    senderDomains: [try! DomainName.parse(domain).get()], envelopeFrom: try! EmailAddress.parse("alma@exlibrisgroup.com").get(), dkimSelectors: selectors)
    }

    static func judge(_ zone: InMemoryZone, _ institution: Institution) async throws -> (DMARCCheck.Result, [Finding]) {
        let keys = try await DKIMCheck(resolver: zone).check(fromDomains: institution.senderDomains.map(\.name), selectors: institution.dkimSelectors)
        let path = SendingPath(fromDomains: institution.senderDomains.map(\.name), envelopeFrom: institution.envelopeFrom?.description ?? SendingPath.almaDefaultEnvelope,
                               envelopeAssumed: institution.envelopeFrom == nil, sendingAddresses: [], addressSource: .exLibrisRelays)
        let dmarc = try await DMARCCheck(resolver: zone).check(path, envelopeSPF: [:], selectors: institution.dkimSelectors, dkim: keys)
        return (dmarc, DKIMCheck.findings(keys, failing: dmarc.needingDKIM))
    }

    static func zone(dmarc: String = "v=DMARC1; p=reject", key: String?) -> InMemoryZone {
        var zone = InMemoryZone()
        zone.addTXT([dmarc], at: "_dmarc.campus.edu")
        if let key { zone.addTXT([key], at: "alma1._domainkey.campus.edu") }
        return zone
    }

    @Test func aUsableAlignedKeyRescuesAMisalignedEnvelope() async throws {
        let (dmarc, dkim) = try await Self.judge(Self.zone(key: "v=DKIM1; p=\(Self.key2048)"), Self.institution())
        #expect(dmarc.outcome == .pass)
        #expect(dmarc.findings.map(\.code) == [.dmarcAlignedByDKIM])
        #expect(dmarc.findings.first?.message.contains("The scanner saw the key, not a signature") == true)
        #expect(dkim.isEmpty)
    }

    @Test func aRevokedKeyCannotRescueAndIsAnError() async throws {
        let (dmarc, dkim) = try await Self.judge(Self.zone(key: "v=DKIM1; p="), Self.institution())
        #expect(dmarc.outcome == .fail)
        #expect(dmarc.findings.first?.code == .dmarcMisaligned)
        #expect(dmarc.findings.first?.message.contains("alma1._domainkey.campus.edu is revoked") == true)
        #expect(dkim.map(\.code) == [.dkimRevoked] && dkim.first?.severity == .error)
    }

    @Test func noDefiniteDKIMAnswerWhereDMARCNeedsItIsUnknown() async throws {
        var zone = Self.zone(key: nil)
        zone.fail("alma1._domainkey.campus.edu", with: .serverFailure)
        let (dmarc, dkim) = try await Self.judge(zone, Self.institution())
        #expect(dmarc.outcome == .unknown)
        #expect(dkim.map(\.code) == [.dkimTemperror] && dkim.first?.severity == .error)
    }

    @Test func withoutSelectorsTheMisalignmentSaysSo() async throws {
        let (dmarc, _) = try await Self.judge(Self.zone(key: nil), Self.institution(selectors: []))
        #expect(dmarc.outcome == .fail)
        #expect(dmarc.findings.first?.message.contains("no DKIM selector is named in the inventory") == true)
    }

    @Test func dkimProblemsAreWarningsWhereDMARCDoesNotNeedDKIM() async throws {
        let (dmarc, dkim) = try await Self.judge(Self.zone(dmarc: "v=DMARC1; p=none", key: nil), Self.institution())
        #expect(dmarc.outcome == .pass)
        #expect(dkim.map(\.code) == [.dkimMissing] && dkim.first?.severity == .warning)
        #expect(dkim.first?.remediation.contains("alma1._domainkey.campus.edu") == true)
    }

    @Test func strictDKIMAlignmentNeedsTheExactDomain() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=DMARC1; p=reject; adkim=s"], at: "_dmarc.library.campus.edu")
        zone.addTXT(["v=DKIM1; p=\(Self.key2048)"], at: "alma1._domainkey.campus.edu")
        var institution = Self.institution(domain: "library.campus.edu")
        institution.senderDomains.append(try DomainName.parse("campus.edu").get())
        let (strict, _) = try await Self.judge(zone, institution)
        #expect(strict.outcome == .fail, "a key at campus.edu does not align strictly with library.campus.edu")
        var relaxedZone = InMemoryZone()
        relaxedZone.addTXT(["v=DMARC1; p=reject"], at: "_dmarc.library.campus.edu")
        relaxedZone.addTXT(["v=DKIM1; p=\(Self.key2048)"], at: "alma1._domainkey.campus.edu")
        // RFC 9989 §4.10.2: with no record at campus.edu, library.campus.edu is its own
        // organizational domain, so a campus.edu key does not align for RFC 9989 receivers (issue 24).
        let (walked, _) = try await Self.judge(relaxedZone, institution)
        #expect(walked.outcome == .fail, "RFC 9989 receivers do not align a parent without a record")
        relaxedZone.addTXT(["v=DMARC1; p=none"], at: "_dmarc.campus.edu")
        let (relaxed, _) = try await Self.judge(relaxedZone, institution)
        #expect(relaxed.outcome == .pass, "relaxed alignment compares organizational domains")
    }

    @Test func aWeakKeyRescuesWithAWarningAndTestingIsAWarning() async throws {
        let (dmarc, dkim) = try await Self.judge(Self.zone(key: "v=DKIM1; t=y; p=\(DKIMKeyRecordTests.rsa1024SPKI)"), Self.institution())
        #expect(dmarc.outcome == .pass)
        #expect(Set(dkim.map(\.code)) == [.dkimWeakKey, .dkimTesting])
        #expect(dkim.allSatisfy { $0.severity == .warning })
    }
}
