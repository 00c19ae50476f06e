import Foundation

/// Checks one institution: its sending path first (``SendingPath``), then one checker per concern
/// (SPF of each From domain, the envelope domain's SPF, DMARC of the From domains, the
/// institution's own relay). Each decided check goes to the ``CheckLedger`` at once, so a deadline
/// keeps what was proved; the verdict is ``VerdictRules/institution(_:)`` of the outcomes.
public struct InstitutionChecker: Sendable {
    public let resolver: any DNSResolver
    public let spf: SPFCheck
    public let envelopeSPF: EnvelopeSPFCheck
    public let dmarc: DMARCCheck
    public let dkim: DKIMCheck
    public let relay: RelayCheck

    public init(resolver: any DNSResolver, probe: SMTPProbe, scannerAddresses: [IPNetwork] = [],
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.resolver = resolver
        self.spf = SPFCheck(resolver: resolver)
        self.envelopeSPF = EnvelopeSPFCheck(resolver: resolver)
        self.dmarc = DMARCCheck(resolver: resolver)
        self.dkim = DKIMCheck(resolver: resolver)
        self.relay = RelayCheck(probe: probe, credentials: RelayCredentials(environment: environment), scannerAddresses: scannerAddresses)
    }

    /// Checks `institution` to the end and returns its result.
    public func check(_ institution: Institution, relays: RegionRelaySet) async throws -> InstitutionResult {
        let start = ContinuousClock.now
        let ledger = CheckLedger()
        try await check(institution, relays: relays, into: ledger)
        return ledger.result(for: institution, durationMilliseconds: Int((ContinuousClock.now - start).milliseconds))
    }

    /// Checks `institution`, recording each decided check in `ledger` as it is decided.
    public func check(_ institution: Institution, relays: RegionRelaySet, into ledger: CheckLedger) async throws {
        let path = try await SendingPath.of(institution, relays: relays, resolver: resolver)
        ledger.setPath(path)
        ledger.note(path.assumptionFindings(institution: institution))
        // The DKIM keys are read while SPF is evaluated: their lookups then add no wall time.
        async let dkimKeys = dkim.check(fromDomains: path.fromDomains, selectors: institution.dkimSelectors)

        var spfOutcomes: [String: CheckOutcome] = [:]
        if institution.delivery == .spf {
            for domain in path.fromDomains {
                let checked = try await spf.check(domain: domain, sender: Self.sender(for: domain, of: institution), relays: relays)
                ledger.update { $0.domains.append(checked.domain) }
                ledger.record(checked.outcome, reason: checked.outcome == .pass ? nil : checked.findings.first, findings: checked.findings)
                spfOutcomes[domain] = checked.outcome
            }
        }
        // The envelope domain's SPF: receivers evaluate it, not the From domain's. Alma's default
        // (exlibrisgroup.com) is a vendor-side fact, not the campus's; a From domain's SPF is
        // already known above; any other campus envelope domain is one more SPF check.
        if !path.envelopeIsExLibris, spfOutcomes[path.envelopeDomain] == nil {
            let checked = try await envelopeSPF.check(path, knowledge: institution.delivery == .spf ? relays.knowledge : .complete)
            ledger.record(checked.outcome, reason: checked.findings.first, findings: checked.findings)
            spfOutcomes[path.envelopeDomain] = checked.outcome
        }

        let keys = try await dkimKeys
        ledger.update { $0.dkimKeys = keys }
        let dmarcResult = try await dmarc.check(path, envelopeSPF: spfOutcomes, selectors: institution.dkimSelectors, dkim: keys)
        let dkimFindings = DKIMCheck.findings(keys, failing: dmarcResult.needingDKIM)
        for outcome in dmarcResult.perDomain {
            ledger.record(outcome.outcome, reason: outcome.finding.flatMap { $0.severity == .info ? nil : $0 }
                ?? dkimFindings.first { $0.severity == .error && DomainName.normalized($0.target).hasSuffix(outcome.domain) }, findings: [])
        }
        ledger.note(dmarcResult.findings + dkimFindings)
        ledger.update { state in
            state.dmarcPolicy = dmarcResult.strictestPolicy
            state.dmarc = dmarcResult.discoveries
            for index in state.domains.indices {
                let evaluation = dmarcResult.evaluations[state.domains[index].domain]
                state.domains[index].dmarcPolicy = evaluation?.effectivePolicy
                state.domains[index].dmarcAligned = evaluation?.aligned
                state.domains[index].dmarcRecord = evaluation?.record?.text
                state.domains[index].dmarcRecordName = evaluation?.record == nil ? nil : evaluation?.recordName
            }
        }

        if institution.delivery == .relay, let configuration = institution.relay {
            let checked = try await relay.check(configuration)
            ledger.update { $0.relay = checked.summary }
            ledger.record(checked.outcome, reason: checked.outcome == .pass ? nil : checked.findings.first, findings: checked.findings)
        }
    }

    /// The sender checked for a domain: its From address, else a mailbox of the domain.
    static func sender(for domain: String, of institution: Institution) -> String {
        institution.fromAddresses.first { $0.domain.name == domain }?.description ?? "alma-notices@\(domain)"
    }
}
