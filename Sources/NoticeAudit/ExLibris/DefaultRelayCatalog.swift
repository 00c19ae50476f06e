/// The catalog used before any page was fetched: the SPF include names seen in real records for
/// North America and Europe (../shared/domain.md), no invented address, and the other regions
/// marked unconfirmed.
public enum DefaultRelayCatalog {
    public static let source = "embedded default"

    public static let catalog = RelayCatalog(
        regions: [
            .northAmerica: .init(spfInclude: "spf-na.exlibrisgroup.com", includeConfirmed: true, relays: []),
            .europe: .init(spfInclude: "spf-eu.exlibrisgroup.com", includeConfirmed: true, relays: []),
            .asiaPacific: .init(spfInclude: nil, includeConfirmed: false, relays: []),
            .canada: .init(spfInclude: nil, includeConfirmed: false, relays: []),
            .china: .init(spfInclude: nil, includeConfirmed: false, relays: []),
        ],
        lastEdited: nil,
        source: source)
}
