import Synchronization

/// Asks DNS what receivers see of sending addresses: forward-confirmed reverse DNS (RFC 1035
/// §3.5, RFC 3596 §2.5, then the name's A/AAAA) and DNS blocklist listings (RFC 5782 §2.1: the
/// address reversed under the list's zone; IPv6 in nibble form where the list serves it).
///
/// One checker serves one run, through the run's resolver (its cache and its temporary-error
/// rule): each address is asked once for its PTR and once per list, however many institutions
/// send from it.
public final class ReputationChecker: Sendable {
    /// The blocklists of ../shared/domain.md when the inventory names none.
    public static let defaultZones = ["zen.spamhaus.org", "bl.spamcop.net"]
    /// Lists known to serve IPv4 only: their IPv6 queries are not sent.
    static let ipv4OnlyZones: Set<String> = ["bl.spamcop.net"]
    /// The largest range checked whole; larger ones are sampled.
    public static let wholeRangeLimit: UInt128 = 16
    /// The addresses asked of a larger range, spread evenly over it.
    public static let sampleSize: UInt128 = 64
    /// PTR names followed per address (a name with hundreds of PTRs gets no more queries).
    static let ptrNamesFollowed = 8

    public let resolver: any DNSResolver
    public let zones: [String]
    private let memo = Mutex<[IPAddress: Task<AddressReputation, Never>]>([:])
    private let unusable = Mutex<[String: String]>([:])

    /// The zones that would not answer during the run, with the first reason (`DNSBL_UNUSABLE`).
    public var unusableZones: [String: String] { unusable.withLock { $0 } }

    /// The run-level finding for the unusable lists; nil when every list answered.
    public func unusableFinding() -> Finding? {
        let zones = unusableZones
        guard !zones.isEmpty else { return nil }
        let words = zones.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        return Finding(code: .dnsblUnusable, severity: .warning, target: zones.keys.sorted().joined(separator: ","),
            message: "DNS blocklists could not be used this run (\(words)), so the blocklists row is not observable for the addresses they would have answered; no verdict depends on it.",
            remediation: "Query the lists through a resolver of your own (not a public one such as 8.8.8.8), within their usage terms, or name other lists in \"reputation\": {\"dnsbl\": [...]}; an empty list turns blocklists off.",
            campusCanFix: false)
    }

    public init(resolver: any DNSResolver, zones: [String] = ReputationChecker.defaultZones) {
        self.resolver = resolver
        self.zones = zones.map(DomainName.normalized)
    }

    /// The reputation of every checked address of `networks`.
    public func report(for networks: [IPNetwork]) async -> ReputationReport {
        var ranges: [ReputationReport.Range] = []
        for network in networks {
            let (addresses, sampled) = Self.addresses(of: network)
            let reputations = await withTaskGroup(of: (Int, AddressReputation).self) { group in
                for (index, address) in addresses.enumerated() {
                    group.addTask { (index, await self.reputation(of: address)) }
                }
                var found: [(Int, AddressReputation)] = []
                for await item in group { found.append(item) }
                return found.sorted { $0.0 < $1.0 }.map(\.1)
            }
            ranges.append(ReputationReport.Range(network: network, sampled: sampled, addresses: reputations))
        }
        var unusable: [String: String] = [:]
        for reputation in ranges.flatMap(\.addresses) {
            for (zone, answer) in reputation.blocklists {
                if case .unusable(let why) = answer, unusable[zone] == nil { unusable[zone] = why }
            }
        }
        return ReputationReport(ranges: ranges, zones: zones, unusableZones: unusable)
    }

    /// The addresses checked of `network`: all of a range of up to 16, else 64 spread evenly.
    static func addresses(of network: IPNetwork) -> (addresses: [IPAddress], sampled: Bool) {
        let size = network.sizeMinusOne
        if size < wholeRangeLimit {
            return ((0...size).map { network.address.withBits(network.firstBits + $0) }, false)
        }
        let step = size / (sampleSize - 1)
        return ((0..<sampleSize).map { network.address.withBits(network.firstBits + min(size, $0 * step)) }, true)
    }

