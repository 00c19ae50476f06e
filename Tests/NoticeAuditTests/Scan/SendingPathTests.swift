import Foundation
import Testing
@testable import NoticeAudit

/// Issue 19, in memory: the sending path used by every check, the envelope's SPF, DMARC discovery
/// ending on several records, the deciding finding, run-level causes, changes against consortium runs.
@Suite("the sending path and the deciding finding (issue 19)")
struct SendingPathTests {
    static func domain(_ name: String) -> DomainName { try! DomainName.parse(name).get() }
    static func address(_ text: String) -> EmailAddress { try! EmailAddress.parse(text).get() }

    /// A zone where the NA include authorizes 192.0.2.16/28 and `campus.edu` includes it.
    static func zone() -> InMemoryZone {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 ip4:192.0.2.16/28 -all"], at: "spf-na.example")
        zone.addTXT(["v=spf1 include:spf-na.example -all"], at: "campus.edu")
        zone.addTXT(["v=spf1 include:spf-na.example -all"], at: "library.campus.edu")
        // Issue 20: the relays have forward-confirmed reverse DNS, so the receivers' ptr row passes.
        for last in UInt32(16)...31 {
            let address = IPAddress.v4(0xC000_0200 | last)
            zone.add(.ptr("relay.spf-na.example"), at: address.reverseLookupName)
            zone.add(.a(address), at: "relay.spf-na.example")
        }
        return zone
    }

    static func check(_ institution: Institution, zone: InMemoryZone) async throws -> InstitutionResult {
        let relays = try await SPFCheckTests.relaySet(page: ["192.0.2.16/28"], zone: zone)
        let checker = InstitutionChecker(resolver: zone, probe: try SMTPProbe(resolver: zone, timeout: .seconds(1)))
        return try await checker.check(institution, relays: relays)
    }

    /// Defect "From domains differ by check": DMARC looked only at the from_addresses' domains.
    @Test func everyFromDomainGetsEveryCheck() async throws {
        var zone = Self.zone()
        zone.addTXT(["v=DMARC1; p=reject"], at: "_dmarc.campus.edu")
        let institution = Institution(id: "c", name: "Campus", region: .northAmerica, delivery: .spf,
                                      fromAddresses: [Self.address("notices@library.campus.edu")],
                                      senderDomains: [Self.domain("library.campus.edu"), Self.domain("campus.edu")])
        let result = try await Self.check(institution, zone: zone)
        #expect(result.sendingPath?.fromDomains == ["library.campus.edu", "campus.edu"])
        #expect(result.domains.map(\.domain) == ["library.campus.edu", "campus.edu"])
        // campus.edu is a sender domain only; its p=reject with Alma's envelope fails DMARC.
        #expect(result.status == .noncompliant)
        #expect(result.findings.contains { $0.code == .dmarcMisaligned && $0.target == "campus.edu" })
    }

    /// Defect "the envelope is assumed, and never checked": absent, it is Alma's default, said once.
    @Test func anAbsentEnvelopeIsAlmasDefaultAndSaid() async throws {
        var zone = Self.zone()
        zone.addTXT(["v=DMARC1; p=quarantine"], at: "_dmarc.campus.edu")
        let institution = Institution(id: "c", name: "Campus", region: .northAmerica, delivery: .spf, senderDomains: [Self.domain("campus.edu")])
        let result = try await Self.check(institution, zone: zone)
        #expect(result.sendingPath?.envelopeDomain == "exlibrisgroup.com")
        #expect(result.sendingPath?.envelopeAssumed == true)
        #expect(result.findings.filter { $0.code == .envelopeDefaultAssumed }.count == 1)
        #expect(result.status == .noncompliant)
        #expect(result.decisiveFinding?.code == .dmarcMisaligned)
        #expect(result.findings.first?.decisive == true, "the deciding finding comes first")
        #expect(result.findings.filter(\.decisive).count == 1)
    }

