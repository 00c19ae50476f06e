/// The Ex Libris mail relays per Alma region, as published on the Knowledge Center page (or the
/// embedded default when no page was ever fetched).
public struct RelayCatalog: Sendable, Equatable, Codable {
    /// One mail relay: its host name when the page gives one, and its addresses.
    public struct Relay: Sendable, Equatable, Codable {
        public var host: String?
        public var addresses: [IPNetwork]

        public init(host: String?, addresses: [IPNetwork]) {
            self.host = host
            self.addresses = addresses
        }
    }

    /// What one region publishes.
    public struct Region: Sendable, Equatable, Codable {
        /// The region's SPF include entry, e.g. `spf-na.exlibrisgroup.com`.
        public var spfInclude: String?
        /// False when the include name is not confirmed by a source (the embedded default for
        /// regions whose name is not known): reports must not present it as fact.
        public var includeConfirmed: Bool
        public var relays: [Relay]

        public init(spfInclude: String?, includeConfirmed: Bool = true, relays: [Relay]) {
            self.spfInclude = spfInclude
            self.includeConfirmed = includeConfirmed
            self.relays = relays
        }

        /// Every published address of the region, sorted, without duplicates.
        public var addresses: [IPNetwork] { Array(Set(relays.flatMap(\.addresses))).sorted() }
        public var hosts: [String] { Array(Set(relays.compactMap(\.host))).sorted() }
    }

    public var regions: [AlmaRegion: Region]
    /// The page's "Article last edited" date as written (`12-Mar-2025`).
    public var lastEdited: String?
    /// Where the catalog came from: the page URL, or "embedded default".
    public var source: String

    public init(regions: [AlmaRegion: Region], lastEdited: String? = nil, source: String) {
        self.regions = regions
        self.lastEdited = lastEdited
        self.source = source
    }
}

extension AlmaRegion: CodingKeyRepresentable {}

extension IPNetwork: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let network = IPNetwork(cidr: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a CIDR network: \(text)"))
        }
        self = network
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
