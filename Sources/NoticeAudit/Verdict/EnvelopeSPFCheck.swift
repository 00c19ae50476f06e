/// The SPF of a campus envelope domain that is not one of the From domains (`alma@mail.ufl.edu`):
/// receivers evaluate SPF for the envelope (RFC 7208 §2.4), so it must `pass` from every sending
/// address, and only then can it give DMARC alignment (RFC 7489 §3.1.2).
public struct EnvelopeSPFCheck: Sendable {
    /// What the check found.
    public struct Result: Sendable {
        /// The worst `check_host()` result over the sending addresses; nil when none was evaluated.
        public var worst: SPFResult?
        public var outcome: CheckOutcome
        public var findings: [Finding]
    }

    public let resolver: any DNSResolver

    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    /// `check_host()` for the envelope domain from every sending address of `path`.
    /// - Parameter knowledge: how complete the sending addresses are (a region's relay set can be
    ///   incomplete; a campus relay's addresses are what the inventory or DNS gave).
    public func check(_ path: SendingPath, knowledge: RelaySetKnowledge = .complete) async throws -> Result {
        let domain = path.envelopeDomain
        guard !path.sendingAddresses.isEmpty else {
            let why = path.addressProblem ?? "no sending address is known"
            return Result(worst: nil, outcome: .unknown, findings: [Finding(code: .envelopeSPFNotPassing, severity: .error, target: domain,
                message: "The SPF of the envelope domain \(domain) could not be checked: \(why).",
                remediation: path.addressSource == .exLibrisRelays
                    ? "Nothing to change at the campus: the check runs again once the Ex Libris relay addresses are known."
                    : "Give the relay's egress_addresses in the inventory, or make its host name resolve.",
                campusCanFix: path.addressSource != .exLibrisRelays)])
        }
        let coverages = try await SPFEvaluator(resolver: resolver).coverage(ranges: path.sendingAddresses, domain: domain, sender: path.envelopeFrom)
        let parts = coverages.flatMap(\.parts)
        let worst = coverages.map(\.worstResult).max() ?? .none
        let sampled = coverages.contains { !$0.sampledNetworks.isEmpty }
        let (outcome, _) = VerdictRules.spf(results: Set(parts.map(\.result)), relaySet: knowledge, sampled: sampled)
        switch outcome {
        case .pass:
            return Result(worst: worst, outcome: .pass, findings: [])
        case .fail:
            let failing = parts.filter { $0.result != .pass && $0.result != .temperror }.flatMap(\.networks).map(\.description)
            let shown = failing.prefix(6).joined(separator: ", ") + (failing.count > 6 ? " and \(failing.count - 6) more" : "")
            return Result(worst: worst, outcome: .fail, findings: [Finding(code: .envelopeSPFNotPassing, severity: .error, target: domain,
                message: "Receivers check SPF for the envelope sender \(path.envelopeFrom), and \(domain) does not authorize the sending addresses \(shown): check_host() gives \(worst.rawValue). Notices fail SPF, and SPF cannot align them with the From domain for DMARC.",
                remediation: path.addressSource == .exLibrisRelays
                    ? "Add the Ex Libris include of the region to the SPF record of \(domain) (as for the From domains), or set Alma's envelope sender to a domain that authorizes the relays."
                    : "Authorize the relay's sending addresses (\(path.sendingAddresses.map(\.description).joined(separator: ", "))) in the SPF record of \(domain).")])
        case .unknown:
            let problem = parts.first { $0.result == .temperror }?.outcome.problem ?? "not every address could be evaluated"
            return Result(worst: worst, outcome: .unknown, findings: [Finding(code: .envelopeSPFNotPassing, severity: .warning, target: domain,
                message: "The SPF of the envelope domain \(domain) got no definite answer: \(problem).",
                remediation: "Check that the name servers of \(domain) answer; the check runs again on the next scan.")])
        }
    }
}
