/// The DMARC check of an institution's From domains against the envelope sender Alma uses, read
/// both ways (../shared/domain.md, "DMARC: two readings"): RFC 9989's tree walk and RFC 7489's
/// Public Suffix List. A `quarantine` or `reject` policy with an envelope sender that does not
/// align (and no usable aligned DKIM key) means notices fail DMARC; each reading is judged with its
/// own record, policy and organizational domains, and the worse is kept.
public struct DMARCCheck: Sendable {
    /// What the check found for every From domain.
    public struct Result: Sendable {
        /// The strictest policy among the From domains, by the RFC 9989 reading.
        public var strictestPolicy: DMARCRecord.Policy?
        /// The RFC 9989 reading's evaluation per From domain (the reports' `dmarc_policy`).
        public var evaluations: [String: DMARCEvaluation]
        /// Both readings per From domain (scan.json `dmarc`).
        public var discoveries: [String: DMARCDiscovery] = [:]
        public var outcome: CheckOutcome
        public var findings: [Finding]
        /// From domains whose DMARC needed an aligned DKIM key and did not get a usable one.
        public var needingDKIM: Set<String> = []
        /// Each From domain's outcome and the finding that says why (nil for a plain pass).
        public var perDomain: [(domain: String, outcome: CheckOutcome, finding: Finding?)] = []
        /// Per From domain, what each reading says of the receivers' `dmarc_record` and `alignment` rows.
        public var alignment: [String: [DMARCAlignmentFacts]] = [:]
    }

    public let resolver: any DNSResolver

    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    /// - Parameters:
    ///   - path: the institution's sending path: every From domain is checked against its envelope.
    ///   - envelopeSPF: whether SPF passes for the envelope domain from every sending address; SPF
    ///     gives alignment only when it passes (RFC 9989 §4.4, RFC 7489 §3.1.2).
    ///   - dkim: the institution's DKIM keys (``DKIMCheck``), empty when no selector is named.
    ///   - discovered: the From domains' discoveries when they were read already (``discover(_:)``,
    ///     while SPF was evaluated); read here otherwise.
    public func check(_ path: SendingPath, envelopeSPF: [String: CheckOutcome], selectors: [String], dkim: [DKIMKeyCheck.Result] = [],
                      discovered: [String: DMARCDiscovery] = [:]) async throws -> Result {
        let discoverer = DMARCDiscoverer(resolver: resolver)
        var result = Result(strictestPolicy: nil, evaluations: [:], outcome: .pass, findings: [])
        var outcomes: [CheckOutcome] = []
        for from in path.fromDomains {
            let discovery = if let known = discovered[from] { known } else { try await discoverer.discover(from) }
            result.discoveries[from] = discovery
            var judged: [Judged] = []
            for standard in DMARCStandard.allCases {
                judged.append(try await judge(discovery, by: standard, path: path, envelopeSPF: envelopeSPF, selectors: selectors, dkim: dkim, discoverer: discoverer))
            }
            // The worse reading decides (fail, then unknown, then pass); on a tie RFC 9989's words.
            let worst = judged.reduce(judged[0]) { $1.outcome.severity > $0.outcome.severity ? $1 : $0 }
            result.evaluations[from] = judged[0].evaluation
            result.alignment[from] = judged.map(\.alignment)
            if let policy = discovery.rfc9989.policy { result.strictestPolicy = max(result.strictestPolicy ?? policy, policy) }
            outcomes.append(worst.outcome)
            result.perDomain.append((from, worst.outcome, worst.finding))
            if let finding = worst.finding { result.findings.append(finding) }
            result.findings += Self.readingFindings(discovery, judged: judged, decided: worst.finding?.code)
            if worst.evaluation.verdict == .misaligned && worst.outcome != .pass { result.needingDKIM.insert(from) }
        }
        result.outcome = VerdictRules.combine(outcomes)
        return result
    }

