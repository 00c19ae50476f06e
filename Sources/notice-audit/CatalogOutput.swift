import Foundation
import NoticeAudit

/// The JSON shape of a catalog: `regions: {CODE: {spf_include, relays: [{host, addresses}]}}`.
struct CatalogOutput: Encodable {
    struct Region: Encodable {
        @NullWhenAbsent var spfInclude: String?
        var includeConfirmed: Bool
        var relays: [Relay]
    }

    struct Relay: Encodable {
        @NullWhenAbsent var host: String?
        var addresses: [String]
    }

    var regions: [String: Region]
    var source: String
    var lastEdited: String?

    init(_ catalog: RelayCatalog) {
        regions = Dictionary(uniqueKeysWithValues: catalog.regions.map { region, entry in
            (region.code, Region(spfInclude: entry.spfInclude, includeConfirmed: entry.includeConfirmed,
                                 relays: entry.relays.map { Relay(host: $0.host, addresses: $0.addresses.map(\.description)) }))
        })
        source = catalog.source
        lastEdited = catalog.lastEdited
    }

    /// Lines for people.
    static func lines(_ catalog: RelayCatalog) -> [String] {
        var lines = ["source: \(catalog.source)" + (catalog.lastEdited.map { " (article last edited \($0))" } ?? "")]
        for region in catalog.regions.keys.sorted() {
            let entry = catalog.regions[region]!
            let include = entry.spfInclude.map { entry.includeConfirmed ? $0 : "\($0) (unconfirmed)" } ?? (entry.includeConfirmed ? "none published" : "not known")
            lines.append("\(region.code) \(region.displayName): SPF include \(include)")
            for relay in entry.relays {
                lines.append("    \(relay.host ?? "(no host name)")\(relay.addresses.isEmpty ? "" : ": " + relay.addresses.map(\.description).joined(separator: ", "))")
            }
            if entry.relays.isEmpty { lines.append("    no relay addresses known") }
        }
        return lines
    }
}

/// The JSON shape of a diff: `{CODE: {added, removed, include_before, include_after, ...}}`.
struct DiffOutput: Encodable {
    struct Region: Encodable {
        var added: [String]
        var removed: [String]
        var addedHosts: [String]
        var removedHosts: [String]
        var includeBefore: String?
        var includeAfter: String?
        enum CodingKeys: String, CodingKey {
            case added, removed, addedHosts = "added_hosts", removedHosts = "removed_hosts", includeBefore = "include_before", includeAfter = "include_after"
        }
    }

    var regions: [String: Region]

    init(_ diff: CatalogDiff) {
        regions = Dictionary(uniqueKeysWithValues: diff.regions.map { region, change in
            (region.code, Region(
                added: change.addedAddresses.map(\.description), removed: change.removedAddresses.map(\.description),
                addedHosts: change.addedHosts, removedHosts: change.removedHosts, includeBefore: change.includeBefore, includeAfter: change.includeAfter))
        })
    }
}

extension Date {
    /// ISO 8601 with offset, as every timestamp notice-audit prints.
    var iso8601: String { UTCTime.iso8601(self) }
}
