/// The SPF check of one sender domain: `check_host()` (RFC 7208) for every address of every relay
/// range of the institution's region, the record audited, and a fix that was evaluated before it
/// is shown.
public struct SPFCheck: Sendable {
    /// What the check found for one sender domain.
    public struct Result: Sendable {
        public var domain: DomainResult
        public var outcome: CheckOutcome
        public var findings: [Finding]
    }

    public let resolver: any DNSResolver

    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    /// `proved` hears, as soon as one relay address gets a definite non-pass, the finding that says
    /// so: a deadline that cuts the other addresses keeps the proof (../shared/domain.md, "A scan
    /// that runs out of time keeps what it proved").
    public func check(domain: String, sender: String, relays: RegionRelaySet, proved: @escaping @Sendable (Finding) -> Void = { _ in }) async throws -> Result {
        var result = DomainResult(domain: domain, worstResult: nil, results: [:], record: nil, dnsLookups: nil)
        guard relays.knowledge != .empty else {
            let finding = Finding(
                code: .spfRelaysUnknown, severity: .error, target: relays.region.code,
                message: "The Ex Libris relay addresses of \(relays.region.displayName) are not known (\(relays.problems.joined(separator: "; "))), so \(domain) cannot be checked.",
                remediation: "Nothing to change at the campus: the check runs again once the Ex Libris page or the region's SPF include can be read.",
                campusCanFix: false)
            return Result(domain: result, outcome: .unknown, findings: [finding])
        }
        let coverages = try await SPFEvaluator(resolver: resolver).coverage(ranges: relays.networks, domain: domain, sender: sender) { address, outcome in
            if VerdictRules.isDefiniteNonPass(outcome.result) { proved(Self.provedFailure(domain: domain, address: address, outcome: outcome)) }
        }
        let parts = coverages.flatMap(\.parts)
        let worst = coverages.map(\.worstResult).max() ?? .none
        result.worstResult = worst
        for coverage in coverages {
            for (spf, networks) in coverage.networksByResult { result.results[spf, default: []] += networks.map(\.description) }
        }
        let include = relays.includeConfirmed ? relays.include : nil
        let audit = try await SPFRecordAuditor(resolver: resolver).audit(domain: domain, requiredInclude: include, coverages: coverages)
        result.record = audit.published
        result.dnsLookups = audit.spentDNSLookups

        let sampled = coverages.flatMap(\.sampledNetworks)
        let (outcome, reason) = VerdictRules.spf(results: Set(parts.map(\.result)), relaySet: relays.knowledge, sampled: !sampled.isEmpty)
        var findings: [Finding] = []
        switch outcome {
        case .fail:
            let failing = parts.filter { $0.result != .pass && $0.result != .temperror }
            let remedy = try await SPFRemedyPlanner(resolver: resolver).plan(
                domain: domain, sender: sender, relays: relays.networks, failing: failing.flatMap(\.networks), include: include, audit: audit)
            let nonexistent = worst == .none ? try await DomainExistence.isMissing(domain, resolver: resolver) : false
            findings.append(Self.failure(domain: domain, worst: worst, failing: failing, audit: audit, remedy: remedy, nonexistent: nonexistent))
        case .unknown:
            findings.append(Self.unknown(domain: domain, reason: reason, parts: parts, sampled: sampled, relays: relays))
        case .pass:
            break
        }
        if audit.worstCaseDNSLookups > 10, outcome != .fail {
            findings.append(Finding(code: .spfLookupLimit, severity: .warning, target: domain,
                message: "The SPF record tree of \(domain) needs up to \(audit.worstCaseDNSLookups) DNS lookups; past 10 receivers stop with a permanent error (RFC 7208 §4.6.4).",
                remediation: "Its terms cost: \(audit.termCosts.map { "\($0.term) (\($0.lookups))" }.joined(separator: ", ")). Drop an include that is no longer needed, or replace one by the ip4/ip6 terms it publishes."))
        }
        for warning in audit.warnings {
            guard let code = FindingCode(rawValue: warning.code.rawValue), [.spfPtrUsed, .spfPassAll, .spfRecordTooLong, .spfAnswerTooLong].contains(code) else { continue }
            findings.append(Finding(code: code, severity: .warning, target: warning.domain, message: Self.sentence(warning.message, about: warning.domain),
                                    remediation: "Review the SPF record of \(warning.domain)."))
        }
        return Result(domain: result, outcome: outcome, findings: findings)
    }

