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
        /// From domains whose DMARC needed an aligned DKIM key and did not get a usable one.
        public var needingDKIM: Set<String> = []
        /// Each From domain's outcome and the finding that says why (nil for a plain pass).
        public var perDomain: [(domain: String, outcome: CheckOutcome, finding: Finding?)] = []
    }

    public let resolver: any DNSResolver

    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    /// - Parameters:
    ///   - path: the institution's sending path: every From domain is checked against its envelope.
    ///   - envelopeSPF: whether SPF passes for the envelope domain from every sending address; SPF
    ///     gives alignment only when it passes (RFC 7489 §3.1.2, §4.2).
    ///   - dkim: the institution's DKIM keys (``DKIMCheck``), empty when no selector is named.
    public func check(_ path: SendingPath, envelopeSPF: [String: CheckOutcome], selectors: [String], dkim: [DKIMKeyCheck.Result] = []) async throws -> Result {
        let checker = DMARCChecker(resolver: resolver)
        var result = Result(strictestPolicy: nil, evaluations: [:], outcome: .pass, findings: [])
        var outcomes: [CheckOutcome] = []
        for from in path.fromDomains {
            let evaluation = try await checker.evaluate(fromDomain: from, envelopeDomain: path.envelopeDomain)
            result.evaluations[from] = evaluation
            if let policy = evaluation.effectivePolicy { result.strictestPolicy = max(result.strictestPolicy ?? policy, policy) }
            let (outcome, finding) = Self.judge(evaluation, from: from, envelope: path.envelopeFrom, envelopeSPF: envelopeSPF[path.envelopeDomain] ?? .unknown,
                                                selectors: selectors, dkim: dkim)
            outcomes.append(outcome)
            result.perDomain.append((from, outcome, finding))
            if let finding { result.findings.append(finding) }
            if evaluation.verdict == .misaligned && outcome != .pass { result.needingDKIM.insert(from) }
        }
        result.outcome = VerdictRules.combine(outcomes)
        return result
    }

    /// One From domain (../shared/domain.md, "DMARC"): misaligned under quarantine/reject fails
    /// unless a usable DKIM key is published at a domain aligned with it (`adkim`); a DKIM lookup
    /// without a definite answer is unknown; no definite DMARC answer is unknown; a missing record
    /// is a warning and `p=none` an info.
    ///
    /// SPF aligns only when the envelope domain aligns *and* its SPF passes (`envelopeSPF`): an
    /// aligned envelope whose SPF fails is misaligned, one whose SPF is unknown leaves DMARC unknown.
    static func judge(_ evaluation: DMARCEvaluation, from: String, envelope: String, envelopeSPF: CheckOutcome = .pass, selectors: [String] = [],
                      dkim: [DKIMKeyCheck.Result] = []) -> (CheckOutcome, Finding?) {
        var verdict = evaluation.verdict
        let enforcing = (evaluation.effectivePolicy ?? .none) != .none
        if verdict == .fine, enforcing, evaluation.aligned, envelopeSPF != .pass { verdict = .misaligned }
        switch verdict {
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
            let record = evaluation.recordName ?? "DMARC"
            let policy = evaluation.effectivePolicy?.rawValue ?? "reject"
            let mode = evaluation.record?.dkimAlignment ?? .relaxed
            let aligned = dkim.filter { DMARCChecker.aligned(from, $0.domain, mode: mode) }
            if let key = aligned.first(where: \.status.isUsable) {
                return (.pass, Finding(code: .dmarcAlignedByDKIM, severity: .info, target: from,
                    message: "\(record) asks receivers to \(policy) mail that fails DMARC and Alma's envelope sender (\(envelope)) does not align, but a usable DKIM key (\(key.keyType ?? "rsa"), \(key.keyBits.map(String.init) ?? "?") bits) is published at \(key.name), aligned with \(from): notices signed with it pass DMARC. The scanner saw the key, not a signature.",
                    remediation: "Nothing to change; check once in a delivered notice's Authentication-Results header that Alma signs with selector \(key.selector) (dkim=pass)."))
            }
            if aligned.contains(where: { $0.status == .temperror }) || (evaluation.aligned && envelopeSPF == .unknown) {
                return (.unknown, nil)
            }
            let spfWhy = evaluation.aligned
                ? "the SPF of Alma's envelope sender \(envelope) does not pass from every sending address (ENVELOPE_SPF_NOT_PASSING), so SPF cannot align"
                : "Alma's envelope sender \(envelope) is not in \(from), so SPF cannot align"
            let why = selectors.isEmpty
                ? "no DKIM selector is named in the inventory, so no key can align"
                : aligned.isEmpty
                    ? "no DKIM key is checked at a domain aligned with \(from)"
                    : "DKIM cannot align: " + aligned.map { "\($0.name) is \(DKIMCheck.words($0.status))" }.joined(separator: ", ")
            return (.fail, Finding(code: .dmarcMisaligned, severity: .error, target: from,
                message: "\(record) asks receivers to \(policy) mail that fails DMARC; \(spfWhy), and \(why). Notices fail DMARC.",
                remediation: selectors.isEmpty
                    ? "Set up DKIM signing for \(from) with Ex Libris and name its selector in the inventory (dkim_selectors), or have Alma send with an envelope sender in \(from); until then, relax the policy to p=none."
                    : "Fix the DKIM key (see the DKIM findings) or have Alma send with an envelope sender in \(from); until then, relax the policy to p=none."))
        case .multipleRecords(let count):
            return (.pass, Finding(code: .dmarcMultipleRecords, severity: .warning, target: from,
                message: "\(evaluation.recordName ?? "_dmarc.\(from)") holds \(count) DMARC records; receivers then apply no DMARC policy at all (RFC 7489 §6.6.3), and a bulk sender counts as having none.",
                remediation: "Keep exactly one TXT record starting with v=DMARC1 at \(evaluation.recordName ?? "_dmarc.\(from)") and delete the others."))
        case .invalid(let text):
            return (.pass, Finding(code: .dmarcInvalid, severity: .warning, target: from,
                message: "The DMARC record at \(evaluation.recordName ?? "_dmarc.\(from)") has no valid p= tag and no valid rua= address, so receivers apply no DMARC (RFC 7489 §6.6.3): \(text)",
                remediation: "Replace it with a valid record, e.g. v=DMARC1; p=none; rua=mailto:dmarc-reports@\(from)"))
        case .unknown(let problem):
            return (.unknown, Finding(code: .dmarcTemperror, severity: .error, target: from,
                message: "The DMARC record of \(from) could not be read: \(problem).",
                remediation: "Check that the name servers of \(from) answer; the check runs again on the next scan."))
        }
    }
}
