import Foundation
import Testing
@testable import NoticeAudit

@Suite("Ex Libris relay page parser (libxml2)")
struct RelayPageParserTests {
    static func page(_ name: String) throws -> [UInt8] {
        let url = CommandRunner.packageRoot.appendingPathComponent("Tests/Lab/pages/exlibris/\(name)")
        return Array(try Data(contentsOf: url))
    }

    @Test func readsTheTableOfEveryRegion() throws {
        let catalog = try RelayPageParser.parse(try Self.page("v1.html"), source: "v1")
        #expect(Set(catalog.regions.keys) == Set(AlmaRegion.allCases))
        let na = try #require(catalog.regions[.northAmerica])
        #expect(na.spfInclude == "spf-na.exlibrisgroup.com")
        #expect(na.addresses.map(\.description) == ["192.0.2.16/28", "198.51.100.7/32"])
        #expect(na.hosts == ["mail-relay-na1.exlibris.test", "mail-relay-na2.exlibris.test"])
        #expect(catalog.regions[.europe]?.addresses.map(\.description) == ["203.0.113.10/32", "203.0.113.11/32"])
        #expect(catalog.regions[.europe]?.relays.first?.host == "mail-relay-eu1.exlibris.test")
        #expect(catalog.lastEdited == "12-Mar-2025")
    }

    @Test func readsReorderedColumnsRowspansAndNonBreakingSpaces() throws {
        let catalog = try RelayPageParser.parse(try Self.page("extra-columns.html"), source: "extra")
        let na = try #require(catalog.regions[.northAmerica])
        #expect(na.addresses.map(\.description) == ["192.0.2.16/28", "198.51.100.7/32"])
        #expect(na.spfInclude == "spf-na.exlibrisgroup.com")
        #expect(na.hosts == ["mail-relay-na1.exlibris.test", "mail-relay-na2.exlibris.test", "mail-relay-na3.exlibris.test"])
        #expect(catalog.regions[.europe]?.addresses.count == 2)
        #expect(catalog.regions[.europe]?.spfInclude == "spf-eu.exlibrisgroup.com")
    }

    @Test func readsAListInsteadOfATable() throws {
        let catalog = try RelayPageParser.parse(try Self.page("list.html"), source: "list")
        #expect(catalog.regions[.northAmerica]?.addresses.map(\.description) == ["192.0.2.16/28", "198.51.100.7/32"])
        #expect(catalog.regions[.northAmerica]?.spfInclude == "spf-na.exlibrisgroup.com")
        #expect(catalog.regions[.europe]?.spfInclude == "spf-eu.exlibrisgroup.com")
    }

    @Test func missingSectionFailsLoudly() throws {
        #expect { try RelayPageParser.parse(try Self.page("missing-section.html"), source: "missing") } throws: { error in
            (error as? RelayPageError)?.description.contains("has no \"Mail Relay Gateways\" section") == true
        }
    }

    @Test func sectionWithoutAddressesFailsLoudly() throws {
        #expect { try RelayPageParser.parse(try Self.page("no-addresses.html"), source: "empty") } throws: { error in
            (error as? RelayPageError)?.description.contains("lists no IP address") == true
        }
    }

    @Test func garbageIsAnErrorNotACrash() {
        var random = SeededGenerator(seed: 5)
        for _ in 0..<300 {
            let bytes = (0..<Int.random(in: 0..<2000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(throws: RelayPageError.self) { try RelayPageParser.parse(bytes, source: "random") }
        }
    }

    @Test(arguments: [("North America", AlmaRegion.northAmerica), ("EU (Amsterdam)", .europe), ("APAC - Singapore", .asiaPacific), ("Canada", .canada), ("CN", .china), ("Data center", nil)])
    func regionNamesMapToCodes(text: String, region: AlmaRegion?) {
        #expect(RelayPageParser.region(in: text) == region)
    }
}