    /// Both readings of every From domain of `path` (the DNS part of ``check(_:envelopeSPF:selectors:dkim:discovered:)``,
    /// which needs nothing of SPF or DKIM), all at once.
    public func discover(_ path: SendingPath) async throws -> [String: DMARCDiscovery] {
        let discoverer = DMARCDiscoverer(resolver: resolver)
        return try await withThrowingTaskGroup(of: (String, DMARCDiscovery).self) { group in
            for from in Set(path.fromDomains) { group.addTask { (from, try await discoverer.discover(from)) } }
            var discoveries: [String: DMARCDiscovery] = [:]
            for try await (from, discovery) in group { discoveries[from] = discovery }
            return discoveries
        }
    }

    /// One reading judged: its evaluation, outcome and finding, and its usable aligned DKIM keys.
    struct Judged {
        var standard: DMARCStandard
        var evaluation: DMARCEvaluation
        var outcome: CheckOutcome
        var finding: Finding?
        var usableAlignedKey: Bool
        var alignment: DMARCAlignmentFacts
    }

    /// `discovery` by `standard`: alignment of the envelope and of each DKIM key's domain by that
    /// reading's organizational domains.
    private func judge(_ discovery: DMARCDiscovery, by standard: DMARCStandard, path: SendingPath, envelopeSPF: [String: CheckOutcome], selectors: [String],
                       dkim: [DKIMKeyCheck.Result], discoverer: DMARCDiscoverer) async throws -> Judged {
        let from = discovery.domain
        let reading = discovery.reading(standard)
        let record = reading.parsed
        // The reading already walked the From domain; a reading without a definite answer has none to give.
        let fromOrganization = reading.status == .temperror ? nil : reading.orgDomain
        let envelopeAligned = reading.status == .found
            ? try await discoverer.aligned(from, path.envelopeDomain, mode: record?.spfAlignment ?? .relaxed, by: standard, organizationOfA: fromOrganization)
            : false
        var alignedKeys: [DKIMKeyCheck.Result] = []
        var keyAlignmentUnknown = false
        for key in dkim {
            switch try await discoverer.aligned(from, key.domain, mode: record?.dkimAlignment ?? .relaxed, by: standard, organizationOfA: fromOrganization) {
            case true?: alignedKeys.append(key)
            case nil: keyAlignmentUnknown = true
            default: break
            }
        }
        let evaluation = DMARCEvaluation(reading, standard: standard, from: from, envelopeDomain: path.envelopeDomain, aligned: envelopeAligned)
        let (outcome, finding) = Self.judge(evaluation, from: from, envelope: path.envelopeFrom, envelopeSPF: envelopeSPF[path.envelopeDomain] ?? .unknown,
                                            selectors: selectors, alignedKeys: alignedKeys, keyAlignmentUnknown: keyAlignmentUnknown)
        // Receivers ask alignment of bulk senders whether or not a DMARC record applies (Gmail 5.7.32):
        // without a record, relaxed alignment by the reading's organizational domain.
        let spfAligned: Bool? = switch reading.status {
        case .found: envelopeAligned
        case .none: try await discoverer.aligned(from, path.envelopeDomain, mode: .relaxed, by: standard, organizationOfA: reading.orgDomain)
        case .temperror: nil
        }
        let alignment = DMARCAlignmentFacts(standard: standard, record: reading.status, spfAligned: spfAligned,
                                            usableAlignedKey: alignedKeys.first(where: \.status.isUsable)?.name,
                                            keyAlignmentUnknown: keyAlignmentUnknown || alignedKeys.contains { $0.status == .temperror })
        return Judged(standard: standard, evaluation: evaluation, outcome: outcome, finding: finding, usableAlignedKey: alignedKeys.contains { $0.status.isUsable },
                      alignment: alignment)
    }

