/// The exact `check_host()` result for every address of one range (an Ex Libris region publishes
/// ranges, not single hosts).
public struct SPFCoverage: Sendable {
    /// A run of consecutive addresses with one result.
    public struct Part: Sendable {
        public var first: IPAddress
        public var last: IPAddress
        public var result: SPFResult
        /// True when the result was evaluated for one sampled address of the part, not for each.
        public var sampled: Bool
        /// The outcome of one address of the part (its deciding term, explanation and counts).
        public var outcome: SPFOutcome

        /// The part as the smallest list of CIDR networks.
        public var networks: [IPNetwork] { IPNetwork.covering(first: first.bits, last: last.bits, family: first) }
    }

    public var range: IPNetwork
    /// Consecutive parts in address order, covering the whole range.
    public var parts: [Part]
    /// How many `check_host()` evaluations were run.
    public var evaluations: Int
    /// The most DNS-querying terms any evaluation spent (RFC 7208 §4.6.4).
    public var maximumDNSLookups: Int
    /// The most void lookups any evaluation spent.
    public var maximumVoidLookups: Int

    /// Result → the sub-networks with that result, in address order.
    public var networksByResult: [SPFResult: [IPNetwork]] {
        var map: [SPFResult: [IPNetwork]] = [:]
        for part in parts { map[part.result, default: []].append(contentsOf: part.networks) }
        return map
    }

    /// The parts whose result comes from sampling, as networks.
    public var sampledNetworks: [IPNetwork] { parts.filter(\.sampled).flatMap(\.networks) }

    /// The worst result in the range (``SPFResult/severityRank``).
    public var worstResult: SPFResult { parts.map(\.result).max() ?? .none }
}

extension SPFEvaluator {
    /// How many addresses are evaluated one by one when the result depends on the address itself
    /// (`ptr`, `%{i}`, `%{p}`): every address of a part up to the size of an IPv4 /20.
    public static let exhaustiveAddressLimit: UInt128 = 4096
    /// How many addresses are sampled in a larger address-dependent part.
    public static let sampleCount: UInt128 = 256

    /// The result of `check_host()` for every address of each range.
    ///
    /// Each range is cut into parts within which every address is inside or outside each network
    /// the evaluation compared the address with (ip4/ip6 terms, a/mx addresses with their CIDR
    /// lengths, through includes and redirects). All addresses of such a part follow the same path
    /// through the record tree, so one evaluation decides the part. Where the path depends on the
    /// address itself (`ptr`, `%{i}`, `%{p}`), every address of a part of up to 4096 addresses (an
    /// IPv4 /20) is evaluated; larger parts (large IPv4 or IPv6 ranges) are sampled, and say so.
    ///
    /// `decided` hears each address's outcome as soon as it is evaluated, before the ranges are
    /// done: a deadline that cuts the rest keeps what one address proved.
    public func coverage(ranges: [IPNetwork], domain: String, sender: String, helo: String? = nil,
                         decided: @escaping @Sendable (IPAddress, SPFOutcome) -> Void = { _, _ in }) async throws -> [SPFCoverage] {
        var coverages: [SPFCoverage] = []
        for range in ranges {
            coverages.append(try await coverage(range: range, domain: domain, sender: sender, helo: helo, decided: decided))
        }
        return coverages
    }

    private func coverage(range: IPNetwork, domain: String, sender: String, helo: String?,
                          decided: @escaping @Sendable (IPAddress, SPFOutcome) -> Void) async throws -> SPFCoverage {
        var builder = CoverageBuilder(range: range)
        var start = range.firstBits
        let end = range.lastBits
        while true {
            let representative = range.address.withBits(start)
            let (outcome, facts) = try await evaluate(ip: representative, domain: domain, sender: sender, helo: helo, collectingFacts: true)
            decided(representative, outcome)
            builder.record(outcome)
            let uniformEnd = Self.uniformEnd(from: start, to: end, networks: facts.comparedNetworks, family: representative)
            if facts.addressDependent && uniformEnd > start {
                try await evaluateEachAddress(from: start, to: uniformEnd, first: outcome, into: &builder, domain: domain, sender: sender, helo: helo, decided: decided)
            } else {
                builder.append(first: start, last: uniformEnd, outcome: outcome, sampled: false)
            }
            if uniformEnd >= end { break }
            start = uniformEnd + 1
        }
        return builder.coverage
    }