    /// The finding of a definite non-pass, with its evaluated fix.
    /// `nonexistent`: the domain is NXDOMAIN, which the text says rather than "publishes no SPF record".
    static func failure(domain: String, worst: SPFResult, failing: [SPFCoverage.Part], audit: SPFRecordAudit, remedy: SPFRemedy, nonexistent: Bool = false) -> Finding {
        let networks = failing.flatMap(\.networks).map(\.description)
        let shown = networks.prefix(6).joined(separator: ", ") + (networks.count > 6 ? " and \(networks.count - 6) more" : "")
        let deciding = failing.first?.outcome.decidingTerm.map { " (deciding term '\($0)')" } ?? ""
        let fix: String
        var facts = FindingFacts(publishedRecord: audit.published, networks: networks)
        switch remedy {
        case .publish(let record):
            fix = "Publish this TXT record at \(domain): \(record)"
            facts.recommendedRecord = record
        case .includeIncomplete(_, let terms, let stopgap):
            facts.recommendedRecord = stopgap
            facts.terms = terms
            return Finding(code: .exlibrisIncludeIncomplete, severity: .error, target: domain,
                message: "\(domain) includes the Ex Libris entry, but the entry does not authorize \(shown), which Ex Libris publishes as relay addresses: check_host() gives \(worst.rawValue) for them.",
                remediation: "Report the gap to Ex Libris support. Until they fix it, add \(terms.joined(separator: " ")) to the record: \(stopgap)", facts: facts)
        case .decide(let advice): fix = advice
        }
        switch worst {
        case .none where nonexistent:
            return Finding(code: .spfNoRecord, severity: .error, target: domain,
                message: "\(domain) does not exist (the DNS answers NXDOMAIN for it), so no SPF record can tell receivers that the Ex Libris relays may send for it.",
                remediation: "Check the spelling of \(domain) in the inventory and in Alma's Mail Handling profile; if the name is right, the domain has lapsed or its zone was removed: renew it or restore its DNS.",
                facts: FindingFacts(publishedRecord: nil, networks: facts.networks))
        case .none:
            return Finding(code: .spfNoRecord, severity: .error, target: domain,
                message: "\(domain) publishes no SPF record, so receivers cannot tell that the Ex Libris relays may send for it.", remediation: fix, facts: facts)
        case .permerror:
            let problem = failing.first?.outcome.problem.map(RelayCheck.sentence) ?? "The SPF record of \(domain) gives a permanent error."
            return Finding(code: .spfPermerror, severity: .error, target: domain,
                message: "\(problem.dropLast()); receivers treat every message as a permanent error (permerror).", remediation: fix, facts: facts)
        default:
            return Finding(code: .spfNotAuthorized, severity: .error, target: domain,
                message: "\(domain) does not authorize the Ex Libris relays \(shown): check_host() gives \(worst.rawValue)\(deciding).", remediation: fix, facts: facts)
        }
    }

    /// What one address proved before the others were evaluated: the finding a deadline keeps.
    static func provedFailure(domain: String, address: IPAddress, outcome: SPFOutcome) -> Finding {
        let deciding = outcome.decidingTerm.map { " (deciding term '\($0)')" } ?? ""
        return Finding(code: outcome.result == .permerror ? .spfPermerror : outcome.result == .none ? .spfNoRecord : .spfNotAuthorized, severity: .error, target: domain,
            message: "\(domain) does not authorize the Ex Libris relay address \(address): check_host() gives \(outcome.result.rawValue)\(deciding). The check was cut before every relay address was evaluated.",
            remediation: "Authorize every Ex Libris relay address of the region in the SPF record of \(domain), best with the region's include entry.")
    }

    /// The finding that says why the SPF verdict is unknown.
    static func unknown(domain: String, reason: FindingCode?, parts: [SPFCoverage.Part], sampled: [IPNetwork], relays: RegionRelaySet) -> Finding {
        switch reason {
        case .catalogIncomplete?:
            return Finding(code: .catalogIncomplete, severity: .warning, target: domain,
                message: "Every known Ex Libris relay address passes for \(domain), but the relay set of \(relays.region.displayName) is incomplete (\(relays.temporaryProblems.joined(separator: "; "))), so the verdict stays unknown.",
                remediation: "Nothing to change at the campus: the next run checks again. If it persists, look at the scanner's DNS with --log-level debug.",
                campusCanFix: false)
        case .spfCoverageSampled?:
            let ranges = sampled.prefix(4).map(\.description).joined(separator: ", ")
            return Finding(code: .spfCoverageSampled, severity: .warning, target: domain,
                message: "The SPF record of \(domain) depends on the sender's address (ptr or %{i}), so large relay ranges (\(ranges)) were checked by sampling; every sampled address passed, but not every address was evaluated.",
                remediation: "Authorize the relays with the region's include or ip4/ip6 terms instead of ptr or %{i} macros, so that every address can be checked.")
        default:
            let problem = parts.first { $0.result == .temperror }?.outcome.problem ?? "a timeout or server failure"
            return Finding(code: .spfTemperror, severity: .error, target: domain,
                message: "DNS gave no definite answer while checking \(domain): \(problem).",
                remediation: "Check that the name servers of \(domain) answer; the check runs again on the next scan.")
        }
    }

    /// A warning's text as a sentence.
    static func sentence(_ text: String, about domain: String) -> String {
        let first = text.prefix(1).uppercased() + text.dropFirst()
        return "\(domain): \(first.hasSuffix(".") ? first : first + ".")"
    }
}
