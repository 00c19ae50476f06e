import Synchronization
import Testing
@testable import NoticeAudit

/// A zone whose records change between evaluations, as DNS does between two scans of one process.
private final class ChangingZone: DNSResolver {
    private let zone = Mutex(InMemoryZone())
    /// Whether answers are offered without suspending, as a warm cache does.
    let answersAtHand: Bool

    init(answersAtHand: Bool) {
        self.answersAtHand = answersAtHand
    }

    func publish(_ record: String, at name: String) {
        zone.withLock { zone in
            var fresh = InMemoryZone()
            for other in ["example.edu", "i.example.edu"] where other != name {
                for stored in zone.storedRecords(at: other) { fresh.add(stored, at: other) }
            }
            fresh.addTXT([record], at: name)
            zone = fresh
        }
    }

    func resolve(_ name: String, type: DNSRecordType) async throws -> DNSAnswer {
        let zone = zone.withLock { $0 }
        return try await zone.resolve(name, type: type)
    }

    func answerAtHand(_ name: String, type: DNSRecordType) throws -> DNSAnswer? {
        answersAtHand ? try zone.withLock { try $0.answerAtHand(name, type: type) } : nil
    }
}

@Suite("SPF record cache")
struct SPFRecordCacheTests {
    @Test(arguments: [true, false])
    func aChangedRecordIsUsedAtOnce(answersAtHand: Bool) async throws {
        let zone = ChangingZone(answersAtHand: answersAtHand)
        zone.publish("v=spf1 include:i.example.edu -all", at: "example.edu")
        zone.publish("v=spf1 ip4:192.0.2.0/24 -all", at: "i.example.edu")
        let evaluator = SPFEvaluator(resolver: zone)
        let relay = IPAddress("192.0.2.7")!
        #expect(try await evaluator.checkHost(ip: relay, domain: "example.edu", sender: "a@example.edu").result == .pass)

        zone.publish("v=spf1 ip4:198.51.100.0/24 -all", at: "i.example.edu")
        #expect(try await evaluator.checkHost(ip: relay, domain: "example.edu", sender: "a@example.edu").result == .fail)

        zone.publish("v=spf1 ip4:192.0.2.0/24 -all", at: "i.example.edu")
        #expect(try await evaluator.checkHost(ip: relay, domain: "example.edu", sender: "a@example.edu").result == .pass)

        zone.publish("v=spf1 ip4:192.0.2.0/24 -all bad-term!", at: "i.example.edu")
        #expect(try await evaluator.checkHost(ip: relay, domain: "example.edu", sender: "a@example.edu").result == .permerror)
    }

    /// One cache for the run: each check makes its own evaluator, and the records every institution
    /// includes (the Ex Libris ones) are parsed once, not once per institution (issue 22).
    @Test func evaluatorsShareTheirParsedRecords() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 ip4:192.0.2.0/24 -all"], at: "shared.example.edu")
        let first = SPFEvaluator(resolver: zone), second = SPFEvaluator(resolver: zone)
        #expect(first.recordCache === second.recordCache)
        let answer = try await zone.resolve("shared.example.edu", type: .txt)
        let cache = SPFRecordCache()
        #expect(cache.lookup(answer, at: "shared.example.edu") === cache.lookup(try await zone.resolve("shared.example.edu", type: .txt), at: "shared.example.edu"))
    }

    @Test func manyDomainsKeepTheirOwnRecords() async throws {
        // More domains than the cache has direct-mapped slots, evaluated in a shuffled order twice:
        // no domain may be answered with another's record.
        var zone = InMemoryZone()
        let count = 300
        for index in 0..<count { zone.addTXT(["v=spf1 ip4:10.\(index / 256).\(index % 256).0/24 -all"], at: "d\(index).example.edu") }
        let evaluator = SPFEvaluator(resolver: zone)
        var random = SeededGenerator(seed: 3)
        for index in ((0..<count).map { $0 } + (0..<count).map { $0 }).shuffled(using: &random) {
            let own = IPAddress("10.\(index / 256).\(index % 256).9")!
            let other = IPAddress("10.\((index + 1) / 256).\((index + 1) % 256).9")!
            let domain = "d\(index).example.edu"
            #expect(try await evaluator.checkHost(ip: own, domain: domain, sender: "a@\(domain)").result == .pass)
            #expect(try await evaluator.checkHost(ip: other, domain: domain, sender: "a@\(domain)").result == .fail)
        }
    }

    @Test func anInMemoryZoneHasEveryAnswerAtHand() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 -all"], at: "example.edu")
        zone.add(.cname("example.edu"), at: "alias.example.edu")
        zone.fail("slow.example.edu", with: .timeout)
        for (name, type) in [("example.edu", DNSRecordType.txt), ("ALIAS.example.edu.", .txt), ("example.edu", .a), ("missing.example.edu", .txt)] {
            let atHand = try zone.answerAtHand(name, type: type)
            #expect(atHand == (try await zone.resolve(name, type: type)))
        }
        #expect(throws: DNSLookupError.self) { try zone.answerAtHand("slow.example.edu", type: .txt) }
    }
}