    /// The findings about the two readings themselves: where they differ (and the one change that
    /// makes them agree), several records, `pct` and `t` (never softening the verdict), and a
    /// `reject` policy with no usable DKIM key (RFC 9989 §7.4).
    static func readingFindings(_ discovery: DMARCDiscovery, judged: [Judged], decided: FindingCode?) -> [Finding] {
        let from = discovery.domain
        let modern = discovery.rfc9989, legacy = discovery.rfc7489
        var findings: [Finding] = []
        let several = Array(Set(modern.severalRecordsAt + legacy.severalRecordsAt)).sorted()
        if !several.isEmpty, decided != .dmarcMultipleRecords {
            let names = several.map { "_dmarc.\($0)" }.joined(separator: ", ")
            findings.append(Finding(code: .dmarcMultipleRecords, severity: .warning, target: from,
                message: "\(names) holds several DMARC records: receivers still on RFC 7489 apply no DMARC policy from that name (§6.6.3), those that follow RFC 9989 discard them and look further up (§4.10).",
                remediation: "Keep exactly one TXT record starting with v=DMARC1 at \(names) and delete the others."))
        }
        if discovery.differ {
            findings.append(Finding(code: .dmarcReadingsDiffer, severity: .info, target: from,
                message: "Receivers disagree about \(from): \(DMARCStandard.rfc9989.receivers) apply \(modern.words)\(orgWords(modern, discovery)); \(DMARCStandard.rfc7489.receivers) apply \(legacy.words)\(orgWords(legacy, discovery)). The verdict takes the worse.",
                remediation: agreement(discovery)))
        }
        let applied = [modern, legacy].compactMap(\.parsed)
        if let record = applied.first(where: { ($0.percent ?? 100) < 100 }) {
            findings.append(Finding(code: .dmarcPctIgnored, severity: .info, target: from,
                message: "The DMARC record of \(from) says pct=\(record.percent ?? 100): RFC 9989 dropped pct, and receivers that follow it apply the full policy, so the verdict does not count on it.",
                remediation: "Remove pct from the record; to test a policy, use p=none and read the aggregate reports."))
        }
        if modern.testing {
            findings.append(Finding(code: .dmarcTesting, severity: .info, target: from,
                message: "The DMARC record of \(from) says t=y: receivers that follow RFC 9989 lower the policy one level, those on RFC 7489 ignore t, so the verdict does not count on it.",
                remediation: "Remove t=y once the notices pass DMARC, or keep p=none while testing."))
        }
        let rejectUnsigned = judged.contains { judged in
            if case .unknown = judged.evaluation.verdict { return false }
            return judged.evaluation.effectivePolicy == .reject && !judged.usableAlignedKey
        }
        if rejectUnsigned {
            findings.append(Finding(code: .dmarcRejectWithoutDKIM, severity: .warning, target: from,
                message: "\(from) has p=reject, and no usable DKIM key aligned with it is seen for the notices: RFC 9989 §7.4 says such domains must sign their mail, and one SPF failure on the way then means rejection.",
                remediation: "Set up DKIM signing for \(from) with Ex Libris and name its selector in the inventory (dkim_selectors)."))
        }
        return findings
    }

    /// The findings about a domain's DMARC records alone, without an envelope (the `dmarc`
    /// command): missing or invalid, several records, readings that differ, `pct`, `t`.
    public static func findings(of discovery: DMARCDiscovery) -> [Finding] {
        var findings: [Finding] = []
        let from = discovery.domain
        let readings = [discovery.rfc9989, discovery.rfc7489]
        if let invalid = readings.compactMap(\.invalidOwnRecord).first {
            findings.append(Finding(code: .dmarcInvalid, severity: .warning, target: from,
                message: "The DMARC record at _dmarc.\(from) has no valid p= tag and no valid rua= address, so receivers apply no DMARC: \(invalid)",
                remediation: "Replace it with a valid record, e.g. v=DMARC1; p=none; rua=mailto:dmarc-reports@\(from)"))
        } else if readings.allSatisfy({ $0.status == .none && $0.severalRecordsAt.isEmpty }) {
            findings.append(Finding(code: .dmarcMissing, severity: .warning, target: from, message: "\(from) publishes no DMARC record, and none applies from above.",
                remediation: "Publish a TXT record at _dmarc.\(from), starting with: v=DMARC1; p=none; rua=mailto:dmarc-reports@\(from)"))
        }
        return findings + readingFindings(discovery, judged: [], decided: nil)
    }

