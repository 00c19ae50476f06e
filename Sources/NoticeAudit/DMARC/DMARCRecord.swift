/// A DMARC policy record (RFC 9989 §4.7, formerly RFC 7489 §6.3): `v=DMARC1; p=reject; sp=none;
/// np=reject; psd=n; t=y; aspf=r; ...`.
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

    /// `psd` (RFC 9989 §4.7): whether the name is a public suffix domain (`y`), an organizational
    /// domain that says it is not (`n`), or unknown (`u`, the default).
    public enum PublicSuffixDomain: String, Sendable, Codable {
        case yes = "y", no = "n", unknown = "u"
    }

    public var policy: Policy
    public var subdomainPolicy: Policy?
    /// `np` (RFC 9989 §4.7): the policy for names below that do not exist.
    public var nonexistentPolicy: Policy?
    public var spfAlignment: Alignment
    /// `adkim` (RFC 7489 §6.3): how a DKIM signing domain must match the From domain.
    public var dkimAlignment: Alignment
    public var psd: PublicSuffixDomain
    /// `t=y` (RFC 9989 §4.7): testing; RFC 9989 receivers lower the policy one level, RFC 7489 ones ignore it.
    public var testing: Bool
    /// `pct` (RFC 7489 §6.3; gone in RFC 9989): the share of failing mail the policy applies to.
    public var percent: Int?
    /// True when `p` (or `sp`/`np`) was missing or invalid and a valid `rua` made it read as `p=none`.
    public var policyFromReportAddress: Bool
    public var text: String

    /// True when the TXT record starts with `v=DMARC1` (RFC 7489 §6.6.3 step 4, RFC 9989 §4.10:
    /// others are discarded before records are counted). The tag name is case-insensitive (the
    /// ABNF's quoted string `"v"`, RFC 5234 §2.3), so `V=DMARC1` starts a record; the value
    /// `DMARC1` is exact.
    public static func isDMARC1(_ text: String) -> Bool {
        // The first tag, blanks removed, is `v=DMARC1` (no Foundation: this runs for every TXT record asked).
        var tag: [UInt8] = []
        for byte in text.utf8 {
            if byte == UInt8(ascii: ";") { break }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { continue }
            tag.append(byte)
            if tag.count > 8 { return false }
        }
        guard tag.count == 8, tag[0] | 0x20 == UInt8(ascii: "v") else { return false }
        return tag.dropFirst().elementsEqual("=DMARC1".utf8)
    }

    /// Parses a record; nil when it is not a `v=DMARC1` record, or has no valid `p` and no valid
    /// `rua`. RFC 7489 §6.6.3 step 6 and RFC 9989 §4.10.1: a record without a valid `p` (or with an
    /// invalid `sp` or `np`) but with a valid `rua` URI is read as `p=none`.
    public init?(_ text: String) {
        guard Self.isDMARC1(text) else { return nil }
        let values = Self.tags(text)
        func policy(_ key: String) -> Policy? { values[key].flatMap { Policy(rawValue: $0.lowercased()) } }
        let valid = policy("p") != nil && (values["sp"] == nil || policy("sp") != nil) && (values["np"] == nil || policy("np") != nil)
        if !valid {
            guard Self.hasValidReportURI(values["rua"]) else { return nil }
        }
        self.policy = valid ? policy("p")! : .none
        self.subdomainPolicy = valid ? policy("sp") : nil
        self.nonexistentPolicy = valid ? policy("np") : nil
        self.policyFromReportAddress = !valid
        self.spfAlignment = values["aspf"].flatMap { Alignment(rawValue: $0.lowercased()) } ?? .relaxed
        self.dkimAlignment = values["adkim"].flatMap { Alignment(rawValue: $0.lowercased()) } ?? .relaxed
        self.psd = values["psd"].flatMap { PublicSuffixDomain(rawValue: $0.lowercased()) } ?? .unknown
        self.testing = values["t"]?.lowercased() == "y"
        self.percent = values["pct"].flatMap { Int($0) }.map { min(100, max(0, $0)) }
        self.text = text
    }

    /// The tag-list after `v=DMARC1` (RFC 9989 §4.7, RFC 7489 §6.4): lower-cased names to values,
    /// blanks around both trimmed; a later tag of the same name wins. Plain Swift, no Foundation:
    /// every DMARC record the scan sees goes through it.
    static func tags(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for tag in text.split(separator: ";").dropFirst() {
            guard let equals = tag.firstIndex(of: "=") else { continue }
            let name = trimmed(tag[..<equals]).lowercased()
            guard !name.isEmpty else { continue }
            values[name] = trimmed(tag[tag.index(after: equals)...])
        }
        return values
    }

    /// `text` without the spaces and tabs around it.
    private static func trimmed(_ text: Substring) -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !blank($0) }), let last = text.lastIndex(where: { !blank($0) }) else { return "" }
        return String(text[first...last])
    }

    /// The addresses of the record's `rua` `mailto:` URIs (RFC 9990 §2, RFC 7489 §6.3; a `!size`
    /// suffix dropped), lower case.
    public var reportAddresses: [String] {
        (Self.tags(text)["rua"] ?? "").split(separator: ",").compactMap { uri in
            let trimmed = uri.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix("mailto:") else { return nil }
            return trimmed.dropFirst("mailto:".count).split(separator: "!").first.map { $0.lowercased() }
        }
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
        /// Several `v=DMARC1` records at the From name: RFC 7489 §6.6.3 ends discovery there, RFC
        /// 9989 discards them and walks on; no record applied in this reading.
        case multipleRecords
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