    /// Defect: an envelope on a campus subdomain was taken as aligned without checking its SPF.
    @Test func aSubdomainEnvelopeAlignsOnlyWhenItsSPFPasses() async throws {
        var zone = Self.zone()
        zone.addTXT(["v=DMARC1; p=quarantine"], at: "_dmarc.campus.edu")
        zone.addTXT(["v=spf1 ip4:203.0.113.0/24 -all"], at: "mail.campus.edu")
        var institution = Institution(id: "c", name: "Campus", region: .northAmerica, delivery: .spf, senderDomains: [Self.domain("campus.edu")],
                                      envelopeFrom: Self.address("alma@mail.campus.edu"), senderClass: .standard)
        var result = try await Self.check(institution, zone: zone)
        #expect(result.status == .noncompliant)
        #expect(result.decisiveFinding?.code == .envelopeSPFNotPassing)
        #expect(result.findings.contains { $0.code == .dmarcMisaligned })
        // With the include, the same envelope passes SPF and aligns (relaxed): compliant.
        zone.addTXT(["v=spf1 include:spf-na.example -all"], at: "bounces.campus.edu")
        institution.envelopeFrom = Self.address("alma@bounces.campus.edu")
        result = try await Self.check(institution, zone: zone)
        #expect(result.status == .compliant, "\(result.findings.map(\.code))")
        #expect(!result.findings.contains { $0.code == .envelopeDefaultAssumed })
    }

