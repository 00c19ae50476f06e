import Testing
@testable import NoticeAudit

/// ../shared/domain.md, "Remediation": a fix is evaluated before it is shown, never repeats the
/// record already published, and says what to decide when no record can simply be published.
@Suite("SPF remedies")
struct SPFRemedyTests {
    static let relays = [IPNetwork(cidr: "192.0.2.16/28")!, IPNetwork(cidr: "198.51.100.7/32")!]
    static let include = "spf-na.exlibrisgroup.com"

    /// The region's include as Ex Libris publishes it in this world, `extra` terms added.
    static func zone(include text: String = "v=spf1 ip4:192.0.2.16/28 ip4:198.51.100.7 -all") -> InMemoryZone {
        var zone = InMemoryZone()
        zone.addTXT([text], at: include)
        return zone
    }

    static func plan(_ zone: InMemoryZone, domain: String, failing: [IPNetwork] = relays) async throws -> SPFRemedy {
        let audit = try await SPFRecordAuditor(resolver: zone).audit(domain: domain, requiredInclude: include)
        return try await SPFRemedyPlanner(resolver: zone).plan(domain: domain, sender: "a@\(domain)", relays: relays, failing: failing, include: include, audit: audit)
    }

    /// Evaluates a remedy's record with the zone as seen: every relay address must pass.
    static func passes(_ record: String, at domain: String, in zone: InMemoryZone) async throws -> Bool {
        let overlay = RecordOverlayResolver(base: zone, name: domain, record: record)
        let coverages = try await SPFEvaluator(resolver: overlay).coverage(ranges: relays, domain: domain, sender: "a@\(domain)")
        return coverages.allSatisfy { $0.worstResult == .pass } && coverages.allSatisfy { $0.maximumDNSLookups <= 10 }
    }

    @Test func aMissingIncludeGetsARecordThatPassesWhenEvaluated() async throws {
        var zone = Self.zone()
        zone.addTXT(["v=spf1 ip4:203.0.113.0/24 -all"], at: "missing.edu")
        let remedy = try await Self.plan(zone, domain: "missing.edu")
        guard case .publish(let record) = remedy else { Issue.record("\(remedy)"); return }
        #expect(record == "v=spf1 ip4:203.0.113.0/24 include:spf-na.exlibrisgroup.com -all")
        #expect(try await Self.passes(record, at: "missing.edu", in: zone))
    }

    @Test func anIncompleteIncludeGetsTheExactMissingTermsAsAStopgap() async throws {
        var zone = Self.zone(include: "v=spf1 ip4:192.0.2.16/28 -all")
        zone.addTXT(["v=spf1 include:spf-na.exlibrisgroup.com -all"], at: "gap.edu")
        let remedy = try await Self.plan(zone, domain: "gap.edu", failing: [IPNetwork(cidr: "198.51.100.7/32")!])
        guard case .includeIncomplete(let missing, let terms, let stopgap) = remedy else { Issue.record("\(remedy)"); return }
        #expect(missing == [IPNetwork(cidr: "198.51.100.7/32")!])
        #expect(terms == ["ip4:198.51.100.7/32"])
        #expect(stopgap == "v=spf1 include:spf-na.exlibrisgroup.com ip4:198.51.100.7/32 -all")
        #expect(try await Self.passes(stopgap, at: "gap.edu", in: zone))
    }

    @Test func overTheLookupLimitNoRecordIsRecommendedAndTheTermsAreCosted() async throws {
        var zone = Self.zone()
        for index in 0..<10 { zone.addTXT(["v=spf1 a:host\(index).example -all"], at: "inc\(index).example") }
        let terms = (0..<10).map { "include:inc\($0).example" }.joined(separator: " ")
        zone.addTXT(["v=spf1 \(terms) include:spf-na.exlibrisgroup.com -all"], at: "toomany.edu")
        let remedy = try await Self.plan(zone, domain: "toomany.edu")
        guard case .decide(let advice) = remedy else { Issue.record("\(remedy)"); return }
        #expect(advice.contains("needs 21 DNS lookups where receivers allow 10"), "\(advice)")
        #expect(advice.contains("include:inc0.example (2)"), "\(advice)")
        #expect(!advice.contains("v=spf1 \(terms) include:spf-na.exlibrisgroup.com -all"), "never the record already published")
    }

    @Test func anInvalidRecordIsShownAsItIs() async throws {
        var zone = Self.zone()
        zone.addTXT(["v=spf1 ip4:192.0.2.300 -all"], at: "broken.edu")
        let remedy = try await Self.plan(zone, domain: "broken.edu")
        guard case .decide(let advice) = remedy else { Issue.record("\(remedy)"); return }
        #expect(advice.contains("(v=spf1 ip4:192.0.2.300 -all)"), "\(advice)")
    }

    @Test func noRecordGetsOneThatPasses() async throws {
        let zone = Self.zone()
        let remedy = try await Self.plan(zone, domain: "nospf.edu")
        guard case .publish(let record) = remedy else { Issue.record("\(remedy)"); return }
        #expect(try await Self.passes(record, at: "nospf.edu", in: zone))
    }

    @Test func aRecordThatStaysFailingIsNotRecommended() async throws {
        var zone = Self.zone()
        // redirect= is ignored once 'all' is there; an earlier -all before the include means the
        // include inserted before 'all' cannot help when the record ends on a failing exists.
        zone.addTXT(["v=spf1 -ip4:192.0.2.16/28 -ip4:198.51.100.7 ~all"], at: "deny.edu")
        let remedy = try await Self.plan(zone, domain: "deny.edu")
        guard case .decide(let advice) = remedy else { Issue.record("\(remedy)"); return }
        #expect(advice.contains("is not enough for deny.edu"), "\(advice)")
    }
}