    /// The last address after `start` (up to `end`) that is inside or outside every compared network
    /// exactly as `start` is.
    static func uniformEnd(from start: UInt128, to end: UInt128, networks: Set<IPNetwork>, family: IPAddress) -> UInt128 {
        var uniformEnd = end
        for network in networks where network.address.bitWidth == family.bitWidth {
            if network.firstBits <= start && start <= network.lastBits {
                uniformEnd = min(uniformEnd, network.lastBits)
            } else if network.firstBits > start {
                uniformEnd = min(uniformEnd, network.firstBits - 1)
            }
        }
        return uniformEnd
    }

    private func evaluateEachAddress(
        from start: UInt128, to end: UInt128, first: SPFOutcome, into builder: inout CoverageBuilder,
        domain: String, sender: String, helo: String?, decided: @escaping @Sendable (IPAddress, SPFOutcome) -> Void
    ) async throws {
        let family = builder.range.address
        let count = end - start
        // Every address of a part up to a /20, or evenly spaced samples of a larger one, each
        // sample's result standing for the addresses up to the next sample: (first, last) of each.
        var spans: [(first: UInt128, last: UInt128)] = []
        if count < Self.exhaustiveAddressLimit {
            spans = (start...end).map { ($0, $0) }
        } else {
            let step = max(1, count / Self.sampleCount)
            var sample = start
            while true {
                let next = end - sample < step ? end : sample + step
                let partEnd = next == end ? end : next - 1
                spans.append((sample, partEnd))
                if partEnd >= end { break }
                sample = partEnd + 1
            }
        }
        let outcomes = try await outcomes(at: spans.dropFirst().map { family.withBits($0.first) }, domain: domain, sender: sender, helo: helo, decided: decided)
        for (index, span) in spans.enumerated() {
            let outcome = index == 0 ? first : outcomes[index - 1]
            if index > 0 { builder.record(outcome) }
            builder.append(first: span.first, last: span.last, outcome: outcome, sampled: span.last > span.first)
        }
    }

    /// `check_host()` at each of `addresses`, in their order, ``SPFCheckOptions/addressEvaluationWidth`` at once.
    private func outcomes(at addresses: [IPAddress], domain: String, sender: String, helo: String?,
                          decided: @escaping @Sendable (IPAddress, SPFOutcome) -> Void) async throws -> [SPFOutcome] {
        var outcomes = [SPFOutcome?](repeating: nil, count: addresses.count)
        try await withThrowingTaskGroup(of: (Int, SPFOutcome).self) { group in
            var next = 0
            func startNext() {
                guard next < addresses.count else { return }
                let index = next
                next += 1
                group.addTask { (index, try await checkHost(ip: addresses[index], domain: domain, sender: sender, helo: helo)) }
            }
            for _ in 0..<max(1, options.addressEvaluationWidth) { startNext() }
            while let (index, outcome) = try await group.next() {
                decided(addresses[index], outcome)
                outcomes[index] = outcome
                startNext()
            }
        }
        return outcomes.map { $0! }
    }
}

/// Collects the parts of one range, merging neighbours with the same result.
private struct CoverageBuilder {
    let range: IPNetwork
    private var parts: [SPFCoverage.Part] = []
    private var evaluations = 0
    private var maximumDNSLookups = 0
    private var maximumVoidLookups = 0

    init(range: IPNetwork) {
        self.range = range
    }

    mutating func record(_ outcome: SPFOutcome) {
        evaluations += 1
        maximumDNSLookups = max(maximumDNSLookups, outcome.dnsLookups)
        maximumVoidLookups = max(maximumVoidLookups, outcome.voidLookups)
    }

    mutating func append(first: UInt128, last: UInt128, outcome: SPFOutcome, sampled: Bool) {
        if var previous = parts.last, previous.result == outcome.result, previous.sampled == sampled,
            previous.last.bits &+ 1 == first
        {
            previous.last = range.address.withBits(last)
            parts[parts.count - 1] = previous
            return
        }
        parts.append(SPFCoverage.Part(
            first: range.address.withBits(first), last: range.address.withBits(last), result: outcome.result, sampled: sampled, outcome: outcome))
    }

    var coverage: SPFCoverage {
        SPFCoverage(range: range, parts: parts, evaluations: evaluations, maximumDNSLookups: maximumDNSLookups, maximumVoidLookups: maximumVoidLookups)
    }
}
