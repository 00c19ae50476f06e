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

    /// True when the TXT record starts with `v=DMARC1` (RFC 7489 §6.6.3 step 4: others are discarded
    /// before records are counted).
    public static func isDMARC1(_ text: String) -> Bool {
        let first = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return first.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\t", with: "") == "v=DMARC1"
    }

    /// Parses a record; nil when it is not a `v=DMARC1` record, or has no valid `p` and no valid
    /// `rua`. RFC 7489 §6.6.3 step 6: a record without a valid `p` (or with an invalid `sp`) but
    /// with a valid `rua` URI is read as `p=none`.
    public init?(_ text: String) {
        let tags = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard Self.isDMARC1(text), !tags.isEmpty else { return nil }
        var values: [String: String] = [:]
        for tag in tags.dropFirst() {
            let parts = tag.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            values[parts[0].lowercased()] = parts[1]
        }
        let p = values["p"].flatMap { Policy(rawValue: $0.lowercased()) }
        let spValid = values["sp"].map { Policy(rawValue: $0.lowercased()) != nil } ?? true
        if p == nil || !spValid {
            guard Self.hasValidReportURI(values["rua"]) else { return nil }
            self.policy = .none
            self.subdomainPolicy = nil
            self.spfAlignment = values["aspf"].flatMap { Alignment(rawValue: $0.lowercased()) } ?? .relaxed
            self.dkimAlignment = values["adkim"].flatMap { Alignment(rawValue: $0.lowercased()) } ?? .relaxed
            self.text = text
            return
        }
        self.policy = p!
        self.subdomainPolicy = values["sp"].flatMap { Policy(rawValue: $0.lowercased()) }
        self.spfAlignment = values["aspf"].flatMap { Alignment(rawValue: $0.lowercased()) } ?? .relaxed
        self.dkimAlignment = values["adkim"].flatMap { Alignment(rawValue: $0.lowercased()) } ?? .relaxed
        self.text = text
    }

    /// True when `rua` holds at least one syntactically valid URI (RFC 7489 §6.3: `mailto:` with an address).
    static func hasValidReportURI(_ rua: String?) -> Bool {
        guard let rua else { return false }
        return rua.split(separator: ",").contains { uri in
            let trimmed = uri.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix("mailto:") else { return false }
            let address = trimmed.dropFirst("mailto:".count).split(separator: "!").first.map(String.init) ?? ""
            if case .success = EmailAddress.parse(address) { return true }
            return false
        }
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
        /// Several `v=DMARC1` records at one name: RFC 7489 §6.6.3 ends discovery, no policy applies.
        case multipleRecords(Int)
        /// A `v=DMARC1` record with neither a valid `p` nor a valid `rua`: DMARC does not apply.
        case invalid(String)
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
