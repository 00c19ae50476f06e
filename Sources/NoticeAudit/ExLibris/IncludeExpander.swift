/// The addresses a region's SPF include authorizes: its `ip4`/`ip6` terms, nested includes and
/// redirects, and the addresses of `a`/`mx` terms, read through DNS.
public struct IncludeExpansion: Sendable, Equatable {
    public var include: String
    public var networks: [IPNetwork]
    /// What could not be expanded for good (no SPF record, a macro, a loop): the include
    /// authorizes nothing more there, whenever it is asked.
    public var problems: [String]
    /// Temporary DNS errors (timeout, SERVFAIL, REFUSED, network, malformed answer) somewhere in
    /// the tree: the expansion may lack addresses that a later run will see.
    public var temporaryErrors: [String] = []

    /// True when the expansion finished without a temporary DNS error anywhere in its tree
    /// (../shared/domain.md, "Relay set of a region").
    public var isComplete: Bool { temporaryErrors.isEmpty }

    public init(include: String, networks: [IPNetwork], problems: [String], temporaryErrors: [String] = []) {
        self.include = include
        self.networks = networks
        self.problems = problems
        self.temporaryErrors = temporaryErrors
    }
}

/// Expands SPF includes through a ``DNSResolver``.
public struct IncludeExpander: Sendable {
    public let resolver: any DNSResolver
    /// More nested records than this is certainly a mistake (RFC 7208 allows 10 lookups).
    public static let maximumRecords = 20

    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    public func expand(_ include: String) async throws -> IncludeExpansion {
        var networks = Set<IPNetwork>()
        var problems: [String] = []
        var temporary: [String] = []
        var visited = Set<String>()
        var queue = [SPFEvaluationRun.normalized(include)]
        while let domain = queue.first {
            queue.removeFirst()
            guard visited.insert(domain).inserted else { continue }
            guard visited.count <= Self.maximumRecords else {
                problems.append("more than \(Self.maximumRecords) nested records below \(include)")
                break
            }
            let answer: DNSAnswer
            do {
                answer = try await resolver.resolve(domain, type: .txt)
            } catch let error as DNSLookupError {
                temporary.append(error.description)
                continue
            }
            guard case .record(let record) = SPFRecordLookup(answer: answer) else {
                problems.append("\(domain) has no usable SPF record")
                continue
            }
            for directive in record.directives where directive.qualifier == .pass {
                switch directive.mechanism {
                case .ip4(let network), .ip6(let network):
                    networks.insert(network)
                case .include(let spec):
                    if spec.hasMacros { problems.append("\(directive.text) in \(domain) uses macros") } else { queue.append(SPFEvaluationRun.normalized(spec.text)) }
                case .a(let spec, let cidr):
                    try await addAddresses(of: spec?.text ?? domain, cidr: cidr, into: &networks, temporary: &temporary)
                case .mx(let spec, let cidr):
                    do {
                        for case .mx(_, let exchange) in try await resolver.resolve(spec?.text ?? domain, type: .mx).records {
                            try await addAddresses(of: exchange, cidr: cidr, into: &networks, temporary: &temporary)
                        }
                    } catch let error as DNSLookupError {
                        temporary.append(error.description)
                    }
                case .ptr, .exists:
                    problems.append("\(directive.text) in \(domain) depends on the sender's address and cannot be expanded")
                case .all:
                    break
                }
            }
            if let redirect = record.redirect, !record.hasAll {
                if redirect.value.hasMacros { problems.append("\(redirect.text) in \(domain) uses macros") } else { queue.append(SPFEvaluationRun.normalized(redirect.value.text)) }
            }
        }
        return IncludeExpansion(include: include, networks: networks.sorted(), problems: problems, temporaryErrors: temporary)
    }

    private func addAddresses(of name: String, cidr: DualCIDR, into networks: inout Set<IPNetwork>, temporary: inout [String]) async throws {
        for type in [DNSRecordType.a, .aaaa] {
            do {
                for address in try await resolver.resolve(name, type: type).records.compactMap(\.address) {
                    if let network = IPNetwork(address: address, prefixLength: cidr.prefixLength(for: address)) { networks.insert(network) }
                }
            } catch let error as DNSLookupError {
                temporary.append(error.description)
            }
        }
    }
}

/// Where the page and the region's include disagree: a finding for the report.
public struct CatalogCrossCheck: Sendable, Equatable {
    public var region: AlmaRegion
    public var include: String
    /// Published on the page but not authorized by the include.
    public var pageOnly: [IPNetwork]
    /// Authorized by the include but not on the page.
    public var includeOnly: [IPNetwork]
    public var expansion: IncludeExpansion

    /// True when both sources list the same addresses. Only a complete expansion can be compared:
    /// a DNS failure is not a disagreement.
    public var agrees: Bool { pageOnly.isEmpty && includeOnly.isEmpty && expansion.isComplete }

    /// Compares the page's addresses of a region with what its include authorizes.
    public init(region: AlmaRegion, include: String, page: [IPNetwork], expansion: IncludeExpansion) {
        self.region = region
        self.include = include
        self.expansion = expansion
        pageOnly = page.filter { network in !expansion.networks.contains { $0.covers(network) } }
        includeOnly = page.isEmpty ? [] : expansion.networks.filter { network in !page.contains { $0.covers(network) } }
    }

    /// Compares every region of `catalog` that names an include with that include's expansion.
    public static func check(_ catalog: RelayCatalog, expander: IncludeExpander) async throws -> [CatalogCrossCheck] {
        var checks: [CatalogCrossCheck] = []
        for region in catalog.regions.keys.sorted() {
            guard let entry = catalog.regions[region], let include = entry.spfInclude, entry.includeConfirmed else { continue }
            checks.append(CatalogCrossCheck(region: region, include: include, page: entry.addresses, expansion: try await expander.expand(include)))
        }
        return checks
    }
}

extension IPNetwork {
    /// True when every address of `other` is inside this network.
    public func covers(_ other: IPNetwork) -> Bool {
        other.address.bitWidth == address.bitWidth && prefixLength <= other.prefixLength && contains(other.address)
    }
}
