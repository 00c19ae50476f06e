/// The DMARC check (RFC 7489) of an institution's From domains against the envelope sender
/// Alma uses: a `quarantine` or `reject` policy with an envelope sender that does not align means
/// notices fail DMARC.
public struct DMARCCheck: Sendable {
    /// What the check found for every From domain.
    public struct Result: Sendable {
        /// The strictest effective policy among the From domains.
        public var strictestPolicy: DMARCRecord.Policy?
        public var evaluations: [String: DMARCEvaluation]
        public var outcome: CheckOutcome
        public var findings: [Finding]
    }

    public let resolver: any DNSResolver

    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    public func check(_ institution: Institution) async throws -> Result {
        let checker = DMARCChecker(resolver: resolver)
        let fromDomains = institution.fromAddresses.isEmpty
            ? institution.senderDomains.map(\.name) : Array(Set(institution.fromAddresses.map(\.domain.name))).sorted()
        var result = Result(strictestPolicy: nil, evaluations: [:], outcome: .pass, findings: [])
        var outcomes: [CheckOutcome] = []
        for from in fromDomains {
            let envelope = institution.envelopeFrom?.domain.name ?? from
            let evaluation = try await checker.evaluate(fromDomain: from, envelopeDomain: envelope)
            result.evaluations[from] = evaluation
            if let policy = evaluation.effectivePolicy { result.strictestPolicy = max(result.strictestPolicy ?? policy, policy) }
            let (outcome, finding) = Self.judge(evaluation, from: from, envelope: institution.envelopeFrom?.description ?? envelope)
            outcomes.append(outcome)
            if let finding { result.findings.append(finding) }
        }
        result.outcome = VerdictRules.combine(outcomes)
        return result
    }

    /// One From domain: misaligned under quarantine/reject is proof, no definite answer unknown, a
    /// missing record a warning and `p=none` an info (../shared/domain.md, "DMARC").
    static func judge(_ evaluation: DMARCEvaluation, from: String, envelope: String) -> (CheckOutcome, Finding?) {
        switch evaluation.verdict {
        case .fine where evaluation.effectivePolicy == DMARCRecord.Policy.none:
            return (.pass, Finding(code: .dmarcPolicyNone, severity: .info, target: from,
                message: "\(evaluation.recordName ?? "_dmarc.\(from)") has p=none: receivers only report on mail that fails DMARC.",
                remediation: "Nothing is needed for the notices. Before moving to quarantine or reject, make sure Alma's envelope sender or a DKIM signature aligns with \(from)."))
        case .fine:
            return (.pass, nil)
        case .missing:
            return (.pass, Finding(code: .dmarcMissing, severity: .warning, target: from,
                message: "\(from) publishes no DMARC record.",
                remediation: "Publish a TXT record at _dmarc.\(from), starting with: v=DMARC1; p=none; rua=mailto:dmarc-reports@\(from)"))
        case .misaligned:
            return (.fail, Finding(code: .dmarcMisaligned, severity: .error, target: from,
                message: "\(evaluation.recordName ?? "DMARC") asks receivers to \(evaluation.effectivePolicy?.rawValue ?? "reject") mail that fails DMARC, and Alma's envelope sender (\(envelope)) is not in \(from): SPF cannot align, so notices fail DMARC.",
                remediation: "Have Alma send with an envelope sender (Return-Path) in \(from), or have Ex Libris sign the notices with DKIM for \(from); until one is in place, relax the policy to p=none."))
        case .unknown(let problem):
            return (.unknown, Finding(code: .dmarcTemperror, severity: .error, target: from,
                message: "The DMARC record of \(from) could not be read: \(problem).",
                remediation: "Check that the name servers of \(from) answer; the check runs again on the next scan."))
        }
    }
}