/// Answers every query from a zone, counting the queries, with a fixed TTL.
private final class CountingTransport: DNSTransport {
    let zone: InMemoryZone
    let ttl: UInt32
    let queries = Mutex(0)

    init(zone: InMemoryZone, ttl: UInt32) {
        self.zone = zone
        self.ttl = ttl
    }

    func exchange(_ name: String, type: DNSRecordType) async throws -> DNSResponse {
        queries.withLock { $0 += 1 }
        return DNSResponse(answer: try await zone.resolve(name, type: type), ttl: ttl)
    }
}

@Suite("answers at hand in the DNS cache")
struct CachedAnswerAtHandTests {
    @Test func aCachedAnswerIsAtHandAndAnUncachedOneIsNot() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 -all"], at: "example.edu")
        let transport = CountingTransport(zone: zone, ttl: 300)
        let resolver = CachingDNSResolver(transport: transport)
        #expect(try resolver.answerAtHand("example.edu", type: .txt) == nil)
        let answer = try await resolver.resolve("example.edu", type: .txt)
        #expect(try resolver.answerAtHand("Example.EDU.", type: .txt) == answer)
        #expect(try resolver.answerAtHand("example.edu", type: .a) == nil)
        #expect(transport.queries.withLock { $0 } == 1)
    }

    /// A bounded cache (issue 22: memory flat in the number of institutions): names asked once
    /// make way for new ones, while a name asked again and again (an include every institution
    /// shares) keeps its place.
    @Test func theCacheStaysWithinItsCapacityAndKeepsTheNamesInUse() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 ip4:192.0.2.0/24 -all"], at: "shared.example")
        for index in 0..<40 { zone.addTXT(["v=spf1 -all"], at: "campus\(index).example") }
        let transport = CountingTransport(zone: zone, ttl: 300)
        let resolver = CachingDNSResolver(transport: transport, capacity: 4)
        for index in 0..<40 {
            _ = try await resolver.resolve("shared.example", type: .txt)
            _ = try await resolver.resolve("campus\(index).example", type: .txt)
            #expect(resolver.cachedAnswers <= 4)
        }
        // The shared name was asked once; each campus once.
        #expect(transport.queries.withLock { $0 } == 41)
        #expect(try resolver.answerAtHand("shared.example", type: .txt) != nil)
        #expect(try resolver.answerAtHand("campus0.example", type: .txt) == nil)
        #expect(try resolver.answerAtHand("campus39.example", type: .txt) != nil)
    }

    @Test func anAnswerWithoutTTLIsNeverAtHand() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 -all"], at: "example.edu")
        let resolver = CachingDNSResolver(transport: CountingTransport(zone: zone, ttl: 0))
        _ = try await resolver.resolve("example.edu", type: .txt)
        #expect(try resolver.answerAtHand("example.edu", type: .txt) == nil)
    }

    @Test func anExpiredAnswerIsNotAtHand() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 -all"], at: "example.edu")
        // A clock of the test's own: expiry is decided by time moved, not by time slept.
        let clock = Mutex(ContinuousClock.now)
        let resolver = CachingDNSResolver(transport: CountingTransport(zone: zone, ttl: 300), maximumTTL: .milliseconds(50), now: { clock.withLock { $0 } })
        _ = try await resolver.resolve("example.edu", type: .txt)
        clock.withLock { $0 += .milliseconds(49) }
        #expect(try resolver.answerAtHand("example.edu", type: .txt) != nil)
        clock.withLock { $0 += .milliseconds(2) }
        #expect(try resolver.answerAtHand("example.edu", type: .txt) == nil)
    }
}
