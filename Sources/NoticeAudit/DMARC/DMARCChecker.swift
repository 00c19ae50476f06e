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

    public func evaluate(fromDomain: String, envelopeDomain: String) async throws -> DMARCEvaluation {
        let from = SPFEvaluationRun.normalized(fromDomain)
        var evaluation = DMARCEvaluation(
            fromDomain: from, recordName: nil, record: nil, effectivePolicy: nil, envelopeDomain: envelopeDomain,
            aligned: Self.aligned(from, envelopeDomain, mode: .relaxed), verdict: .missing)
        let organizational = Self.organizationalDomain(from)
        let candidates = organizational == from ? [from] : [from, organizational]
        for (index, name) in candidates.enumerated() {
            let recordName = "_dmarc.\(name)"
            let answer: DNSAnswer
            do {
                answer = try await resolver.resolve(recordName, type: .txt)
            } catch let error as DNSLookupError {
                evaluation.verdict = .unknown(error.description)
                return evaluation
            }
            let texts = answer.records.compactMap { record -> String? in
                guard case .txt(let strings) = record else { return nil }
                return String(decoding: strings.flatMap { $0 }, as: UTF8.self)
            }.filter(DMARCRecord.isDMARC1)
            // RFC 7489 §6.6.3: records not starting with v=DMARC1 are discarded; none left, ask the
            // organizational domain; several left, discovery ends here with no policy.
            if texts.isEmpty { continue }
            evaluation.recordName = recordName
            if texts.count > 1 {
                evaluation.verdict = .multipleRecords(texts.count)
                return evaluation
            }
            guard let record = DMARCRecord(texts[0]) else {
                evaluation.verdict = .invalid(texts[0])
                return evaluation
            }
            evaluation.recordName = recordName
            evaluation.record = record
            evaluation.effectivePolicy = index == 0 ? record.policy : (record.subdomainPolicy ?? record.policy)
            evaluation.aligned = Self.aligned(from, envelopeDomain, mode: record.spfAlignment)
            let enforcing = (evaluation.effectivePolicy ?? .none) != .none
            evaluation.verdict = enforcing && !evaluation.aligned ? .misaligned : .fine
            return evaluation
        }
        return evaluation
    }
}
