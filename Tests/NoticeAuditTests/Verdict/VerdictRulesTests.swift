import Testing
@testable import NoticeAudit

/// ../shared/domain.md, "Verdict rules": one test per rule. A verdict is never better than what
/// was seen.
@Suite("verdict rules")
struct VerdictRulesTests {
    @Test func noRelayAddressKnownIsUnknown() {
        #expect(VerdictRules.spf(results: [], relaySet: .empty, sampled: false) == (.unknown, .spfRelaysUnknown))
    }

    @Test(arguments: [SPFResult.fail, .softfail, .neutral, .none, .permerror])
    func aDefiniteNonPassOnAKnownAddressIsProofEvenWhenTheSetIsIncomplete(result: SPFResult) {
        #expect(VerdictRules.spf(results: [.pass, result], relaySet: .complete, sampled: false).outcome == .fail)
        #expect(VerdictRules.spf(results: [.pass, result, .temperror], relaySet: .incomplete, sampled: true).outcome == .fail)
    }

    @Test func aTemperrorWithoutProofIsUnknown() {
        #expect(VerdictRules.spf(results: [.pass, .temperror], relaySet: .complete, sampled: false) == (.unknown, .spfTemperror))
    }

    @Test func passingEveryKnownAddressOfAnIncompleteSetIsUnknown() {
        #expect(VerdictRules.spf(results: [.pass], relaySet: .incomplete, sampled: false) == (.unknown, .catalogIncomplete))
    }

    @Test func passingOnlySampledAddressesIsUnknown() {
        #expect(VerdictRules.spf(results: [.pass], relaySet: .complete, sampled: true) == (.unknown, .spfCoverageSampled))
    }

    @Test func everyAddressOfACompleteSetPassingIsAPass() {
        #expect(VerdictRules.spf(results: [.pass], relaySet: .complete, sampled: false) == (.pass, nil))
    }

    /// The vantage point: a refused or unreachable relay proves a fault only when campus IT
    /// confirmed that the scanner is let in.
    @Test(arguments: [RelayStatus.refused, .unreachable])
    func refusedOrUnreachableIsProofOnlyWhenTheScannerIsAdmitted(status: RelayStatus) {
        #expect(VerdictRules.relay(status: status, temporary: false, admitsScanner: false) == (.unknown, .relayUnreachableFromScanner))
        #expect(VerdictRules.relay(status: status, temporary: false, admitsScanner: true) == (.fail, FindingCode.relay(status)))
    }

    @Test(arguments: [RelayStatus.timeout, .temporary])
    func timeoutsAndFourHundredRepliesAreUnknown(status: RelayStatus) {
        #expect(VerdictRules.relay(status: status, temporary: true, admitsScanner: true).outcome == .unknown)
    }

    @Test func aDNSTemperrorIsUnknownAndAMissingNameIsProof() {
        #expect(VerdictRules.relay(status: .dnsError, temporary: true, admitsScanner: false).outcome == .unknown)
        #expect(VerdictRules.relay(status: .dnsError, temporary: false, admitsScanner: false).outcome == .fail)
    }

    @Test(arguments: [RelayStatus.tlsError, .certUntrusted, .certExpired, .certNameMismatch, .starttlsMissing, .authMissing, .authFailed, .protocolError])
    func tlsCertificateAndAuthFailuresAreProof(status: RelayStatus) {
        #expect(VerdictRules.relay(status: status, temporary: false, admitsScanner: false) == (.fail, FindingCode.relay(status)))
    }

    /// ../shared/domain.md, vantage point after the connection: a 5xx greeting or a reset before
    /// the dialogue ends (`refused`) is what an access list does to a stranger; proof only when
    /// campus IT admitted the scanner (issue 19).
    @Test(arguments: [RelayStatus.rejected, .refused])
    func aFiveHundredGreetingOrAResetIsProofOnlyWhenTheScannerIsAdmitted(status: RelayStatus) {
        #expect(VerdictRules.relay(status: status, temporary: false, admitsScanner: false) == (.unknown, .relayUnreachableFromScanner))
        #expect(VerdictRules.relay(status: status, temporary: false, admitsScanner: true) == (.fail, FindingCode.relay(status)))
    }

    @Test func okIsAPass() {
        #expect(VerdictRules.relay(status: .ok, temporary: false, admitsScanner: false) == (.pass, nil))
    }

    @Test(arguments: [
        ([CheckOutcome.pass, .pass], ComplianceStatus.compliant), ([.pass, .unknown], .unknown), ([.unknown, .fail, .pass], .noncompliant), ([], .unknown),
    ])
    func anInstitutionIsCompliantOnlyWhenNothingFailedOrIsUnknown(outcomes: [CheckOutcome], status: ComplianceStatus) {
        #expect(VerdictRules.institution(outcomes) == status)
    }

    @Test func everyRelayStatusButOkHasAFindingCode() {
        for status in RelayStatus.allCases { #expect((FindingCode.relay(status) == nil) == (status == .ok)) }
    }
}
