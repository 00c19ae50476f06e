/// How an institution's Alma notices reach patrons' mail servers. Alma allows one Mail Handling
/// integration, so the two methods exclude each other.
public enum DeliveryMethod: String, Sendable, CaseIterable, Codable {
    /// Alma sends from the Ex Libris relays; the sender domains' SPF records must authorize them.
    case spf
    /// Alma hands every notice to the institution's own SMTP relay.
    case relay
}

/// Where the password of a relay account is found. The inventory never holds the password itself.
public enum CredentialSource: Sendable, Equatable {
    /// The name of an environment variable holding the password.
    case environment(String)
    /// The path of a file whose content (without a trailing newline) is the password.
    case file(String)
}

/// An institution's own SMTP relay, as campus IT described it to the consortium.
public struct RelayConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var security: RelaySecurity
    public var username: String?
    public var credential: CredentialSource?
    /// Campus IT confirmed that the relay lets the scanner's address in (`admits_scanner`): only
    /// then is a refused or unreachable relay proof of a fault (../shared/domain.md, vantage point).
    public var admitsScanner: Bool
    /// The addresses the relay sends from (`egress_addresses`); empty: the relay host's own addresses are assumed.
    public var egressAddresses: [IPNetwork]

    public init(host: String, port: Int, security: RelaySecurity, username: String? = nil, credential: CredentialSource? = nil, admitsScanner: Bool = false,
                egressAddresses: [IPNetwork] = []) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.credential = credential
        self.admitsScanner = admitsScanner
        self.egressAddresses = egressAddresses
    }
}

/// One member institution of the consortium, with every default applied.
public struct Institution: Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var almaCode: String?
    public var region: AlmaRegion
    public var delivery: DeliveryMethod
    /// The letter `From:` addresses Alma uses for this institution.
    public var fromAddresses: [EmailAddress]
    /// The sender domains: those of `fromAddresses` plus the inventory's `sender_domains`, without
    /// duplicates, in inventory order.
    public var senderDomains: [DomainName]
    public var relay: RelayConfiguration?
    /// The envelope sender (Return-Path) the inventory names; nil: not given, and Alma's default
    /// (``SendingPath/almaDefaultEnvelope``) is assumed.
    public var envelopeFrom: EmailAddress?
    /// The DKIM selectors Alma signs with for the From domains (`dkim_selectors`); empty: none.
    public var dkimSelectors: [String]
    /// Bulk (the default) or standard sender at Gmail, Yahoo, Outlook.com and iCloud (`sender_class`).
    public var senderClass: SenderClass

    public init(
        id: String, name: String, almaCode: String? = nil, region: AlmaRegion, delivery: DeliveryMethod,
        fromAddresses: [EmailAddress] = [], senderDomains: [DomainName], relay: RelayConfiguration? = nil,
        envelopeFrom: EmailAddress? = nil, dkimSelectors: [String] = [], senderClass: SenderClass = .bulk
    ) {
        self.id = id
        self.name = name
        self.almaCode = almaCode
        self.region = region
        self.delivery = delivery
        self.fromAddresses = fromAddresses
        self.senderDomains = senderDomains
        self.relay = relay
        self.envelopeFrom = envelopeFrom
        self.dkimSelectors = dkimSelectors
        self.senderClass = senderClass
    }
}

/// The consortium's list of institutions, loaded from `inventory.json`.
public struct Inventory: Sendable, Equatable {
    public var consortium: String
    public var institutions: [Institution]
    /// The addresses the scanner connects from (`scanner.egress_addresses`): what campus IT must
    /// admit for the relay probe to prove anything; empty when the inventory does not say.
    public var scannerAddresses: [IPNetwork]
    /// The DNS blocklist zones asked for every sending address (`reputation.dnsbl`); empty turns
    /// blocklists off.
    public var blocklistZones: [String]
    /// Where the consortium collects the members' DMARC aggregate reports (`feedback.rua_address`).
    public var reportAddress: EmailAddress?

    public init(consortium: String, institutions: [Institution], scannerAddresses: [IPNetwork] = [], blocklistZones: [String] = ReputationChecker.defaultZones,
                reportAddress: EmailAddress? = nil) {
        self.consortium = consortium
        self.institutions = institutions
        self.scannerAddresses = scannerAddresses
        self.blocklistZones = blocklistZones
        self.reportAddress = reportAddress
    }

    /// The institution with that id, if any.
    public func institution(id: String) -> Institution? {
        institutions.first { $0.id == id }
    }
}
