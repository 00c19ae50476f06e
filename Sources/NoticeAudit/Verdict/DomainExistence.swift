/// Whether a domain exists (../shared/domain.md, "A From domain that does not exist"), decided
/// once per From domain in the sending path: NXDOMAIN for the domain's TXT query, the very
/// answer the SPF evaluation reads first (RFC 7208 §4.3) and RFC 9989's `np` reads (§4.10.1), so
/// that every check goes by the same fact and the query is asked once. A name that got no definite
/// answer is not proved missing.
public enum DomainExistence {
    /// The From domains of `domains` that do not exist.
    public static func missing(_ domains: [String], resolver: any DNSResolver) async throws -> Set<String> {
        try await withThrowingTaskGroup(of: String?.self) { group in
            for domain in Set(domains) {
                group.addTask { try await isMissing(domain, resolver: resolver) ? domain : nil }
            }
            var missing: Set<String> = []
            for try await domain in group { if let domain { missing.insert(domain) } }
            return missing
        }
    }

    /// True when `domain` is NXDOMAIN; false when it exists or no definite answer came.
    public static func isMissing(_ domain: String, resolver: any DNSResolver) async throws -> Bool {
        do {
            return try await resolver.resolve(domain, type: .txt) == .nxdomain
        } catch is DNSLookupError {
            return false
        }
    }

    /// `FROM_DOMAIN_NOT_FOUND`: receivers refuse mail from a domain that does not exist. Its fix
    /// names both causes: a misspelling in the inventory, or a lapsed domain.
    public static func finding(_ domain: String) -> Finding {
        Finding(code: .fromDomainNotFound, severity: .error, target: domain,
            message: "\(domain), a From domain of the notices, does not exist (the DNS answers NXDOMAIN for it): receivers refuse mail from a domain that does not exist.",
            remediation: "Check the spelling of \(domain) in the consortium's inventory and in the From addresses of Alma's letters: a misspelling is corrected there. If the name is right, the domain has lapsed or its zone was removed: renew it or restore its DNS, or send the notices from a domain that exists.")
    }
}
