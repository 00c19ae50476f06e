/// Limits and constants of `check_host()`.
public struct SPFCheckOptions: Sendable, Hashable {
    /// Terms that cause DNS lookups (RFC 7208 §4.6.4): 10.
    public var maximumDNSLookups = 10
    /// Void lookups (RFC 7208 §4.6.4): 2.
    public var maximumVoidLookups = 2
    /// MX names per `mx` mechanism and PTR names per `ptr` mechanism or `%{p}` (RFC 7208 §4.6.4): 10.
    public var maximumNamesPerLookup = 10
    /// The `%{r}` macro: the receiving host's name (RFC 7208 §7.3). "unknown" when not known.
    public var receivingDomain = "unknown"
    /// The `%{t}` macro: seconds since the epoch; nil uses the current time.
    public var timestamp: Int?
    /// Explanation used for a `fail` without a usable `exp=` (a macro-string, RFC 7208 §6.2).
    public var defaultExplanation = "%{d} does not designate %{c} as a permitted sender for %{s}"
    /// Addresses evaluated at once where the result depends on the address itself (`ptr`, `%{i}`,
    /// `%{p}`): up to 4,096 DNS-bound evaluations of one range, each a task of the institution's
    /// check (the resolver bounds the queries in flight of the whole scan).
    public var addressEvaluationWidth = 16

    public init() {}
}
