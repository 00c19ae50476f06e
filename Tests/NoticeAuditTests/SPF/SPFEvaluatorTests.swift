import Testing
@testable import NoticeAudit

@Suite("check_host() behaviour (RFC 7208)")
struct SPFEvaluatorTests {
    static func check(_ records: [String: String], ip: String = "192.0.2.1", domain: String = "example.edu", extra: (inout InMemoryZone) -> Void = { _ in }) async throws -> SPFOutcome {
        var zone = InMemoryZone()
        for (name, record) in records { zone.addTXT([record], at: name) }
        extra(&zone)
        return try await SPFEvaluator(resolver: zone).checkHost(ip: IPAddress(ip)!, domain: domain, sender: "alma@\(domain)")
    }

    @Test func voidLookupLimitGivesPermerror() async throws { // §4.6.4
        let outcome = try await Self.check(["example.edu": "v=spf1 a:n1.example.edu a:n2.example.edu a:n3.example.edu +all"])
        #expect(outcome.result == .permerror)
        #expect(outcome.voidLookups == 3)
        #expect(outcome.problem?.contains("more than 2 lookups returned no data") == true)
    }

    @Test func eleventhLookupGivesPermerror() async throws { // §4.6.4
        let chain = (0..<11).map { "include:i\($0).example.edu" }.joined(separator: " ")
        let outcome = try await Self.check(["example.edu": "v=spf1 \(chain) -all"]) { zone in
            for index in 0..<11 { zone.addTXT(["v=spf1 ip4:10.0.0.\(index) -all"], at: "i\(index).example.edu") }
        }
        #expect(outcome.result == .permerror)
        #expect(outcome.dnsLookups == 11)
    }

    @Test func splitTXTStringsAreJoinedIntoOneRecord() async throws { // §3.3
        var zone = InMemoryZone()
        let record = "v=spf1 " + (0..<20).map { "ip4:203.0.\($0).0/24" }.joined(separator: " ") + " ip4:192.0.2.0/24 -all"
        let bytes = Array(record.utf8)
        zone.add(.txt([Array(bytes[..<255]), Array(bytes[255...])]), at: "example.edu")
        let outcome = try await SPFEvaluator(resolver: zone).checkHost(ip: IPAddress("192.0.2.9")!, domain: "example.edu", sender: "a@example.edu")
        #expect(record.utf8.count > 300)
        #expect(outcome.result == .pass)
        #expect(outcome.decidingTerm == "ip4:192.0.2.0/24")
    }

    @Test func includeOfTemperrorIsTemperrorAndNoneIsPermerror() async throws { // §5.2
        let temp = try await Self.check(["example.edu": "v=spf1 include:slow.example.edu -all"]) { $0.fail("slow.example.edu", with: .timeout) }
        #expect(temp.result == .temperror)
        let none = try await Self.check(["example.edu": "v=spf1 include:nothing.example.edu -all"])
        #expect(none.result == .permerror)
    }

    @Test func syntaxErrorAfterTheMatchingTermIsStillPermerror() async throws { // §4.6
        let outcome = try await Self.check(["example.edu": "v=spf1 +all ip4:999.0.0.1"])
        #expect(outcome.result == .permerror)
    }

    @Test func explanationComesOnlyWithFailAndNeverChangesTheResult() async throws { // §6.2
        let fail = try await Self.check(["example.edu": "v=spf1 -all exp=why.example.edu", "why.example.edu": "%{i} is not %{d}'s relay"])
        #expect(fail.result == .fail)
        #expect(fail.explanation == "192.0.2.1 is not example.edu's relay")
        let broken = try await Self.check(["example.edu": "v=spf1 -all exp=why.example.edu"]) { $0.fail("why.example.edu", with: .serverFailure) }
        #expect(broken.result == .fail)
        #expect(broken.explanation == "example.edu does not designate 192.0.2.1 as a permitted sender for alma@example.edu")
        let softfail = try await Self.check(["example.edu": "v=spf1 ~all exp=why.example.edu", "why.example.edu": "nope"])
        #expect(softfail.explanation == nil)
    }

    @Test func heloIdentityUsesPostmaster() async throws { // §2.3, §4.3
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 -all exp=e.mail.example.edu"], at: "mail.example.edu")
        zone.addTXT(["%{l}@%{o}"], at: "e.mail.example.edu")
        let outcome = try await SPFEvaluator(resolver: zone).checkHELO(ip: IPAddress("192.0.2.1")!, helo: "mail.example.edu")
        #expect(outcome.explanation == "postmaster@mail.example.edu")
    }

    @Test func ipv4MappedAddressMatchesIPv4Terms() async throws { // §5
        let outcome = try await Self.check(["example.edu": "v=spf1 ip4:192.0.2.0/24 -all"], ip: "::ffff:192.0.2.7")
        #expect(outcome.result == .pass)
    }

    @Test func malformedDomainIsNoneWithoutLookup() async throws { // §4.3
        let outcome = try await Self.check([:], domain: "single-label")
        #expect(outcome.result == .none)
        #expect(outcome.dnsLookups == 0)
    }

    @Test func timeoutOfTheRecordIsTemperrorNotNone() async throws { // §4.4
        let outcome = try await Self.check([:]) { $0.fail("example.edu", with: .timeout) }
        #expect(outcome.result == .temperror)
        #expect(outcome.problem?.contains("timed out") == true)
    }

    @Test func traceShowsTheWayToTheResult() async throws {
        let outcome = try await Self.check(["example.edu": "v=spf1 include:i.example.edu -all", "i.example.edu": "v=spf1 ip4:192.0.2.0/24 -all"])
        #expect(outcome.result == .pass)
        #expect(outcome.decidingTerm == "include:i.example.edu")
        let lines = outcome.trace.map(\.description)
        #expect(lines.contains("  i.example.edu: ip4:192.0.2.0/24 matched: pass"))
        #expect(lines.last == "example.edu: include:i.example.edu matched: pass")
    }
}
