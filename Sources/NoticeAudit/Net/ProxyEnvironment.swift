import Foundation

/// The proxy settings of the environment, read as libcurl reads them (libcurl's `CURLOPT_PROXY`
/// documentation): `https_proxy`/`HTTPS_PROXY` for https, `http_proxy` (lower case only) for http,
/// then `all_proxy`/`ALL_PROXY`; `no_proxy`/`NO_PROXY` lists hosts that go direct (`*` for all,
/// a name matching itself and its subdomains, an address or CIDR range).
///
/// Used to decide whether a URL goes through a proxy: then the proxy resolves the name, and our
/// resolver must not be asked (a network that reaches the outside only through its proxy may have
/// no DNS for outside names at all).
public struct ProxyEnvironment: Sendable {
    public var variables: [String: String]

    public init(variables: [String: String] = ProcessInfo.processInfo.environment) {
        self.variables = variables
    }

    /// The proxy libcurl will use for `url`, or nil when it connects directly.
    public func proxy(for url: URL) -> String? {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
        let names = scheme == "http" ? ["http_proxy"] : ["\(scheme)_proxy", "\(scheme.uppercased())_PROXY"]
        guard let proxy = (names + ["all_proxy", "ALL_PROXY"]).lazy.compactMap({ value(self.variables[$0]) }).first else { return nil }
        return bypasses(host) ? nil : proxy
    }

    /// True when `no_proxy` says `host` goes direct.
    func bypasses(_ host: String) -> Bool {
        guard let list = value(variables["no_proxy"]) ?? value(variables["NO_PROXY"]) else { return false }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        for rawEntry in list.split(whereSeparator: { $0 == "," || $0 == " " }) {
            let entry = rawEntry.lowercased()
            if entry == "*" { return true }
            if let address = IPAddress(bare) {
                if let network = IPNetwork(cidr: entry) ?? IPAddress(entry).map(IPNetwork.init(host:)), network.contains(address) { return true }
                continue
            }
            let domain = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            if bare == domain || bare.hasSuffix("." + domain) { return true }
        }
        return false
    }

    private func value(_ text: String?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }
}
