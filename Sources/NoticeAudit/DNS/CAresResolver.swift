/// The real DNS resolver: a c-ares channel behind a TTL cache that merges identical queries.
///
/// Answers are records, "no data" or NXDOMAIN; no definite answer (timeout, SERVFAIL, REFUSED,
/// malformed reply) throws ``DNSLookupError``. Call ``shutdown()`` when done.
public final class CAresResolver: DNSResolver, DNSQueryStatistics {
    private let channel: CAresChannel
    private let cache: CachingDNSResolver

    /// - Parameters:
    ///   - servers: the name servers; empty uses those of /etc/resolv.conf.
    ///   - timeout: the deadline of one query, retries included.
    ///   - maximumInFlight: queries sent at once; more wait their turn.
    public init(servers: [DNSServerAddress] = [], timeout: Duration = NetworkTimeout.standard.step, maximumInFlight: Int = 128) throws {
        channel = try CAresChannel(servers: servers.map(\.description), timeout: timeout, maximumInFlight: maximumInFlight)
        cache = CachingDNSResolver(transport: channel)
    }

    public func resolve(_ name: String, type: DNSRecordType) async throws -> DNSAnswer {
        try await cache.resolve(name, type: type)
    }

    /// Sends a query without the cache: the raw transport, for tests and benchmarks.
    public func exchange(_ name: String, type: DNSRecordType) async throws -> DNSResponse {
        try await channel.exchange(name, type: type)
    }

    /// How many queries were sent to a server (the rest came from the cache or were merged).
    public var queriesSent: Int { cache.transportQueries }

    /// How many queries sent got a definite answer: zero with queries sent means no name server answered.
    public var queriesAnswered: Int { cache.answeredQueries }

    /// Each name that got no definite answer in this resolver's life, once.
    public var temporaryFailures: [DNSLookupError] { cache.temporaryFailures }

    /// Stops the resolver's thread; pending queries end with an error.
    public func shutdown() {
        channel.shutdown()
    }
}
