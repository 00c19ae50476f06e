/// Looks up and applies DMARC (RFC 7489) for a From domain and an envelope sender domain.
public struct DMARCChecker: Sendable {
    public let resolver: any DNSResolver

    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    /// The organizational domain (RFC 7489 §3.2) by the Public Suffix List (the system's, else a
    /// short built-in fallback: see ``PublicSuffixList/standard``).
    public static func organizationalDomain(_ domain: String, suffixes: PublicSuffixList = .standard) -> String {
        suffixes.organizationalDomain(of: domain)
    }

    /// RFC 7489 §3.1.2: relaxed alignment compares organizational domains, strict the exact names.
    public static func aligned(_ a: String, _ b: String, mode: DMARCRecord.Alignment, suffixes: PublicSuffixList = .standard) -> Bool {
        let a = SPFEvaluationRun.normalized(a), b = SPFEvaluationRun.normalized(b)
        return mode == .strict ? a == b : organizationalDomain(a, suffixes: suffixes) == organizationalDomain(b, suffixes: suffixes)
    }

    /// The RFC 7489 reading of `fromDomain` against `envelopeDomain`, as one evaluation
    /// (``DMARCDiscoverer`` gives both readings).
    public func evaluate(fromDomain: String, envelopeDomain: String) async throws -> DMARCEvaluation {
        let from = SPFEvaluationRun.normalized(fromDomain)
        let reading = try await DMARCDiscoverer(resolver: resolver).discover(from).rfc7489
        let mode = reading.parsed?.spfAlignment ?? .relaxed
        return DMARCEvaluation(reading, standard: .rfc7489, from: from, envelopeDomain: envelopeDomain,
                               aligned: Self.aligned(from, envelopeDomain, mode: mode))
    }
}

extension DMARCEvaluation {
    /// The evaluation of one reading against the envelope: `aligned` nil when the organizational
    /// domains could not be found (a walk without a definite answer).
    init(_ reading: DMARCReading, standard: DMARCStandard, from: String, envelopeDomain: String, aligned: Bool?) {
        self.init(fromDomain: from, recordName: reading.recordDomain.map { "_dmarc.\($0)" }, record: reading.parsed, effectivePolicy: reading.policy,
                  envelopeDomain: envelopeDomain, aligned: aligned ?? false, verdict: .missing)
        switch reading.status {
        case .temperror:
            verdict = .unknown(reading.problem ?? "no definite DNS answer")
        case .none:
            if let text = reading.invalidOwnRecord {
                verdict = .invalid(text)
                recordName = "_dmarc.\(from)"
            } else if reading.severalRecordsAt.contains(from) {
                verdict = .multipleRecords
                recordName = "_dmarc.\(from)"
            }
        case .found:
            let enforcing = (reading.policy ?? .none) != .none
            if enforcing, aligned == nil {
                verdict = .unknown("the organizational domain of \(envelopeDomain) or \(from) could not be found (\(standard.rawValue) tree walk)")
            } else {
                verdict = enforcing && aligned == false ? .misaligned : .fine
            }
        }
    }
}
