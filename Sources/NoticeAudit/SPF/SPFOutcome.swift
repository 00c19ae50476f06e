/// One step of an evaluation, for the human trace.
public struct SPFTraceEntry: Sendable, Hashable, CustomStringConvertible {
    /// The two steps every evaluation records keep their parts; the text is made only when read.
    enum Kind: Sendable, Hashable {
        case text(String)
        case record(String)
        case matched(term: String, result: SPFResult)
    }

    /// How deep in the include/redirect tree the step happened (0 = the checked domain).
    public var depth: Int
    public var domain: String
    let kind: Kind

    public init(depth: Int, domain: String, event: String) {
        self.init(depth: depth, domain: domain, kind: .text(event))
    }

    init(depth: Int, domain: String, kind: Kind) {
        self.depth = depth
        self.domain = domain
        self.kind = kind
    }

    /// What happened, in words.
    public var event: String {
        switch kind {
        case .text(let text): text
        case .record(let record): "record \"\(record)\""
        case .matched(let term, let result): "\(term) matched: \(result.rawValue)"
        }
    }

    public var description: String { String(repeating: "  ", count: depth) + "\(domain): \(event)" }
}

/// The value `check_host()` returns: never a thrown error (RFC 7208 §2.6).
public struct SPFOutcome: Sendable, Hashable {
    public var result: SPFResult
    /// The term that decided the result (`-all`, `include:…`, `redirect=…`), or nil when none did
    /// (no record, an error, or the default `neutral`).
    public var decidingTerm: String?
    /// The domain whose record held the deciding term.
    public var decidingDomain: String?
    /// The explanation for a `fail`: the expanded `exp=` text, else the default explanation.
    /// Nil for every other result.
    public var explanation: String?
    /// Why the result is an error, for `permerror` and `temperror`.
    public var problem: String?
    /// DNS-querying terms evaluated (RFC 7208 §4.6.4: at most 10).
    public var dnsLookups: Int
    /// Lookups that returned no data or NXDOMAIN (RFC 7208 §4.6.4: at most 2).
    public var voidLookups: Int
    public var trace: [SPFTraceEntry]
}
