/// A DNS server given as `HOST[:PORT]` on the command line: an IPv4 address, an IPv6 address
/// (`::1` or `[::1]:53`), and an optional port (default 53).
public struct DNSServerAddress: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var port: Int

    /// Parses `text`, or throws a message saying what is wrong.
    public init(parsing text: String) throws(DNSResolverSetupError) {
        var host = Substring(text)
        var port = 53
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw DNSResolverSetupError("invalid DNS server '\(text)': missing ']'") }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let parsed = Int(rest.dropFirst()) else { throw DNSResolverSetupError("invalid DNS server '\(text)': expected [ADDRESS]:PORT") }
                port = parsed
            }
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            guard let parsed = Int(host[host.index(after: colon)...]) else { throw DNSResolverSetupError("invalid DNS server '\(text)': the port is not a number") }
            port = parsed
            host = host[..<colon]
        }
        guard let address = IPAddress(String(host)) else {
            throw DNSResolverSetupError("invalid DNS server '\(text)': give an IP address (host names cannot be used to find the name server)")
        }
        guard (1...65535).contains(port) else { throw DNSResolverSetupError("invalid DNS server '\(text)': port \(port) is out of range") }
        self.address = address
        self.port = port
    }

    /// The form `ares_set_servers_ports_csv` takes: `192.0.2.1:53` or `[2001:db8::1]:53`.
    public var description: String {
        address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
    }
}
