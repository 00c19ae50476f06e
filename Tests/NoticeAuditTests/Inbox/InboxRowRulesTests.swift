import Testing
@testable import NoticeAudit

/// Each receivers' row is a pure function of what the other checks saw (``InboxRowRules``): a table
/// of evidence and the status, party and finding each row gives.
@Suite("the receivers' rows, rule by rule")
struct InboxRowRulesTests {
    static let from = "lib.example.edu"

    static func key(_ status: DKIMKeyStatus) -> DKIMKeyCheck.Result {
        DKIMKeyCheck.Result(selector: "s1", domain: from, name: "s1._domainkey.\(from)", status: status, keyType: status.isUsable ? "rsa" : nil,
                            keyBits: status.isUsable ? 2048 : nil, testing: false, record: nil, problems: [])
    }

    static func evidence(envelopeSPF: InboxStatus = .pass, keys: [DKIMKeyCheck.Result] = [], selectors: [String] = ["s1"],
                         policy: [(CheckOutcome, Finding?)] = [(.pass, nil)], party: InboxParty = .exLibris) -> InboxAssessment.Evidence {
        let institution = Institution(id: "lib", name: "Library", region: .northAmerica, delivery: .spf, senderDomains: [], dkimSelectors: selectors)
        let path = SendingPath(fromDomains: [from], envelopeFrom: "alma@exlibrisgroup.com", envelopeAssumed: true, sendingAddresses: [], addressSource: .exLibrisRelays)
        var dmarc = DMARCCheck.Result(strictestPolicy: nil, evaluations: [:], outcome: .pass, findings: [])
        dmarc.perDomain = policy.map { (from, $0.0, $0.1) }
        return InboxAssessment.Evidence(
            institution: institution, path: path, envelopeSPF: envelopeSPF, envelopeSPFDetail: "the SPF of exlibrisgroup.com says \(envelopeSPF.rawValue)",
            envelopeParty: party, envelopeFinding: nil, keys: keys, dmarc: dmarc, reputation: ReputationReport(ranges: [], zones: [], unusableZones: [:]),
            reputationParty: party, regionInclude: nil)
    }

    /// `spf_or_dkim`: the envelope's SPF, or a usable key; a key lookup without answer keeps a failing SPF undecided.
    @Test(arguments: [
        (InboxStatus.pass, [DKIMKeyStatus](), InboxStatus.pass),
        (.fail, [.ok], .pass),
        (.fail, [.weak], .pass),
        (.fail, [.missing], .fail),
        (.fail, [.temperror], .unknown),
        (.unknown, [.missing], .unknown),
        (.fail, [], .fail),
    ])
    func spfOrDKIM(envelope: InboxStatus, keys: [DKIMKeyStatus], expected: InboxStatus) {
        let verdict = InboxRowRules.spfOrDKIM(Self.evidence(envelopeSPF: envelope, keys: keys.map(Self.key)))
        #expect(verdict.status == expected)
        #expect(verdict.row == .spfOrDKIM && verdict.party == .exLibris)
        #expect(verdict.finding?.code == .inboxSPFNotPassing, "a failing envelope is the row's own finding when no check said it")
        #expect(InboxRowRules.spf(Self.evidence(envelopeSPF: envelope, keys: keys.map(Self.key))).status == envelope, "spf is the envelope's SPF alone")
    }

    /// `dkim`: a usable key at a named selector; without a selector, unseen; a missing key refers to the DKIM check's finding.
    @Test(arguments: [
        ([String](), [DKIMKeyStatus](), InboxStatus.unknown, FindingCode?.some(.inboxDKIMUnseen)),
        (["s1"], [.ok], .pass, nil),
        (["s1"], [.weak], .pass, nil),
        (["s1"], [.missing], .fail, .dkimMissing),
        (["s1"], [.revoked], .fail, .dkimRevoked),
        (["s1"], [.temperror], .unknown, nil),
    ])
    func dkim(selectors: [String], keys: [DKIMKeyStatus], expected: InboxStatus, code: FindingCode?) {
        let verdict = InboxRowRules.dkim(Self.evidence(keys: keys.map(Self.key), selectors: selectors))
        #expect(verdict.status == expected)
        #expect(verdict.finding?.code == code)
        #expect(verdict.party == .institution, "the Ex Libris relays send: the key is the institution's")
    }

    /// `dmarc_policy`: the DMARC check's outcome and finding, both readings; nothing checked is unknown.
    @Test func dmarcPolicy() {
        let rule = Finding(code: .dmarcPolicyNone, severity: .error, target: Self.from, message: "p=none", remediation: "r")
        let table: [([(CheckOutcome, Finding?)], InboxStatus, FindingCode?)] = [
            ([(.pass, nil)], .pass, nil), ([(.fail, rule)], .fail, .dmarcPolicyNone), ([(.unknown, nil)], .unknown, nil), ([], .unknown, nil),
        ]
        for (outcomes, expected, code) in table {
            let verdict = InboxRowRules.dmarcPolicy(Self.evidence(policy: outcomes))
            #expect(verdict.status == expected && verdict.finding?.code == code, "\(outcomes.map(\.0))")
        }
    }

    /// The rows no scanner can see, and who is asked of them.
    @Test func rowsNotObservable() {
        let exLibris = Self.evidence(party: .exLibris), campus = Self.evidence(party: .campusRelay)
        #expect(InboxRowRules.tls(exLibris) == InboxRowVerdict(row: .tls, status: .notObservable, party: .exLibris,
                                                               detail: "not visible to a scanner (Ex Libris says its relays support TLS)", finding: nil))
        #expect(InboxRowRules.tls(campus).detail == "not visible to a scanner" && InboxRowRules.tls(campus).party == .campusRelay)
        #expect(InboxRowRules.spamRate(campus) == InboxRowVerdict(row: .spamRate, status: .notObservable, party: .institution, detail: "seen only by the providers", finding: nil))
    }

    /// The matrix is the rules in order, one row each.
    @Test func theMatrixIsEveryRuleInOrder() {
        let assessment = InboxAssessment(Self.evidence(envelopeSPF: .fail, keys: [Self.key(.missing)]))
        #expect(assessment.matrix.requirements.map(\.row) == [.spfOrDKIM, .spf, .dkim, .dmarcRecord, .alignment, .dmarcPolicy, .ptr, .tls, .blocklists, .spamRate])
        #expect(assessment.matrix.requirements.map(\.status) == InboxRowRules.all.map { $0(Self.evidence(envelopeSPF: .fail, keys: [Self.key(.missing)])).status })
    }
}
