extension DNSResolver {
    /// The A and AAAA addresses of `host`. An empty list is a definite "no address" (NXDOMAIN or
    /// no data for both types); when no address was found and a lookup had no definite answer,
    /// that ``DNSLookupError`` is thrown, so callers can tell a missing name from a DNS outage.
    public func addresses(of host: String) async throws -> [IPAddress] {
        // Both asked at once (one round trip, not two); read in the order A, then AAAA.
        async let v4 = lookUp(host, .a)
        async let v6 = lookUp(host, .aaaa)
        var addresses: [IPAddress] = []
        var failure: DNSLookupError?
        for outcome in [try await v4, try await v6] {
            switch outcome {
            case .success(let found): addresses += found
            case .failure(let error): failure = error
            }
        }
        if addresses.isEmpty, let failure { throw failure }
        return addresses
    }

    private func lookUp(_ host: String, _ type: DNSRecordType) async throws -> Result<[IPAddress], DNSLookupError> {
        do {
            return .success(try await resolve(host, type: type).records.compactMap(\.address))
        } catch let error as DNSLookupError {
            return .failure(error)
        }
    }
}
