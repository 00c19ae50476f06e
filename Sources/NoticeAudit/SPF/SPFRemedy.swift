/// What campus IT should do about a sender domain that does not authorize the relays
/// (../shared/domain.md, "Remediation"): a record is recommended only after it was evaluated with
/// the zone as seen and passed for every relay address within 10 DNS lookups.
public enum SPFRemedy: Sendable, Equatable {
    /// Publish `record` (evaluated: passes for every relay address).
    case publish(record: String)
    /// The record already includes the region's entry, and the entry lacks `missing` addresses
    /// that Ex Libris publishes: a gap on the Ex Libris side. `stopgap` adds exactly `terms`
    /// (evaluated: passes for every relay address).
    case includeIncomplete(missing: [IPNetwork], terms: [String], stopgap: String)
    /// No record can be recommended; what campus IT must decide instead, in a sentence or two.
    case decide(String)
}

/// Works out the ``SPFRemedy`` of one sender domain.
public struct SPFRemedyPlanner: Sendable {
    public let resolver: any DNSResolver
    public var options = SPFCheckOptions()

    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    /// - Parameters:
    ///   - relays: every relay network of the region.
    ///   - failing: the networks whose result was not `pass`.
    ///   - include: the region's SPF include entry, when Ex Libris confirmed it.
    public func plan(domain: String, sender: String, relays: [IPNetwork], failing: [IPNetwork], include: String?, audit: SPFRecordAudit) async throws -> SPFRemedy {
        let current = audit.record
        if current == nil, let published = audit.published {
            return .decide("The SPF record of \(domain) is invalid as published (\(published)); correct its syntax first, then check it again with notice-audit spf.")
        }
        if current == nil, audit.recommendation?.record == nil {
            return .decide(audit.recommendation?.message ?? "The SPF record of \(domain) could not be read; check it again once its name servers answer.")
        }
        let includesEntry = audit.recommendation?.alreadyIncluded == true
        let terms = failing.map { "\($0.address.isIPv4 ? "ip4" : "ip6"):\($0)" }
        // The candidate record: the region's include added, or (when it is already there, or not
        // confirmed for the region) exactly the missing addresses.
        let addsInclude = include != nil && !includesEntry
        let added = addsInclude ? "include:\(include ?? "")" : terms.joined(separator: " ")
        let candidate: String?
        if addsInclude {
            candidate = audit.recommendation?.record
        } else if let current, let record = try? SPFParser.parse(current) {
            // The audit parsed this record already; the missing terms go in before its `all`.
            candidate = SPFRecordAuditor.inserting(terms.joined(separator: " "), into: record)
        } else {
            candidate = "v=spf1 \(terms.joined(separator: " ")) ~all"
        }
        guard let candidate, candidate != current else {
            return .decide(lookupAdvice(domain: domain, audit: audit) ?? "Adding the Ex Libris entry does not make \(domain) pass; review the record's other terms.")
        }
        let verdict = try await evaluate(candidate, domain: domain, sender: sender, relays: relays)
        guard verdict.passes else {
            if verdict.lookups > options.maximumDNSLookups || audit.worstCaseDNSLookups > options.maximumDNSLookups {
                return .decide(lookupAdvice(domain: domain, audit: audit, candidateLookups: verdict.lookups)
                               ?? "The record of \(domain) would need more than \(options.maximumDNSLookups) DNS lookups with the Ex Libris entry added.")
            }
            return .decide("Adding \(added) is not enough for \(domain): check_host() would still give \(verdict.worst.rawValue); review the record's other terms (an earlier -all, exists or redirect).")
        }
        if includesEntry { return .includeIncomplete(missing: failing, terms: terms, stopgap: candidate) }
        return .publish(record: candidate)
    }

    /// Lookup-limit advice: the record's terms with what each costs, most expensive first.
    func lookupAdvice(domain: String, audit: SPFRecordAudit, candidateLookups: Int? = nil) -> String? {
        let total = max(audit.worstCaseDNSLookups, candidateLookups ?? 0)
        guard total > options.maximumDNSLookups else { return nil }
        let costs = audit.termCosts.sorted { $0.lookups > $1.lookups }.map { "\($0.term) (\($0.lookups))" }.joined(separator: ", ")
        return "The SPF record of \(domain) needs \(total) DNS lookups where receivers allow \(options.maximumDNSLookups) (RFC 7208 §4.6.4), so no record can simply be added to. Its terms cost: \(costs). Drop an include that is no longer needed, or replace one by the ip4/ip6 terms it publishes, then keep the Ex Libris entry."
    }

    private func evaluate(_ record: String, domain: String, sender: String, relays: [IPNetwork]) async throws -> (passes: Bool, worst: SPFResult, lookups: Int) {
        let overlay = RecordOverlayResolver(base: resolver, name: domain, record: record)
        let coverages = try await SPFEvaluator(resolver: overlay).coverage(ranges: relays, domain: domain, sender: sender)
        let worst = coverages.map(\.worstResult).max() ?? .pass
        let lookups = coverages.map(\.maximumDNSLookups).max() ?? 0
        return (worst == .pass && lookups <= options.maximumDNSLookups, worst, lookups)
    }
}
