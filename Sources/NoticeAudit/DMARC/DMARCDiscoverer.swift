/// Finds the DMARC policy of a From domain both ways (../shared/domain.md, "DMARC: two readings"),
/// through one resolver, so its cache and its memory of temporary errors serve both:
///
/// - RFC 9989 §4.10: the DNS tree walk from the domain up to its top-level domain, at most 8
///   queries (a name of 8 or more labels jumps to 7 after the first); several records at one
///   name are discarded and the walk goes on; a single record with `psd=n` or `psd=y` stops it.
///   The domain's own record applies (`p`), else the organizational domain's (`sp`, or `np` when
///   the domain does not exist). Organizational domain (§4.10.2): the `psd=n` name, one label
///   below a `psd=y` name, else the found name with the fewest labels, else the domain itself.
/// - RFC 7489 §6.6.3: the domain, then only its Public Suffix List organizational domain; several
///   records at a name end discovery with no policy.
public struct DMARCDiscoverer: Sendable {
    public let resolver: any DNSResolver
    public let suffixes: PublicSuffixList

    /// The most queries one tree walk sends (RFC 9989 §4.10).
    public static let maximumWalkQueries = 8

    public init(resolver: any DNSResolver, suffixes: PublicSuffixList = .standard) {
        self.resolver = resolver
        self.suffixes = suffixes
    }

    /// Both readings of `domain`.
    public func discover(_ domain: String) async throws -> DMARCDiscovery {
        let name = DomainName.normalized(domain)
        return DMARCDiscovery(domain: name, rfc9989: try await reading9989(name), rfc7489: try await reading7489(name))
    }

    /// The organizational domain of `name` by `standard`; nil when the tree walk got no definite answer.
    public func organizationalDomain(_ name: String, by standard: DMARCStandard) async throws -> String? {
        let name = DomainName.normalized(name)
        switch standard {
        case .rfc7489: return suffixes.organizationalDomain(of: name)
        case .rfc9989:
            let walk = try await walk(name)
            return walk.failure == nil ? walk.orgDomain : nil
        }
    }

    /// Identifier alignment (RFC 9989 §3.2.4, RFC 7489 §3.1): strict compares the names, relaxed
    /// their organizational domains by `standard`; nil when a walk got no definite answer. Names
    /// with no common top-level domain never align and cost no query. `organizationOfA`, when the
    /// caller already knows it (a reading's `orgDomain`), spares walking `a` again.
    public func aligned(_ a: String, _ b: String, mode: DMARCRecord.Alignment, by standard: DMARCStandard,
                        organizationOfA: String? = nil) async throws -> Bool? {
        let a = DomainName.normalized(a), b = DomainName.normalized(b)
        if a == b { return true }
        if mode == .strict { return false }
        guard a.split(separator: ".").last == b.split(separator: ".").last else { return false }
        let orgA: String?
        if let organizationOfA { orgA = organizationOfA } else { orgA = try await organizationalDomain(a, by: standard) }
        guard let orgA, let orgB = try await organizationalDomain(b, by: standard) else { return nil }
        return orgA == orgB
    }

    // MARK: RFC 9989

    /// What one tree walk saw.
    struct Walk {
        var names: [String] = []
        var queries: [String] = []
        /// Names with exactly one valid record, in walk order.
        var found: [(name: String, record: DMARCRecord)] = []
        var severalRecordsAt: [String] = []
        /// The domain's own single `v=DMARC1` record when it is invalid (no valid `p`, no valid `rua`).
        var invalidOwnRecord: String?
        var orgDomain = ""
        var failure: DNSLookupError?
    }

    /// The names the walk asks (RFC 9989 §4.10): the domain, then (from 8 labels, 7 labels) one
    /// label less each time down to the top-level domain, at most 8.
    static func walkNames(_ domain: String) -> [String] {
        let labels = domain.split(separator: ".").map(String.init)
        guard !labels.isEmpty else { return [] }
        var names = [domain]
        var count = min(labels.count - 1, 7)
        while count >= 1 && names.count < maximumWalkQueries {
            names.append(labels.suffix(count).joined(separator: "."))
            count -= 1
        }
        return names
    }

