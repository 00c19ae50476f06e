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
        public var p: String?
        public var sp: String?
        public var np: String?
        public var adkim: String?
        public var aspf: String?
        public var pct: String?
        public var testing: String?
        public var discoveryMethod: String?
    }

    /// One DKIM result of a record's `auth_results`.
    public struct DKIMResult: Sendable, Equatable, Codable {
        public var domain: String?
        public var selector: String?
        public var result: String?
    }

    /// One SPF result of a record's `auth_results`.
    public struct SPFResult: Sendable, Equatable, Codable {
        public var domain: String?
        public var scope: String?
        public var result: String?
    }

    /// One row: a source address, how many messages, and how they came out.
    public struct Record: Sendable, Equatable, Codable {
        public var sourceIP: String
        public var count: Int
        public var disposition: String?
        /// The policy-evaluated (aligned) DKIM and SPF results.
        public var dkim: String?
        public var spf: String?
        public var headerFrom: String?
        public var envelopeFrom: String?
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

// `dmarc-reports list --json` gives every field, null where the report lacks it (interface.md).
extension AggregateReport.Policy {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(p, forKey: .p)
        try container.encode(sp, forKey: .sp)
        try container.encode(np, forKey: .np)
        try container.encode(adkim, forKey: .adkim)
        try container.encode(aspf, forKey: .aspf)
        try container.encode(pct, forKey: .pct)
        try container.encode(testing, forKey: .testing)
        try container.encode(discoveryMethod, forKey: .discoveryMethod)
    }
}

extension AggregateReport.DKIMResult {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(domain, forKey: .domain)
        try container.encode(selector, forKey: .selector)
        try container.encode(result, forKey: .result)
    }
}

extension AggregateReport.SPFResult {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(domain, forKey: .domain)
        try container.encode(scope, forKey: .scope)
        try container.encode(result, forKey: .result)
    }
}

extension AggregateReport.Record {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sourceIP, forKey: .sourceIP)
        try container.encode(count, forKey: .count)
        try container.encode(disposition, forKey: .disposition)
        try container.encode(dkim, forKey: .dkim)
        try container.encode(spf, forKey: .spf)
        try container.encode(headerFrom, forKey: .headerFrom)
        try container.encode(envelopeFrom, forKey: .envelopeFrom)
        try container.encode(dkimResults, forKey: .dkimResults)
        try container.encode(spfResults, forKey: .spfResults)
        try container.encode(reasons, forKey: .reasons)
    }
}

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