    /// RFC 7489 §6.6.3: several records at the From name end discovery with no policy; the
    /// organizational domain's p=reject is never reached.
    @Test func severalRecordsEndDiscovery() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=DMARC1; p=none"], at: "_dmarc.library.campus.edu")
        zone.addTXT(["v=DMARC1; p=quarantine"], at: "_dmarc.library.campus.edu")
        zone.addTXT(["not dmarc at all"], at: "_dmarc.library.campus.edu")
        zone.addTXT(["v=DMARC1; p=reject"], at: "_dmarc.campus.edu")
        let evaluation = try await DMARCChecker(resolver: zone).evaluate(fromDomain: "library.campus.edu", envelopeDomain: "exlibrisgroup.com")
        #expect(evaluation.verdict == .multipleRecords)
        #expect(evaluation.effectivePolicy == nil)
        let (outcome, finding) = DMARCCheck.judge(evaluation, from: "library.campus.edu", envelope: "alma@exlibrisgroup.com")
        #expect(outcome == .pass && finding?.code == .dmarcMultipleRecords && finding?.severity == .warning)
    }

    /// RFC 7489 §6.6.3 step 6: no valid p but a valid rua reads as p=none; neither: no DMARC.
    @Test func aRecordWithoutAValidPolicyIsNoneWithRUAElseNoDMARC() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=DMARC1; p=block; rua=mailto:reports@campus.edu"], at: "_dmarc.campus.edu")
        zone.addTXT(["v=DMARC1; p=block"], at: "_dmarc.other.edu")
        zone.addTXT(["v=DMARC1; p=reject"], at: "_dmarc.edu")
        let withRUA = try await DMARCChecker(resolver: zone).evaluate(fromDomain: "campus.edu", envelopeDomain: "exlibrisgroup.com")
        #expect(withRUA.effectivePolicy == DMARCRecord.Policy.none && withRUA.verdict == .fine)
        let without = try await DMARCChecker(resolver: zone).evaluate(fromDomain: "other.edu", envelopeDomain: "exlibrisgroup.com")
        #expect(without.verdict == .invalid("v=DMARC1; p=block"))
        #expect(DMARCCheck.judge(without, from: "other.edu", envelope: "a@b").1?.code == .dmarcInvalid)
    }

    /// Defect "the first line is not the cause": a firewalled relay's deciding finding is the
    /// vantage point, not the DMARC warning that sorts before it by severity.
    @Test func theDecidingFindingIsTheCauseNotTheWorstSeverity() {
        let ledger = CheckLedger()
        let dmarcMissing = Finding(code: .dmarcMissing, severity: .warning, target: "campus.edu", message: "m", remediation: "r")
        let vantage = Finding(code: .relayUnreachableFromScanner, severity: .warning, target: "smtp:587", message: "v", remediation: "r")
        let error = Finding(code: .dkimTemperror, severity: .error, target: "s._domainkey.campus.edu", message: "e", remediation: "r")
        ledger.record(.pass, findings: [dmarcMissing, error])
        ledger.record(.unknown, reason: vantage, findings: [vantage])
        let institution = Institution(id: "c", name: "C", region: .northAmerica, delivery: .relay, senderDomains: [Self.domain("campus.edu")])
        let result = ledger.result(for: institution, durationMilliseconds: 1)
        #expect(result.status == .unknown)
        #expect(result.findings.first?.code == .relayUnreachableFromScanner && result.findings.first?.decisive == true)
        #expect(ScanDigest.topFinding(result)?.code == .relayUnreachableFromScanner)
    }

    /// Defect "the deadline throws away proof": a failure decided before the cut stands.
    @Test func aDeadlineKeepsTheFailureItProved() {
        let ledger = CheckLedger()
        let failure = Finding(code: .spfNotAuthorized, severity: .error, target: "campus.edu", message: "f", remediation: "r")
        ledger.record(.fail, reason: failure, findings: [failure])
        let institution = Institution(id: "c", name: "C", region: .northAmerica, delivery: .spf, senderDomains: [Self.domain("campus.edu")])
        let result = ledger.result(for: institution, cut: .seconds(2), durationMilliseconds: 2000)
        #expect(result.status == .noncompliant)
        #expect(result.decisiveFinding?.code == .spfNotAuthorized)
        #expect(result.findings.contains { $0.code == .scanDeadline })
        // Nothing decided before the cut: unknown, and the deadline is why.
        let empty = CheckLedger().result(for: institution, cut: .seconds(2), durationMilliseconds: 2000)
        #expect(empty.status == .unknown && empty.decisiveFinding?.code == .scanDeadline)
    }

    /// Defect "a temporary DNS error is not remembered": one name server that never answers
    /// costs one query per run, not one per relay range.
    @Test func aTemporaryErrorIsRememberedForTheRun() async throws {
        final class CountingTransport: DNSTransport, @unchecked Sendable {
            let lock = NSLock()
            var asked: [String] = []
            func exchange(_ name: String, type: DNSRecordType) async throws -> DNSResponse {
                lock.withLock { asked.append(name) }
                throw DNSLookupError(.timeout, name: name, type: type, detail: "no answer")
            }
        }
        let transport = CountingTransport()
        let resolver = CachingDNSResolver(transport: transport)
        for _ in 0..<3 {
            await #expect(throws: DNSLookupError.self) { try await resolver.resolve("dead.example", type: .txt) }
        }
        #expect(transport.asked == ["dead.example"])
        #expect(resolver.temporaryFailures.map(\.name) == ["dead.example"])
        #expect(throws: DNSLookupError.self) { try resolver.answerAtHand("dead.example", type: .txt) }
    }

    /// Defect "one cause, forty copies": institutions a catalog cause explains are named on it.
    @Test func aRunLevelCauseNamesTheInstitutionsItExplains() {
        let cause = Finding(code: .catalogNoAddress, severity: .error, target: "NA", message: "No relay address of North America is known.", remediation: "r", campusCanFix: false)
        func result(_ id: String, _ decisive: FindingCode) -> InstitutionResult {
            var finding = Finding(code: decisive, severity: .error, target: id, message: "m", remediation: "r")
            finding.decisive = true
            var result = InstitutionResult(institutionID: id, name: id, method: .spf, status: .unknown, spfResult: nil, dmarcPolicy: nil, relayStatus: nil,
                                           change: .unverified, findings: [finding], domains: [], relay: nil, durationMilliseconds: 1)
            result.region = .northAmerica
            return result
        }
        let results = (1...12).map { result("i\($0)", .spfRelaysUnknown) } + [result("own", .dmarcTemperror)]
        let findings = RunLevelCauses.attach(to: [cause], results: results, dnsSilent: false)
        #expect(findings.first?.institutions?.count == 12)
        #expect(findings.first?.institutions?.contains("own") == false)
        let run = ScanRunRecord(id: 1, startedAt: Date(), finishedAt: Date(), status: .completed, trigger: .scheduled, toolVersion: "t", consortium: "C",
                                selection: nil, catalogSnapshotID: nil, catalogSource: nil, catalogStale: false, notes: [], findings: findings)
        let report = ScanReport(run: run, results: results, trend: [], catalog: nil)
        let digest = ScanDigest(report: report, reportFolder: "R").render()
        #expect(digest.contains("CATALOG_NO_ADDRESS [12 institutions: i1, i10, i11, i12, i2, i3, i4, i5, i6, i7 and 2 more]"), "\(digest)")
        #expect(!digest.contains("  i1 "), "an explained institution has no line of its own")
        #expect(digest.contains("  own "))
        #expect(CampusLetterRenderer.addressees(report).map(\.institutionID) == ["own"])
    }
}