    /// ", with organizational domain X" when only the organizational domains differ.
    private static func orgWords(_ reading: DMARCReading, _ discovery: DMARCDiscovery) -> String {
        let sameApplied = discovery.rfc9989.status == discovery.rfc7489.status && discovery.rfc9989.recordDomain == discovery.rfc7489.recordDomain
            && discovery.rfc9989.policy == discovery.rfc7489.policy
        return sameApplied ? " with organizational domain \(reading.orgDomain)" : ""
    }

    /// The one change that makes both readings agree: keep one record, move the record, or drop `psd=n`.
    static func agreement(_ discovery: DMARCDiscovery) -> String {
        let from = discovery.domain
        let modern = discovery.rfc9989, legacy = discovery.rfc7489
        if legacy.severalRecordsAt.contains(from) || modern.severalRecordsAt.contains(from) {
            return "Keep exactly one TXT record starting with v=DMARC1 at _dmarc.\(from) and delete the others: both kinds of receiver then apply it."
        }
        if modern.status == .found, let at = modern.recordDomain, at != from, at != legacy.orgDomain {
            return "Publish the record of _dmarc.\(at) at _dmarc.\(from) as well (or move it to _dmarc.\(legacy.orgDomain)): receivers on RFC 7489 never look at \(at)."
        }
        if modern.parsed?.psd == .no {
            return "Drop psd=n from _dmarc.\(modern.orgDomain) (or sign the notices with a key of \(modern.orgDomain) itself): then both kinds of receiver take the same organizational domain."
        }
        if modern.orgDomain != legacy.orgDomain {
            return "Publish a DMARC record at _dmarc.\(legacy.orgDomain) as well (the organizational domain by the Public Suffix List): then the DNS tree walk of RFC 9989 finds the same organizational domain."
        }
        return "Publish one DMARC record at _dmarc.\(from): both kinds of receiver apply a record published at the From domain itself."
    }

    /// One From domain (../shared/domain.md, "DMARC"): misaligned under quarantine/reject fails
    /// unless a usable DKIM key is published at a domain aligned with it (`adkim`); a DKIM lookup
    /// without a definite answer is unknown; no definite DMARC answer is unknown; a missing record
    /// is a warning and `p=none` an info.
    ///
    /// SPF aligns only when the envelope domain aligns *and* its SPF passes (`envelopeSPF`): an
    /// aligned envelope whose SPF fails is misaligned, one whose SPF is unknown leaves DMARC unknown.
    static func judge(_ evaluation: DMARCEvaluation, from: String, envelope: String, envelopeSPF: CheckOutcome = .pass, selectors: [String] = [],
                      alignedKeys: [DKIMKeyCheck.Result] = [], keyAlignmentUnknown: Bool = false) -> (CheckOutcome, Finding?) {
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
            let aligned = alignedKeys
            if let key = aligned.first(where: \.status.isUsable) {
                return (.pass, Finding(code: .dmarcAlignedByDKIM, severity: .info, target: from,
                    message: "\(record) asks receivers to \(policy) mail that fails DMARC and Alma's envelope sender (\(envelope)) does not align, but a usable DKIM key (\(key.keyType ?? "rsa"), \(key.keyBits.map(String.init) ?? "?") bits) is published at \(key.name), aligned with \(from): notices signed with it pass DMARC. The scanner saw the key, not a signature.",
                    remediation: "Nothing to change; check once in a delivered notice's Authentication-Results header that Alma signs with selector \(key.selector) (dkim=pass)."))
            }
            if aligned.contains(where: { $0.status == .temperror }) || keyAlignmentUnknown || (evaluation.aligned && envelopeSPF == .unknown) {
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
        case .multipleRecords:
            return (.pass, Finding(code: .dmarcMultipleRecords, severity: .warning, target: from,
                message: "\(evaluation.recordName ?? "_dmarc.\(from)") holds several DMARC records and no other record applies: receivers apply no DMARC policy at all (RFC 7489 §6.6.3), and a bulk sender counts as having none.",
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
