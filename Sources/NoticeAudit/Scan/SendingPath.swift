/// The path an institution's notices take, as receivers see it (../shared/domain.md, "What is
/// checked"): built once per institution and run, and used by every check.
///
/// - From domains: the domains of `from_addresses` plus `sender_domains`, the same set for SPF,
///   DMARC, DKIM and the receivers' rules.
/// - Envelope (RFC 5321 `MAIL FROM`, the Return-Path): `envelope_from`, else Alma's default
///   `alma@exlibrisgroup.com`, said with `ENVELOPE_DEFAULT_ASSUMED`. Receivers evaluate SPF for its
///   domain (RFC 7208 §2.4), not for the `From` domain.
/// - Sending addresses: for `delivery: spf` the relay set of the region; for `delivery: relay` the
///   campus relay's `egress_addresses`, else the relay host's own A/AAAA addresses (`EGRESS_ASSUMED`).
public struct SendingPath: Sendable, Equatable, Codable {
    /// Alma's envelope sender when the Mail Handling profile sets none.
    public static let almaDefaultEnvelope = "alma@exlibrisgroup.com"
    /// The domain of Alma's default envelope: its SPF is a vendor-side fact.
    public static let exLibrisDomain = "exlibrisgroup.com"

    /// Where the sending addresses come from.
    public enum AddressSource: String, Sendable, Codable {
        /// The Ex Libris relay set of the institution's region.
        case exLibrisRelays = "exlibris_relays"
        /// The campus relay's `egress_addresses` from the inventory.
        case relayEgress = "relay_egress"
        /// The campus relay host's own A/AAAA addresses, assumed to be where it sends from.
        case relayHost = "relay_host"
    }

    public var fromDomains: [String]
    /// The envelope sender address (`alma@exlibrisgroup.com` when assumed).
    public var envelopeFrom: String
    public var envelopeDomain: String
    /// True when the inventory gives no `envelope_from` and Alma's default is assumed.
    public var envelopeAssumed: Bool
    public var sendingAddresses: [IPNetwork]
    public var addressSource: AddressSource
    /// Why the sending addresses could not be found (the relay host did not resolve); nil when they were.
    public var addressProblem: String?

    /// True when the envelope domain is Ex Libris's own (Alma's default).
    public var envelopeIsExLibris: Bool { envelopeDomain == Self.exLibrisDomain }

    /// True when the sending addresses were assumed rather than given.
    public var addressesAssumed: Bool { addressSource == .relayHost }

    public init(fromDomains: [String], envelopeFrom: String, envelopeAssumed: Bool, sendingAddresses: [IPNetwork], addressSource: AddressSource,
                addressProblem: String? = nil) {
        self.fromDomains = fromDomains
        self.envelopeFrom = envelopeFrom
        self.envelopeDomain = DomainName.normalized(String(envelopeFrom.split(separator: "@").last ?? ""))
        self.envelopeAssumed = envelopeAssumed
        self.sendingAddresses = sendingAddresses
        self.addressSource = addressSource
        self.addressProblem = addressProblem
    }

    /// The path of `institution`: `relays` for SPF delivery, the relay's egress (or its resolved
    /// host) for relay delivery. A relay host that does not resolve leaves the addresses empty and
    /// says why.
    public static func of(_ institution: Institution, relays: RegionRelaySet, resolver: any DNSResolver) async throws -> SendingPath {
        let fromDomains = institution.senderDomains.map(\.name)
        let envelope = institution.envelopeFrom?.description ?? almaDefaultEnvelope
        let assumed = institution.envelopeFrom == nil
        guard institution.delivery == .relay, let relay = institution.relay else {
            return SendingPath(fromDomains: fromDomains, envelopeFrom: envelope, envelopeAssumed: assumed, sendingAddresses: relays.networks, addressSource: .exLibrisRelays)
        }
        if !relay.egressAddresses.isEmpty {
            return SendingPath(fromDomains: fromDomains, envelopeFrom: envelope, envelopeAssumed: assumed, sendingAddresses: relay.egressAddresses, addressSource: .relayEgress)
        }
        if let literal = IPAddress(relay.host) {
            return SendingPath(fromDomains: fromDomains, envelopeFrom: envelope, envelopeAssumed: assumed, sendingAddresses: [IPNetwork(host: literal)], addressSource: .relayHost)
        }
        var addresses: [IPNetwork] = []
        var problem: String?
        do {
            addresses = try await resolver.addresses(of: relay.host).map(IPNetwork.init(host:))
            if addresses.isEmpty { problem = "\(relay.host) has no A or AAAA record" }
        } catch let error as DNSLookupError {
            problem = "\(relay.host) could not be resolved: \(error)"
        }
        return SendingPath(fromDomains: fromDomains, envelopeFrom: envelope, envelopeAssumed: assumed, sendingAddresses: addresses.sorted(), addressSource: .relayHost,
                           addressProblem: problem)
    }

    /// The info findings that say what was assumed (`ENVELOPE_DEFAULT_ASSUMED`, `EGRESS_ASSUMED`).
    public func assumptionFindings(institution: Institution) -> [Finding] {
        var findings: [Finding] = []
        if envelopeAssumed {
            findings.append(Finding(code: .envelopeDefaultAssumed, severity: .info, target: institution.id,
                message: "The inventory gives no envelope sender, so Alma's default \(envelopeFrom) is assumed: receivers check SPF for \(envelopeDomain), which does not align with \(fromDomains.joined(separator: ", ")) for DMARC.",
                remediation: "Coordinator: look up the envelope sender in the institution's Alma Mail Handling integration profile and set \"envelope_from\" in the inventory."))
        }
        if addressSource == .relayHost, let relay = institution.relay {
            let seen = sendingAddresses.isEmpty ? "none could be found (\(addressProblem ?? "no address"))" : sendingAddresses.map(\.description).joined(separator: ", ")
            findings.append(Finding(code: .egressAssumed, severity: .info, target: relay.host,
                message: "The inventory gives no egress_addresses for the relay \(relay.host), so its own addresses are assumed to be where it sends from: \(seen).",
                remediation: "Coordinator: ask campus IT which addresses the relay sends to the internet from and set \"egress_addresses\" of the relay in the inventory."))
        }
        return findings
    }
}
