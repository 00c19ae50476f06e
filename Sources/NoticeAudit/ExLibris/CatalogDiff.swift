/// What changed between two catalogs, per region.
public struct CatalogDiff: Sendable, Equatable, Codable {
    public struct RegionChange: Sendable, Equatable, Codable {
        public var addedAddresses: [IPNetwork] = []
        public var removedAddresses: [IPNetwork] = []
        public var addedHosts: [String] = []
        public var removedHosts: [String] = []
        public var includeBefore: String?
        public var includeAfter: String?

        public var isEmpty: Bool {
            addedAddresses.isEmpty && removedAddresses.isEmpty && addedHosts.isEmpty && removedHosts.isEmpty && includeBefore == includeAfter
        }
    }

    public var regions: [AlmaRegion: RegionChange]

    public var isEmpty: Bool { regions.values.allSatisfy(\.isEmpty) }

    /// The changes from `old` to `new`; regions without change are left out.
    public init(from old: RelayCatalog, to new: RelayCatalog) {
        var regions: [AlmaRegion: RegionChange] = [:]
        for region in Set(old.regions.keys).union(new.regions.keys) {
            let before = old.regions[region], after = new.regions[region]
            let oldAddresses = Set(before?.addresses ?? []), newAddresses = Set(after?.addresses ?? [])
            let oldHosts = Set(before?.hosts ?? []), newHosts = Set(after?.hosts ?? [])
            let change = RegionChange(
                addedAddresses: newAddresses.subtracting(oldAddresses).sorted(), removedAddresses: oldAddresses.subtracting(newAddresses).sorted(),
                addedHosts: newHosts.subtracting(oldHosts).sorted(), removedHosts: oldHosts.subtracting(newHosts).sorted(),
                includeBefore: before?.spfInclude, includeAfter: after?.spfInclude)
            if !change.isEmpty { regions[region] = change }
        }
        self.regions = regions
    }

    /// One line per change, for people.
    public var lines: [String] {
        regions.keys.sorted().flatMap { region -> [String] in
            let change = regions[region]!
            var lines: [String] = []
            if !change.addedAddresses.isEmpty { lines.append("\(region.code): added \(change.addedAddresses.map(\.description).joined(separator: ", "))") }
            if !change.removedAddresses.isEmpty { lines.append("\(region.code): removed \(change.removedAddresses.map(\.description).joined(separator: ", "))") }
            if change.includeBefore != change.includeAfter {
                lines.append("\(region.code): SPF include \(change.includeBefore ?? "none") → \(change.includeAfter ?? "none")")
            }
            if !change.addedHosts.isEmpty { lines.append("\(region.code): new relay hosts \(change.addedHosts.joined(separator: ", "))") }
            if !change.removedHosts.isEmpty { lines.append("\(region.code): relay hosts gone \(change.removedHosts.joined(separator: ", "))") }
            return lines
        }
    }
}