    func walk(_ domain: String) async throws -> Walk {
        var walk = Walk()
        walk.names = Self.walkNames(domain)
        var organizational: String?
        for (index, name) in walk.names.enumerated() {
            walk.queries.append("_dmarc.\(name)")
            let texts: [String]
            do {
                texts = try await dmarcTexts(at: name)
            } catch let error as DNSLookupError {
                walk.failure = error
                break
            }
            if texts.count > 1 {
                walk.severalRecordsAt.append(name)
                continue
            }
            guard let text = texts.first else { continue }
            guard let record = DMARCRecord(text) else {
                if index == 0 { walk.invalidOwnRecord = text }
                continue
            }
            walk.found.append((name, record))
            if record.psd == .no {
                organizational = name
                break
            }
            if record.psd == .yes {
                // One label below the public suffix domain, on the way to `domain`.
                let labels = domain.split(separator: ".")
                let below = name.split(separator: ".").count + 1
                organizational = labels.count >= below ? labels.suffix(below).joined(separator: ".") : name
                break
            }
        }
        walk.orgDomain = organizational ?? walk.found.min { $0.name.split(separator: ".").count < $1.name.split(separator: ".").count }?.name ?? domain
        return walk
    }

    func reading9989(_ domain: String) async throws -> DMARCReading {
        let walk = try await walk(domain)
        var reading = DMARCReading(status: .none, orgDomain: walk.orgDomain, queries: walk.queries, severalRecordsAt: walk.severalRecordsAt)
        reading.invalidOwnRecord = walk.invalidOwnRecord
        if let failure = walk.failure {
            reading.status = .temperror
            reading.problem = failure.description
            return reading
        }
        if walk.invalidOwnRecord != nil { return reading }
        if let own = walk.found.first(where: { $0.name == domain }) {
            reading.apply(own.record, at: domain, policy: own.record.policy, tag: "p")
            return reading
        }
        // The organizational domain's record; where neither it nor the domain has one, the record of a
        // public suffix domain the walk found (`psd=y`, RFC 9989 §4.10.1) applies the same way.
        let org: (name: String, record: DMARCRecord)
        if walk.orgDomain != domain, let found = walk.found.first(where: { $0.name == walk.orgDomain }) {
            org = found
        } else if let suffix = walk.found.first(where: { $0.record.psd == .yes && $0.name != domain }) {
            org = suffix
        } else {
            return reading
        }
        var policy = org.record.subdomainPolicy ?? org.record.policy
        var tag = org.record.subdomainPolicy == nil ? "p" : "sp"
        if let nonexistent = org.record.nonexistentPolicy {
            // `np` applies only when the domain itself does not exist (RFC 9989 §4.10.1): the fact
            // the sending path goes by (``DomainExistence``), from the same TXT answer.
            do {
                if try await resolver.resolve(domain, type: .txt) == .nxdomain {
                    policy = nonexistent
                    tag = "np"
                }
            } catch let error as DNSLookupError {
                reading.status = .temperror
                reading.problem = error.description
                return reading
            }
        }
        reading.apply(org.record, at: org.name, policy: policy, tag: tag)
        return reading
    }

    // MARK: RFC 7489

    func reading7489(_ domain: String) async throws -> DMARCReading {
        let organizational = suffixes.organizationalDomain(of: domain)
        var reading = DMARCReading(status: .none, orgDomain: organizational, queries: [])
        for name in organizational == domain ? [domain] : [domain, organizational] {
            reading.queries.append("_dmarc.\(name)")
            let texts: [String]
            do {
                texts = try await dmarcTexts(at: name)
            } catch let error as DNSLookupError {
                reading.status = .temperror
                reading.problem = error.description
                return reading
            }
            if texts.isEmpty { continue }
            // §6.6.3: several records, or one without a valid p and rua: discovery ends, no policy.
            if texts.count > 1 {
                reading.severalRecordsAt = [name]
                return reading
            }
            guard let record = DMARCRecord(texts[0]) else {
                if name == domain { reading.invalidOwnRecord = texts[0] }
                return reading
            }
            let own = name == domain
            reading.apply(record, at: name, policy: own ? record.policy : (record.subdomainPolicy ?? record.policy),
                          tag: own || record.subdomainPolicy == nil ? "p" : "sp")
            // RFC 7489 receivers ignore `t`.
            reading.testing = false
            return reading
        }
        return reading
    }

    /// The TXT records at `_dmarc.NAME` that start with `v=DMARC1` (the resolver's cache makes a
    /// second reading of the same name cost no query).
    func dmarcTexts(at name: String) async throws -> [String] {
        try await resolver.resolve("_dmarc.\(name)", type: .txt).records.compactMap { record -> String? in
            guard case .txt(let strings) = record else { return nil }
            return String(decoding: strings.flatMap { $0 }, as: UTF8.self)
        }.filter(DMARCRecord.isDMARC1)
    }
}

extension DMARCReading {
    /// Sets the reading to `found` with `record` published at `name`.
    mutating func apply(_ record: DMARCRecord, at name: String, policy: DMARCRecord.Policy, tag: String) {
        status = .found
        self.record = record.text
        parsed = record
        recordDomain = name
        self.policy = policy
        policyTag = record.policyFromReportAddress ? "rua" : tag
        testing = record.testing
    }
}
