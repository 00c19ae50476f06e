/// Which standard a DMARC reading follows (../shared/domain.md, "DMARC: two readings").
public enum DMARCStandard: String, Sendable, Codable, CaseIterable {
    /// RFC 9989 (May 2026): the DNS tree walk, `psd`, `np`, `t`.
    case rfc9989
    /// RFC 7489: the From domain, then the Public Suffix List's organizational domain.
    case rfc7489

    /// How a receiver following it is named in a sentence.
    var receivers: String {
        switch self {
        case .rfc9989: "receivers that follow RFC 9989"
        case .rfc7489: "receivers still on RFC 7489"
        }
    }
}

/// The DMARC policy that one kind of receiver applies to mail whose `From:` is in a domain
/// (`notice-audit dmarc --json`, READING).
public struct DMARCReading: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        /// A record applies.
        case found
        /// No record applies: DMARC does not apply.
        case none
        /// Some query got no definite answer.
        case temperror
    }

    public var status: Status
    /// The record applied, as published; nil unless `found`.
    @NullWhenAbsent public var record: String?
    /// The name below `_dmarc.` where the record applied was found; nil unless `found`.
    @NullWhenAbsent public var recordDomain: String?
    /// The domain's organizational domain by this reading.
    public var orgDomain: String
    /// What the record asks for the domain's mail; nil unless `found`.
    @NullWhenAbsent public var policy: DMARCRecord.Policy?
    /// The applied record says `t=y` (always false in the RFC 7489 reading, which ignores `t`).
    public var testing: Bool
    /// The names asked, in order (`_dmarc.…`).
    public var queries: [String]
    /// Names that held several `v=DMARC1` records (all discarded there).
    public var severalRecordsAt: [String] = []
    /// The record applied, parsed, while the scan judges it; nil unless `found`, and nil when read
    /// back from history (``record`` has the text).
    public var parsed: DMARCRecord?
    /// Why the reading is `temperror`.
    public var problem: String?
    /// The domain's own single record when it is invalid (no valid `p`, no valid `rua`): DMARC does not apply.
    public var invalidOwnRecord: String?
    /// The tag the policy came from: `p`, `sp`, `np`, or `rua` (no valid `p`, read as `p=none`).
    public var policyTag: String?

    /// What history and the outputs keep: the judgement's working state (`parsed`, `problem`, …)
    /// is not written, and reads back as nil.
    private enum CodingKeys: String, CodingKey {
        case status, record, recordDomain, orgDomain, policy, testing, queries
    }

    public init(status: Status, record: String? = nil, recordDomain: String? = nil, orgDomain: String, policy: DMARCRecord.Policy? = nil,
                testing: Bool = false, queries: [String], severalRecordsAt: [String] = [], problem: String? = nil) {
        self.status = status
        self.record = record
        self.recordDomain = recordDomain
        self.orgDomain = orgDomain
        self.policy = policy
        self.testing = testing
        self.queries = queries
        self.severalRecordsAt = severalRecordsAt
        self.problem = problem
    }

    /// The reading in words: "sp=quarantine of example.edu", "no DMARC".
    var words: String {
        switch status {
        case .temperror: return "no definite answer"
        case .none: return "no DMARC"
        case .found:
            let tag = policyTag == "rua" || policyTag == nil ? "p" : policyTag!
            return "\(tag)=\(policy?.rawValue ?? "none") of \(recordDomain ?? orgDomain)"
        }
    }
}

/// Both readings of one From domain (`notice-audit dmarc --json`; scan.json `dmarc`).
public struct DMARCDiscovery: Sendable, Equatable, Codable {
    public var domain: String
    public var rfc9989: DMARCReading
    public var rfc7489: DMARCReading

    public init(domain: String, rfc9989: DMARCReading, rfc7489: DMARCReading) {
        self.domain = domain
        self.rfc9989 = rfc9989
        self.rfc7489 = rfc7489
    }

    /// The reading of `standard`.
    public func reading(_ standard: DMARCStandard) -> DMARCReading {
        standard == .rfc9989 ? rfc9989 : rfc7489
    }

    /// The readings differ in status, record domain or policy, or, where either applies a record,
    /// in organizational domain (../shared/interface.md, `dmarc`).
    public var differ: Bool {
        if rfc9989.status != rfc7489.status || rfc9989.recordDomain != rfc7489.recordDomain || rfc9989.policy != rfc7489.policy { return true }
        let applies = rfc9989.status == .found || rfc7489.status == .found
        return applies && rfc9989.orgDomain != rfc7489.orgDomain
    }

    private enum CodingKeys: String, CodingKey { case domain, rfc9989, rfc7489, differ }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        domain = try container.decode(String.self, forKey: .domain)
        rfc9989 = try container.decode(DMARCReading.self, forKey: .rfc9989)
        rfc7489 = try container.decode(DMARCReading.self, forKey: .rfc7489)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(domain, forKey: .domain)
        try container.encode(rfc9989, forKey: .rfc9989)
        try container.encode(rfc7489, forKey: .rfc7489)
        try container.encode(differ, forKey: .differ)
    }
}
