extension DNSResolver {
    /// The A and AAAA addresses of `host`. An empty list is a definite "no address" (NXDOMAIN or
    /// no data for both types); when no address was found and a lookup had no definite answer,
    /// that ``DNSLookupError`` is thrown, so callers can tell a missing name from a DNS outage.
    public func addresses(of host: String) async throws -> [IPAddress] {
        var addresses: [IPAddress] = []
        var failure: DNSLookupError?
        for type in [DNSRecordType.a, .aaaa] {
            do {
                addresses += try await resolve(host, type: type).records.compactMap(\.address)
            } catch let error as DNSLookupError {
                failure = error
            }
        }
        if addresses.isEmpty, let failure { throw failure }
        return addresses
    }
}
