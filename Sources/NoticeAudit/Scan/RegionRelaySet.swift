/// The relay addresses of one region, as the verdict rules define them: the union of the page's
/// addresses (last good snapshot) and those the region's include authorizes when expanded
/// through DNS (../shared/domain.md).
public struct RegionRelaySet: Sendable {
    public var region: AlmaRegion
    public var include: String?
    public var includeConfirmed: Bool
    public var networks: [IPNetwork]
    public var includeNetworks: [IPNetwork]
    /// What could not be read (page missing, include not expanded), temporary problems included.
    public var problems: [String]
    /// The temporary DNS errors of the include's expansion: while there is one, the set is incomplete.
    public var temporaryProblems: [String] = []
    /// The comparison of the page with the include; only made when the expansion was complete.
    public var crossCheck: CatalogCrossCheck?


    /// What the scanner knows of the set (../shared/domain.md, "Relay set of a region").
    public var knowledge: RelaySetKnowledge {
        if networks.isEmpty { return .empty }
        return temporaryProblems.isEmpty ? .complete : .incomplete
    }

    /// Builds the set for `region` from the catalog and DNS.
    public static func build(region: AlmaRegion, catalog: RelayCatalog, expander: IncludeExpander) async throws -> RegionRelaySet {
        let entry = catalog.regions[region]
        let page = entry?.addresses ?? []
        var problems: [String] = []
        var includeNetworks: [IPNetwork] = []
        var crossCheck: CatalogCrossCheck?
        var temporary: [String] = []
        if page.isEmpty { problems.append("the Ex Libris page lists no address for \(region.displayName) (catalog: \(catalog.source))") }
        if let include = entry?.spfInclude, entry?.includeConfirmed == true {
            let expansion = try await expander.expand(include)
            includeNetworks = expansion.networks
            problems += expansion.problems + expansion.temporaryErrors
            temporary = expansion.temporaryErrors
            if !page.isEmpty, expansion.isComplete {
                crossCheck = CatalogCrossCheck(region: region, include: include, page: page, expansion: expansion)
            }
        } else {
            problems.append("the SPF include entry of \(region.displayName) is not confirmed")
        }
        let union = Set(page).union(includeNetworks)
        // Keep only networks not covered by another one, so no address is checked twice.
        let networks = union.filter { network in !union.contains { $0 != network && $0.covers(network) } }.sorted()
        return RegionRelaySet(
            region: region, include: entry?.spfInclude, includeConfirmed: entry?.includeConfirmed ?? false, networks: networks,
            includeNetworks: includeNetworks, problems: problems, temporaryProblems: temporary, crossCheck: crossCheck)
    }
}
