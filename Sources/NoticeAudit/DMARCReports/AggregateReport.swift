import Foundation

/// One DMARC aggregate report as the receiver sent it (RFC 7489 Appendix C, or RFC 9990 with its
/// namespace): what `dmarc-reports list --json` prints. Values are as the report gave them, lower
/// case and trimmed; a field the report lacks is nil.
public struct AggregateReport: Sendable, Equatable, Codable {
    /// The report schema.
    public enum Format: String, Sendable, Codable {
        /// RFC 7489 Appendix C (no namespace), the format most receivers still send.
        case rfc7489
        /// RFC 9990, namespace `urn:ietf:params:xml:ns:dmarc-2.0`.
        case rfc9990
    }

    /// The policy the receiver found published.
    public struct Policy: Sendable, Equatable, Codable {
        @NullWhenAbsent public var p: String? = nil
        @NullWhenAbsent public var sp: String? = nil
        @NullWhenAbsent public var np: String? = nil
        @NullWhenAbsent public var adkim: String? = nil
        @NullWhenAbsent public var aspf: String? = nil
        @NullWhenAbsent public var pct: String? = nil
        @NullWhenAbsent public var testing: String? = nil
        @NullWhenAbsent public var discoveryMethod: String? = nil
    }

    /// One DKIM result of a record's `auth_results`.
    public struct DKIMResult: Sendable, Equatable, Codable {
        @NullWhenAbsent public var domain: String? = nil
        @NullWhenAbsent public var selector: String? = nil
        @NullWhenAbsent public var result: String? = nil
    }

    /// One SPF result of a record's `auth_results`.
    public struct SPFResult: Sendable, Equatable, Codable {
        @NullWhenAbsent public var domain: String? = nil
        @NullWhenAbsent public var scope: String? = nil
        @NullWhenAbsent public var result: String? = nil
    }

    /// One row: a source address, how many messages, and how they came out.
    public struct Record: Sendable, Equatable, Codable {
        public var sourceIP: String
        public var count: Int
        @NullWhenAbsent public var disposition: String? = nil
        /// The policy-evaluated (aligned) DKIM and SPF results.
        @NullWhenAbsent public var dkim: String? = nil
        @NullWhenAbsent public var spf: String? = nil
        @NullWhenAbsent public var headerFrom: String? = nil
        @NullWhenAbsent public var envelopeFrom: String? = nil
        public var dkimResults: [DKIMResult]
        public var spfResults: [SPFResult]
        /// `policy_evaluated/reason` types (`forwarded`, `policy_test_mode`, …).
        public var reasons: [String]

        enum CodingKeys: String, CodingKey {
            case sourceIP = "source_ip", count, disposition, dkim, spf, headerFrom = "header_from", envelopeFrom = "envelope_from"
            case dkimResults = "dkim_results", spfResults = "spf_results", reasons
        }
    }

    public var orgName: String
    public var email: String?
    public var reportID: String
    public var format: Format
    public var begin: Date
    public var end: Date
    public var domain: String
    public var generator: String?
    public var policy: Policy
    public var records: [Record]
    /// False when the report names no `org_name`: `orgName` then holds its `email`'s domain, the
    /// identity a report is kept under, and `dmarc-reports list` gives `org_name` as written, null
    /// (a back-filled name is a guess).
    public var orgNameGiven = true

    enum CodingKeys: String, CodingKey {
        case orgName = "org_name", email, reportID = "report_id", format, begin, end, domain, generator, policy, records
    }

    /// The messages the report counts.
    public var messages: Int { records.reduce(0) { $0 + $1.count } }
}



// `dmarc-reports list --json` gives every field, null where the report lacks it (interface.md);
// `org_name` as the report wrote it (``orgNameGiven``).
extension AggregateReport {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(orgNameGiven ? orgName : nil, forKey: .orgName)
        try container.encode(email, forKey: .email)
        try container.encode(reportID, forKey: .reportID)
        try container.encode(format, forKey: .format)
        try container.encode(begin, forKey: .begin)
        try container.encode(end, forKey: .end)
        try container.encode(domain, forKey: .domain)
        try container.encode(generator, forKey: .generator)
        try container.encode(policy, forKey: .policy)
        try container.encode(records, forKey: .records)
    }
}
