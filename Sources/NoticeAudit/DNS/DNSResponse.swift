/// A parsed answer to one query, with how long it may be cached.
public struct DNSResponse: Sendable, Equatable {
    public var answer: DNSAnswer
    /// Seconds the answer may be cached: the smallest TTL of the records used, or for "no data" and
    /// NXDOMAIN the negative TTL of the zone's SOA (RFC 2308 §5).
    public var ttl: UInt32

    /// When the answer ends in a CNAME whose target the server did not resolve (an authoritative
    /// server answering for another zone's name), that target; the caller asks again for it.
    public var unresolvedAlias: String?

    public init(answer: DNSAnswer, ttl: UInt32, unresolvedAlias: String? = nil) {
        self.answer = answer
        self.ttl = ttl
        self.unresolvedAlias = unresolvedAlias
    }
}

/// Sends one query to a DNS server and returns its parsed response. The c-ares transport is one;
/// ``CachingDNSResolver`` turns any transport into a ``DNSResolver``.
public protocol DNSTransport: Sendable {
    /// Throws ``DNSLookupError`` when there is no definite answer, `CancellationError` when cancelled.
    func exchange(_ name: String, type: DNSRecordType) async throws -> DNSResponse
}
