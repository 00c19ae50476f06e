import Foundation

/// What an evaluation learned beyond its outcome, for range coverage: the networks the address was
/// compared with, and whether the result may depend on the address in other ways (`ptr`, `%{i}`,
/// `%{p}`).
struct SPFEvaluationFacts: Sendable {
    var comparedNetworks: Set<IPNetwork>
    var addressDependent: Bool
}

/// RFC 7208 `check_host()` over a ``DNSResolver``. Pure logic: all I/O goes through the resolver.
public struct SPFEvaluator: Sendable {
    public let resolver: any DNSResolver
    public var options: SPFCheckOptions
    /// Parsed records, shared by every evaluator (``SPFRecordCache/shared``).
    let recordCache = SPFRecordCache.shared

    public init(resolver: any DNSResolver, options: SPFCheckOptions = SPFCheckOptions()) {
        self.resolver = resolver
        self.options = options
    }

    /// Evaluates `check_host(ip, domain, sender)` (RFC 7208 §4). The outcome is a value for every
    /// result, errors included; only task cancellation is thrown.
    ///
    /// - Parameters:
    ///   - sender: the MAIL FROM address; without a local-part, "postmaster" is used (§4.3).
    ///   - helo: the HELO/EHLO name, for the `%{h}` macro.
    public func checkHost(ip: IPAddress, domain: String, sender: String, helo: String? = nil) async throws -> SPFOutcome {
        try await finishedRun(ip: ip.unmappingIPv4, domain: domain, sender: sender, helo: helo).outcome
    }

    /// Checks the HELO identity (RFC 7208 §2.3): `check_host(ip, helo, "postmaster@" + helo)`.
    public func checkHELO(ip: IPAddress, helo: String) async throws -> SPFOutcome {
        try await checkHost(ip: ip, domain: helo, sender: "postmaster@\(helo)", helo: helo)
    }

    /// Evaluates synchronously on the answers the resolver has at hand. When an answer is missing,
    /// it is fetched (the only suspension) and the evaluation starts over with it remembered, so each
    /// attempt gets further; the last attempt sees every answer. A warm cache, the common case in a
    /// scan that evaluates the same records for thousands of addresses, needs one attempt.
    func finishedRun(ip: IPAddress, domain: String, sender: String, helo: String?, collectingFacts: Bool = false,
                     walking: Bool = false) async throws -> (run: SPFEvaluationRun, outcome: SPFOutcome) {
        var fetched: [SPFQuery: Result<DNSAnswer, DNSLookupError>] = [:]
        while true {
            let run = SPFEvaluationRun(evaluator: self, ip: ip, sender: sender, helo: helo, fetched: fetched)
            run.collectsNetworks = collectingFacts
            if walking { run.walk = SPFTreeRecorder(options: options) }
            do {
                return (run, try run.checkHost(domain: domain))
            } catch let needed as SPFAnswerNeeded {
                do {
                    fetched[needed.query] = .success(try await resolver.resolve(needed.query.name, type: needed.query.type))
                } catch let error as DNSLookupError {
                    fetched[needed.query] = .failure(error)
                }
            }
        }
    }

    /// The whole record tree of `domain` as a receiver checking `ip` walks it (shared/interface.md
    /// `spf --tree`): the same evaluation as ``checkHost(ip:domain:sender:helo:)``, with the same
    /// queries, going on past the deciding term and past the limits of RFC 7208 §4.6.4 so that every
    /// branch is seen. `receiver` holds what ``checkHost(ip:domain:sender:helo:)`` returns for `ip`.
    /// Only task cancellation is thrown.
    public func tree(of domain: String, ip: IPAddress = SPFEvaluator.treeAddress, sender: String? = nil, helo: String? = nil) async throws -> SPFTree {
        let evaluated = ip.unmappingIPv4
        let (run, outcome) = try await finishedRun(ip: evaluated, domain: domain, sender: sender ?? "postmaster@\(domain)", helo: helo, walking: true)
        guard let walk = run.walk else { preconditionFailure("a walking run has a recorder") }
        return walk.tree(domain: DomainName.normalized(domain), ip: evaluated, outcome: outcome, lookups: run.dnsLookups, voidLookups: run.voidLookups)
    }

    /// The address a tree is walked for when none is given: 192.0.2.1 (TEST-NET-1, RFC 5737), which
    /// no real record lists, so that no term matches early.
    public static let treeAddress = IPAddress("192.0.2.1")!

    /// `::ffff:0:0/96`, the IPv4-mapped IPv6 addresses (RFC 4291 §2.5.5.2).
    static let ipv4MappedNetwork = IPNetwork(cidr: "::ffff:0:0/96")!

    func evaluate(ip: IPAddress, domain: String, sender: String, helo: String?, collectingFacts: Bool = false) async throws -> (outcome: SPFOutcome, facts: SPFEvaluationFacts) {
        let evaluated = ip.unmappingIPv4
        let (run, outcome) = try await finishedRun(ip: evaluated, domain: domain, sender: sender, helo: helo, collectingFacts: collectingFacts)
        var networks = run.comparedNetworks
        if case .v6 = ip {
            // Whether an IPv6 address is IPv4-mapped changes the whole evaluation (RFC 7208 §5).
            networks.insert(Self.ipv4MappedNetwork)
            if evaluated != ip {
                networks = Set(networks.map { network in
                    guard case .v4(let bits) = network.address else { return network }
                    return IPNetwork(address: .v6(Self.ipv4MappedNetwork.firstBits | UInt128(bits)), prefixLength: network.prefixLength + 96)!
                })
            }
        }
        return (outcome, SPFEvaluationFacts(comparedNetworks: networks, addressDependent: run.addressDependent))
    }
}

