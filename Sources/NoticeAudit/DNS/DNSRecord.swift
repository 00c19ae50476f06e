/// The record types notice-audit queries (RFC 1035 §3.2.2, RFC 3596).
public enum DNSRecordType: String, Sendable, Hashable, CaseIterable, Codable {
    case a = "A"
    case aaaa = "AAAA"
    case mx = "MX"
    case txt = "TXT"
    case ptr = "PTR"
    case cname = "CNAME"

    /// The numeric type code on the wire.
    public var code: Int {
        switch self {
        case .a: 1
        case .cname: 5
        case .ptr: 12
        case .mx: 15
        case .txt: 16
        case .aaaa: 28
        }
    }
}

/// One resource record's data.
public enum DNSRecord: Sendable, Hashable {
    case a(IPAddress)
    case aaaa(IPAddress)
    case mx(preference: UInt16, exchange: String)
    /// A TXT record's character-strings as bytes, in order (RFC 1035 §3.3.14). SPF joins them
    /// without separator (RFC 7208 §3.3).
    case txt([[UInt8]])
    case ptr(String)
    case cname(String)

    /// The address of an A or AAAA record; nil for other types.
    public var address: IPAddress? {
        switch self {
        case .a(let address), .aaaa(let address): address
        default: nil
        }
    }

    /// The record as text when it is of `type` (a TXT record's strings joined); nil for another
    /// type (a CNAME followed on the way).
    public func text(ifOf type: DNSRecordType) -> String? {
        guard self.type == type else { return nil }
        switch self {
        case .txt(let strings): return String(decoding: strings.flatMap { $0 }, as: UTF8.self)
        case .a(let address), .aaaa(let address): return address.description
        case .mx(_, let exchange): return exchange
        case .ptr(let name), .cname(let name): return name
        }
    }

    public var type: DNSRecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .mx: .mx
        case .txt: .txt
        case .ptr: .ptr
        case .cname: .cname
        }
    }
}

/// A definite answer to one query.
public enum DNSAnswer: Sendable, Equatable {
    /// NOERROR with at least one record of the asked type (after following CNAMEs).
    case records([DNSRecord])
    /// NOERROR with no record of that type ("no data").
    case noData
    /// Name Error (RCODE 3): the name does not exist.
    case nxdomain

    /// A short word for logs: `2 records`, `nodata`, `nxdomain`.
    var logDescription: String {
        switch self {
        case .records(let records): "\(records.count) record\(records.count == 1 ? "" : "s")"
        case .noData: "nodata"
        case .nxdomain: "nxdomain"
        }
    }

    /// The records, or an empty list for "no data" and NXDOMAIN.
    public var records: [DNSRecord] {
        if case .records(let records) = self { return records }
        return []
    }

    /// True for "no data" and NXDOMAIN: what RFC 7208 §4.6.4 calls a void lookup.
    public var isVoid: Bool { records.isEmpty }
}

/// No definite answer: the query cannot say whether the name or record exists. SPF turns this into
/// `temperror` (RFC 7208 §2.6.6), never into "no record".
public struct DNSLookupError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case timeout
        case serverFailure = "servfail"
        case refused
        case malformed
        case network
        case other
    }

    public var kind: Kind
    public var name: String
    public var type: DNSRecordType
    public var detail: String

    public init(_ kind: Kind, name: String, type: DNSRecordType, detail: String = "") {
        self.kind = kind
        self.name = name
        self.type = type
        self.detail = detail
    }

    /// The failure as `dns check` prints it in place of an RCODE: `TIMEOUT`, `SERVFAIL`, `REFUSED`,
    /// `MALFORMED`, `NETWORK`, `ERROR`.
    public var rcode: String {
        switch kind {
        case .timeout: "TIMEOUT"
        case .serverFailure: "SERVFAIL"
        case .refused: "REFUSED"
        case .malformed: "MALFORMED"
        case .network: "NETWORK"
        case .other: "ERROR"
        }
    }

    /// A short stable code for CSV files and history rows, e.g. `dns_timeout`.
    public var shortCode: String { "dns_\(kind.rawValue)" }

    public var description: String {
        let what: String
        switch kind {
        case .timeout: what = "timed out"
        case .serverFailure: what = "the server answered SERVFAIL"
        case .refused: what = "the server answered REFUSED"
        case .malformed: what = "the answer was malformed"
        case .network: what = "the network failed"
        case .other: what = "failed"
        }
        return "DNS \(type.rawValue) query for \(name) \(what)\(detail.isEmpty ? "" : ": \(detail)")"
    }
}

/// Answers DNS queries. Implementations: ``InMemoryZone`` for pure logic and tests, and the c-ares
/// resolver for real DNS.
///
/// A query returns a ``DNSAnswer`` (records, no data, NXDOMAIN) or throws a ``DNSLookupError`` when
/// there is no definite answer (timeout, SERVFAIL, REFUSED, malformed reply); it throws
/// `CancellationError` when the task is cancelled. CNAME chains are followed by the resolver.
public protocol DNSResolver: Sendable {
    func resolve(_ name: String, type: DNSRecordType) async throws -> DNSAnswer

    /// The answer ``resolve(_:type:)`` would give, when it is at hand without waiting (held in
    /// memory, or cached and still fresh); nil when only a query can tell. Throws what `resolve`
    /// would throw for a failure known in advance. Lets an evaluation that needs no network run
    /// without suspending.
    func answerAtHand(_ name: String, type: DNSRecordType) throws -> DNSAnswer?
}

/// A resolver that counts what it sent and what was answered: a scan whose queries all went
/// unanswered says so once (`DNS_UNREACHABLE`) instead of blaming every campus.
public protocol DNSQueryStatistics: Sendable {
    /// Queries sent to a server (cache hits and merged queries not counted).
    var queriesSent: Int { get }
    /// Queries sent that got a definite answer (records, no data, NXDOMAIN).
    var queriesAnswered: Int { get }
}

extension DNSResolver {
    /// Nothing is at hand: every answer comes from ``resolve(_:type:)``.
    public func answerAtHand(_ name: String, type: DNSRecordType) throws -> DNSAnswer? { nil }
}
