import Foundation

/// Checks one institution: one checker per concern (SPF of each sender domain, DMARC of the From
/// domains, the institution's own relay), each returning its outcome and findings; the verdict is
/// then ``VerdictRules/institution(_:)`` of those outcomes.
public struct InstitutionChecker: Sendable {
    public let resolver: any DNSResolver
    public let spf: SPFCheck
    public let dmarc: DMARCCheck
    public let dkim: DKIMCheck
    public let relay: RelayCheck

    public init(resolver: any DNSResolver, probe: SMTPProbe, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.resolver = resolver
        self.spf = SPFCheck(resolver: resolver)
        self.dmarc = DMARCCheck(resolver: resolver)
        self.dkim = DKIMCheck(resolver: resolver)
        self.relay = RelayCheck(probe: probe, credentials: RelayCredentials(environment: environment))
    }

    public func check(_ institution: Institution, relays: RegionRelaySet) async throws -> InstitutionResult {
        let start = ContinuousClock.now
        // The DKIM keys are read while SPF is evaluated: their lookups then add no wall time.
        async let dkimKeys = dkim.check(institution)
        var outcomes: [CheckOutcome] = []
        var findings: [Finding] = []
        var domains: [DomainResult] = []

        if institution.delivery == .spf {
            for domain in institution.senderDomains {
                let checked = try await spf.check(domain: domain.name, sender: Self.sender(for: domain.name, of: institution), relays: relays)
                domains.append(checked.domain)
                outcomes.append(checked.outcome)
                findings += checked.findings
            }
        }

        let keys = try await dkimKeys
        let dmarcResult = try await dmarc.check(institution, dkim: keys)
        outcomes.append(dmarcResult.outcome)
        findings += dmarcResult.findings + DKIMCheck.findings(keys, failing: dmarcResult.needingDKIM)
        for index in domains.indices {
            let evaluation = dmarcResult.evaluations[domains[index].domain]
            domains[index].dmarcPolicy = evaluation?.effectivePolicy?.rawValue
            domains[index].dmarcAligned = evaluation?.aligned
            domains[index].dmarcRecord = evaluation?.record?.text
            domains[index].dmarcRecordName = evaluation?.record == nil ? nil : evaluation?.recordName
        }

        var relaySummary: RelaySummary?
        if institution.delivery == .relay, let configuration = institution.relay {
            let checked = try await relay.check(configuration)
            relaySummary = checked.summary
            outcomes.append(checked.outcome)
            findings += checked.findings
        }

        let worstSPF = domains.compactMap(\.worstResult).max()
        var result = InstitutionResult(
            institutionID: institution.id, name: institution.name, method: institution.delivery, status: VerdictRules.institution(outcomes),
            spfResult: institution.delivery == .spf ? worstSPF : nil, dmarcPolicy: dmarcResult.strictestPolicy?.rawValue,
            relayStatus: relaySummary?.status, dkimStatus: keys.map(\.status).max(), change: .new,
            findings: findings.sorted { ($1.severity, $0.code) < ($0.severity, $1.code) }, domains: domains, relay: relaySummary,
            durationMilliseconds: Int((ContinuousClock.now - start).milliseconds))
        result.dkimKeys = keys.isEmpty ? nil : keys
        return result
    }

    /// The sender checked for a domain: its From address, else a mailbox of the domain.
    static func sender(for domain: String, of institution: Institution) -> String {
        institution.fromAddresses.first { $0.domain.name == domain }?.description ?? "alma-notices@\(domain)"
    }
}
