/// One ad-hoc question of the receivers' rules ("what will Gmail do with notices from
/// lib.fsu.edu sent by Ex Libris NA with the default envelope?"), answered with the same checks
/// as the scan: the envelope's SPF from the sending addresses, the DKIM keys of the named
/// selectors, both DMARC readings, and the sending addresses' reverse DNS and listings.
public struct InboxQuestion: Sendable {
    /// Where the notices are sent from.
    public enum Sending: Sendable {
        /// The Ex Libris relays of a region (Alma's own delivery).
        case region(RegionRelaySet)
        /// Given addresses (a campus relay's egress).
        case addresses([IPNetwork])
    }

    public var fromDomain: String
    /// The envelope sender; nil: Alma's default.
    public var envelopeFrom: EmailAddress?
    public var selectors: [String]
    public var senderClass: SenderClass
    public var sending: Sending

    public init(fromDomain: String, envelopeFrom: EmailAddress?, selectors: [String], senderClass: SenderClass, sending: Sending) {
        self.fromDomain = fromDomain
        self.envelopeFrom = envelopeFrom
        self.selectors = selectors
        self.senderClass = senderClass
        self.sending = sending
    }

    /// The matrix, with its findings, through `resolver`.
    public func answer(resolver: any DNSResolver, blocklistZones: [String] = ReputationChecker.defaultZones) async throws -> InboxAssessment {
        let domain = try DomainName.parse(fromDomain).get()
        let region: RegionRelaySet?
        let addresses: [IPNetwork]
        switch sending {
        case .region(let set): (region, addresses) = (set, set.networks)
        case .addresses(let given): (region, addresses) = (nil, given)
        }
        let institution = Institution(id: "adhoc", name: fromDomain, region: region?.region ?? .northAmerica, delivery: region == nil ? .relay : .spf,
                                      senderDomains: [domain], envelopeFrom: envelopeFrom, dkimSelectors: selectors, senderClass: senderClass)
        let path = SendingPath(fromDomains: [domain.name], envelopeFrom: envelopeFrom?.description ?? SendingPath.almaDefaultEnvelope, envelopeAssumed: envelopeFrom == nil,
                               sendingAddresses: addresses, addressSource: region == nil ? .relayEgress : .exLibrisRelays)
        let reputation = ReputationChecker(resolver: resolver, zones: blocklistZones)
        async let keys = DKIMCheck(resolver: resolver).check(fromDomains: path.fromDomains, selectors: selectors)
        async let report = region == nil ? reputation.report(for: addresses) : nil
        async let facts = region.map { set in { try await ExLibrisRegionFacts.check(set, resolver: resolver, reputation: reputation) } }?()
        // Whether the From domain exists, decided once as the scan does (``DomainExistence``).
        async let missing = DomainExistence.missing(path.fromDomains, resolver: resolver)

        let envelope = try await EnvelopeSPFCheck(resolver: resolver).check(path, knowledge: region?.knowledge ?? .complete)
        let envelopeStatus = InboxStatus(envelope.outcome)
        let dmarc = try await DMARCCheck(resolver: resolver).check(path, envelopeSPF: [path.envelopeDomain: envelope.outcome], selectors: selectors, dkim: try await keys)
        let party: InboxParty = path.envelopeIsExLibris ? (region == nil ? .campusRelay : .exLibris) : .institution
        var evidence = InboxAssessment.Evidence(
            institution: institution, path: path, envelopeSPF: envelopeStatus,
            envelopeSPFDetail: envelope.outcome == .pass ? "the SPF of \(path.envelopeDomain) passes from every sending address"
                : envelope.findings.first?.message ?? "the SPF of \(path.envelopeDomain) does not pass from every sending address",
            envelopeParty: party, envelopeFinding: nil, keys: try await keys, dmarc: dmarc,
            reputation: ReputationReport(ranges: [], zones: reputation.zones, unusableZones: [:]), reputationParty: region == nil ? .campusRelay : .exLibris,
            regionInclude: region?.includeConfirmed == true ? region?.include : nil, missingFromDomains: try await missing)
        if let facts = try await facts {
            evidence.reputation = facts.reputation
        } else if let report = await report {
            evidence.reputation = report
        }
        if envelope.outcome != .pass, !path.envelopeIsExLibris { evidence.envelopeFinding = envelope.findings.first }
        return InboxAssessment(evidence)
    }
}