    /// One address, asked once per run.
    public func reputation(of address: IPAddress) async -> AddressReputation {
        let task = memo.withLock { memo in
            if let task = memo[address] { return task }
            let task = Task { await self.lookUp(address) }
            memo[address] = task
            return task
        }
        return await task.value
    }

    private func lookUp(_ address: IPAddress) async -> AddressReputation {
        async let ptr = forwardConfirmedPTR(of: address)
        var blocklists: [String: AddressReputation.BlocklistAnswer] = [:]
        for zone in zones {
            if !address.isIPv4, Self.ipv4OnlyZones.contains(zone) { continue }
            let answer = await listing(of: address, on: zone)
            if case .unusable(let why) = answer {
                unusable.withLock { if $0[zone] == nil { $0[zone] = why } }
            }
            blocklists[zone] = answer
        }
        return AddressReputation(address: address, ptr: await ptr, blocklists: blocklists)
    }

    /// The PTR names of `address`, and whether one of them resolves back to it.
    func forwardConfirmedPTR(of address: IPAddress) async -> AddressReputation.PTRStatus {
        let names: [String]
        do {
            names = try await resolver.resolve(address.reverseLookupName, type: .ptr).records.compactMap {
                if case .ptr(let name) = $0 { return DomainName.normalized(name) }
                return nil
            }
        } catch {
            return .temperror("\(error)")
        }
        if names.isEmpty { return .missing }
        var problem: String?
        for name in names.prefix(Self.ptrNamesFollowed) {
            do {
                let forward = try await resolver.resolve(name, type: address.isIPv4 ? .a : .aaaa).records.compactMap(\.address)
                if forward.contains(address) { return .confirmed(name) }
            } catch {
                problem = "\(error)"
            }
        }
        if let problem { return .temperror(problem) }
        return .mismatch(Array(names.prefix(Self.ptrNamesFollowed)))
    }

    /// `address` on the list at `zone` (RFC 5782 §2.1, §2.4).
    ///
    /// An A record in 127.0.0.0/8 names a listing (ZEN: 127.0.0.2 to .11; SpamCop: .2); the
    /// 127.255.255.0/24 answers mean "I will not answer you" (Spamhaus: .252 typo in the zone,
    /// .254 query through a public resolver, .255 too many queries), as does no definite answer or
    /// an answer outside 127.0.0.0/8 (a resolver rewriting NXDOMAIN).
    func listing(of address: IPAddress, on zone: String) async -> AddressReputation.BlocklistAnswer {
        let name = Self.queryName(address, zone: zone)
        let records: [DNSRecord]
        do {
            records = try await resolver.resolve(name, type: .a).records
        } catch {
            return .unusable("no answer: \(error)")
        }
        let codes = records.compactMap(\.address)
        guard let code = codes.first else { return .notListed }
        return Self.meaning(of: code, zone: zone)
    }

    /// What a list's return code means.
    static func meaning(of code: IPAddress, zone: String) -> AddressReputation.BlocklistAnswer {
        guard case .v4(let value) = code, value >> 24 == 127 else {
            return .unusable("it answered \(code), outside 127.0.0.0/8: the resolver rewrites answers")
        }
        let last = value & 0xFF
        if value >> 8 == 0x7FFFFF {
            let why = switch last {
            case 252: "it answered \(code): the query name is malformed"
            case 254: "it answered \(code): it refuses queries through public or open resolvers"
            case 255: "it answered \(code): too many queries"
            default: "it answered \(code), an error code"
            }
            return .unusable(why)
        }
        let naming: Bool = switch zone {
        case "zen.spamhaus.org": value >> 8 == 0x7F0000 && (2...11).contains(last)
        case "bl.spamcop.net": value == 0x7F00_0002
        default: value != 0x7F00_0001
        }
        return naming ? .listed(code.description) : .unusable("it answered \(code), which names no listing")
    }

    /// The name asked of `zone` for `address`: its octets (or nibbles) reversed, then the zone.
    static func queryName(_ address: IPAddress, zone: String) -> String {
        let reverse = address.reverseLookupName
        let suffix = address.isIPv4 ? ".in-addr.arpa" : ".ip6.arpa"
        return String(reverse.dropLast(suffix.count)) + "." + zone
    }
}
