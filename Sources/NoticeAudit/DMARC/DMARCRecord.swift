/// A DMARC policy record (RFC 7489 §6.3): `v=DMARC1; p=reject; sp=none; aspf=r; ...`.
public struct DMARCRecord: Sendable, Equatable {
    public enum Policy: String, Sendable, Codable, Comparable {
        case none, quarantine, reject

        var rank: Int { self == .none ? 0 : self == .quarantine ? 1 : 2 }
        public static func < (lhs: Policy, rhs: Policy) -> Bool { lhs.rank < rhs.rank }
    }

    public enum Alignment: String, Sendable, Codable {
        case relaxed = "r"
        case strict = "s"
    }

    public var policy: Policy
    public var subdomainPolicy: Policy?
    public var spfAlignment: Alignment
    /// `adkim` (RFC 7489 §6.3): how a DKIM signing domain must match the From domain.
    public var dkimAlignment: Alignment
    public var text: String

    /// Parses a record; nil when it is not a valid DMARC1 record (RFC 7489 §6.6.3: such records
    /// are ignored).
    public init?(_ text: String) {
        let tags = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let first = tags.first, first.replacingOccurrences(of: " ", with: "") == "v=DMARC1" else { return nil }
        var values: [String: String] = [:]
        for tag in tags.dropFirst() {
            let parts = tag.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            values[parts[0].lowercased()] = parts[1]
        }
        guard let p = values["p"].flatMap({ Policy(rawValue: $0.lowercased()) }) else { return nil }
        self.policy = p
        self.subdomainPolicy = values["sp"].flatMap { Policy(rawValue: $0.lowercased()) }
        self.spfAlignment = values["aspf"].flatMap { Alignment(rawValue: $0.lowercased()) } ?? .relaxed
        self.dkimAlignment = values["adkim"].flatMap { Alignment(rawValue: $0.lowercased()) } ?? .relaxed
        self.text = text
    }
}

/// The DMARC outcome for one From domain.
public struct DMARCEvaluation: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        /// The policy does not reject or quarantine, or the envelope sender aligns.
        case fine
        /// No DMARC record: a warning, not a failure.
        case missing
        /// quarantine/reject with an envelope sender that does not align: notices fail DMARC.
        case misaligned
        /// No definite DNS answer.
        case unknown(String)
    }

    public var fromDomain: String
    /// Where the record was found (`_dmarc.ufl.edu`), if anywhere.
    public var recordName: String?
    public var record: DMARCRecord?
    /// The policy that applies to the From domain (`sp` for a subdomain found at the organizational domain).
    public var effectivePolicy: DMARCRecord.Policy?
    public var envelopeDomain: String
    public var aligned: Bool
    public var verdict: Verdict
}
