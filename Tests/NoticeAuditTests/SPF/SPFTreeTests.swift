import Foundation
import Testing
@testable import NoticeAudit

/// `spf --tree`: the evaluator's own walk, going on past the deciding term and past the limits.
@Suite("The whole SPF tree")
struct SPFTreeTests {
    static let cases = RFC7208SuiteTests.cases

    /// The tree is the evaluator's walk: what a receiver checking the case's address gets, read from
    /// the tree, is what check_host() returns (result and both counts), and every question
    /// check_host() asked is among the tree's queries.
    @Test("the tree's receiver is check_host() for every suite test", arguments: cases)
    func treeCountsAreTheEvaluators(_ test: RFC7208SuiteCase) async throws {
        let options = RFC7208SuiteCase.options
        let ip = try #require(IPAddress(test.host))
        let identity = test.identity
        let asked = FetchOnlyResolver(test.zone)
        let outcome = try await SPFEvaluator(resolver: asked, options: options).checkHost(ip: ip, domain: identity.domain, sender: identity.sender, helo: test.helo)
        let tree = try await SPFEvaluator(resolver: test.zone, options: options).tree(of: identity.domain, ip: ip, sender: identity.sender, helo: test.helo)
        #expect(tree.receiver.result == outcome.result, "tree: \(SPFTreeText.full(tree).joined(separator: "\n"))")
        #expect(tree.receiver.lookups == outcome.dnsLookups)
        #expect(tree.receiver.voidLookups == outcome.voidLookups)
        #expect(tree.lookups >= outcome.dnsLookups && tree.voidLookups >= outcome.voidLookups)
        // The explanation's TXT query of a fail is not part of the walk (RFC 7208 §6.2 counts it nowhere).
        if outcome.result != .fail {
            var walked: Set<String> = ["\(DomainName.normalized(identity.domain)) TXT"]
            Self.visit(tree.tree) { term in for query in term.queries { walked.insert("\(query.name) \(query.type.rawValue)") } }
            let missing = Set(asked.questions).subtracting(walked)
            #expect(missing.isEmpty, "asked by check_host() but not in the tree: \(missing.sorted())")
        }
    }

    static func visit(_ node: SPFTree.Node, _ body: (SPFTree.Term) -> Void) {
        for term in node.terms {
            body(term)
            if let child = term.child { visit(child, body) }
        }
    }

    static func tree(_ records: [String: String], domain: String = "example.edu", ip: String = "192.0.2.1", extra: (inout InMemoryZone) -> Void = { _ in }) async throws -> SPFTree {
        var zone = InMemoryZone()
        for (name, record) in records { zone.addTXT([record], at: name) }
        extra(&zone)
        return try await SPFEvaluator(resolver: zone).tree(of: domain, ip: IPAddress(ip)!)
    }

    @Test func theWalkGoesOnPastTheTenthLookupAndSaysWhereTheLimitWasPassed() async throws { // §4.6.4
        let chain = (1...12).map { "include:i\($0).example.edu" }.joined(separator: " ")
        let tree = try await Self.tree(["example.edu": "v=spf1 \(chain) -all"]) { zone in
            for index in 1...12 { zone.addTXT(["v=spf1 ip4:10.0.0.\(index) -all"], at: "i\(index).example.edu") }
        }
        #expect(tree.lookups == 12)
        #expect(tree.limitPassedAt == SPFTree.LimitPassed(limit: "lookups", term: "include:i11.example.edu", domain: "example.edu"))
        #expect(tree.tree.terms.map(\.term) == (1...12).map { "include:i\($0).example.edu" } + ["-all"])
        #expect(tree.tree.terms.compactMap(\.child?.record).count == 12, "every include is followed, the last two past the limit")
        #expect(tree.tree.terms.map(\.lookups) == Array(1...12) + [12])
        #expect(tree.receiver.result == .permerror && tree.receiver.lookups == 11)
        #expect(tree.tree.problems.contains { $0.hasPrefix("include:i11.example.edu: more than 10") })
    }

    @Test func theWalkGoesOnPastTheDecidingTermButTheReceiverStopsThere() async throws { // §4.6.2
        let tree = try await Self.tree(["example.edu": "v=spf1 ip4:192.0.2.0/24 include:other.example.edu a:nx.example.edu -all",
                                        "other.example.edu": "v=spf1 ip4:198.51.100.0/24 -all"])
        #expect(tree.tree.terms.map(\.term) == ["ip4:192.0.2.0/24", "include:other.example.edu", "a:nx.example.edu", "-all"])
        #expect(tree.lookups == 2 && tree.voidLookups == 1)
        #expect(tree.receiver == SPFTree.Receiver(ip: "192.0.2.1", result: .pass, lookups: 0, voidLookups: 0))
        let a = try #require(tree.tree.terms.first { $0.term == "a:nx.example.edu" })
        #expect(a.queries == [SPFTree.Query(name: "nx.example.edu", type: .a, rcode: "NXDOMAIN", answers: [])])
        #expect(a.lookups == 2 && a.voidLookups == 1)
    }

    @Test func anInvalidRecordIsShownAsPublishedWithWhyItIsInvalid() async throws { // §4.6
        let tree = try await Self.tree(["example.edu": "v=spf1 include:bad.example.edu mx -all", "bad.example.edu": "v=spf1 ip4:300.1.1.1 -all"]) { zone in
            zone.add(.mx(preference: 10, exchange: "mail.example.edu"), at: "example.edu")
            zone.add(.a(IPAddress("198.51.100.25")!), at: "mail.example.edu")
        }
        let include = try #require(tree.tree.terms.first?.child)
        #expect(include.record == "v=spf1 ip4:300.1.1.1 -all")
        #expect(include.problems.contains { $0.contains("is invalid") })
        #expect(tree.tree.terms.map(\.term) == ["include:bad.example.edu", "mx", "-all"], "the walk goes on after the invalid include")
        #expect(tree.tree.terms[1].queries.map(\.type) == [.mx, .a])
        #expect(tree.receiver.result == .permerror && tree.receiver.lookups == 1)
    }

    @Test func aLoopIsFollowedUntilTheReceiverStopsThenCut() async throws {
        let tree = try await Self.tree(["example.edu": "v=spf1 include:example.edu -all"])
        #expect(tree.receiver.result == .permerror && tree.receiver.lookups == 11)
        #expect(tree.walkCut?.contains("loop") == true)
        #expect(tree.lookups == 11)
    }

    @Test func aDomainWithoutRecordIsATreeOfOneNode() async throws {
        let tree = try await Self.tree([:], domain: "nothing.example.edu")
        #expect(tree.tree.name == "nothing.example.edu" && tree.tree.record == nil && tree.tree.terms.isEmpty)
        #expect(tree.receiver.result == .none && tree.lookups == 0)
        #expect(tree.tree.problems == ["no such domain (NXDOMAIN)"])
    }

    @Test func theCompactFormShowsOnlyTermsThatAskedDNS() async throws {
        let tree = try await Self.tree(["example.edu": "v=spf1 ip4:192.0.2.0/24 include:other.example.edu -all",
                                        "other.example.edu": "v=spf1 ip4:198.51.100.0/24 -all"])
        #expect(SPFTreeText.compact(tree) == [
            "example.edu: \"v=spf1 ip4:192.0.2.0/24 include:other.example.edu -all\"",
            "  include:other.example.edu (lookups 1, void 0)",
            "    other.example.edu: \"v=spf1 ip4:198.51.100.0/24 -all\"",
            "lookups: 1 of 10, void lookups: 0 of 2",
        ])
    }
}
