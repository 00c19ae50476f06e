import Synchronization
import Testing
@testable import NoticeAudit

/// A random SPF world: a zone with a record tree, and the range to check against it.
struct GeneratedSPFWorld: CustomTestStringConvertible, Sendable {
    var seed: UInt64
    var ipv6: Bool
    var zone = InMemoryZone()
    var range: IPNetwork
    var records: [String] = []

    var testDescription: String { "seed \(seed) \(ipv6 ? "IPv6" : "IPv4")" }

    static let domain = "r0.test.example"

    init(seed: UInt64, ipv6: Bool) {
        self.seed = seed
        self.ipv6 = ipv6
        var random = SeededGenerator(seed: seed &* 7919 &+ (ipv6 ? 1 : 0))
        range = ipv6 ? IPNetwork(cidr: "2001:db8::100/120")! : IPNetwork(cidr: "198.51.100.0/24")!
        let base = range.firstBits
        func address() -> IPAddress {
            let offset = Int.random(in: -64...320, using: &random)
            return range.address.withBits(offset < 0 ? base - UInt128(-offset) : base + UInt128(offset))
        }
        func prefix() -> Int { ipv6 ? Int.random(in: 118...128, using: &random) : Int.random(in: 22...32, using: &random) }
        func addAddress(at name: String) {
            let value = address()
            zone.add(ipv6 ? .aaaa(value) : .a(value), at: name)
        }
        for host in 0..<5 {
            for _ in 0..<Int.random(in: 0...3, using: &random) { addAddress(at: "h\(host).test.example") }
        }
        for mx in 0..<3 {
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                zone.add(.mx(preference: UInt16.random(in: 0...20, using: &random), exchange: "h\(Int.random(in: 0..<5, using: &random)).test.example"), at: "m\(mx).test.example")
            }
        }
        zone.add(.a(.v4(0x7F00_0002)), at: "e0.test.example")
        for _ in 0..<6 { zone.add(.a(.v4(0x7F00_0002)), at: "\(address().spfMacroForm).list.test.example") }
        for _ in 0..<4 {
            let host = address()
            zone.add(.ptr("ptr\(host.bits % 7).test.example"), at: host.reverseLookupName)
            zone.add(ipv6 ? .aaaa(host) : .a(host), at: "ptr\(host.bits % 7).test.example")
        }
        let recordCount = Int.random(in: 1...4, using: &random)
        for index in 0..<recordCount {
            if Bool.random(using: &random) { addAddress(at: "r\(index).test.example") }
            var terms: [String] = []
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                let qualifier = ["", "-", "~", "?", "+"].randomElement(using: &random)!
                let cidr = Bool.random(using: &random) ? "" : (ipv6 ? "//\(Int.random(in: 112...128, using: &random))" : "/\(Int.random(in: 24...32, using: &random))")
                let term: String
                switch Int.random(in: 0..<12, using: &random) {
                case 0...3:
                    let network = IPNetwork(address: address(), prefixLength: prefix())!
                    term = "\(ipv6 ? "ip6" : "ip4"):\(network)"
                case 4: term = "a:h\(Int.random(in: 0..<5, using: &random)).test.example\(cidr)"
                case 5: term = "a\(cidr)"
                case 6: term = "mx:m\(Int.random(in: 0..<3, using: &random)).test.example\(cidr)"
                case 7 where index + 1 < recordCount: term = "include:r\(Int.random(in: (index + 1)..<recordCount, using: &random)).test.example"
                case 8: term = "exists:e\(Int.random(in: 0..<2, using: &random)).test.example"
                case 9: term = "exists:%{ir}.list.test.example"
                case 10: term = "ptr:test.example"
                default:
                    let network = IPNetwork(address: address(), prefixLength: prefix())!
                    term = "\(ipv6 ? "ip6" : "ip4"):\(network)"
                }
                terms.append(qualifier + term)
            }
            let ending = Int.random(in: 0..<10, using: &random)
            if ending < 6 {
                terms.append(["-all", "~all", "?all", "+all"].randomElement(using: &random)!)
            } else if ending < 8 && index + 1 < recordCount {
                terms.append("redirect=r\(Int.random(in: (index + 1)..<recordCount, using: &random)).test.example")
            }
            let record = "v=spf1 " + terms.joined(separator: " ")
            records.append(record)
            zone.addTXT([record], at: "r\(index).test.example")
        }
    }
}

@Suite("SPF range coverage")
struct SPFCoverageTests {
    static let worlds = (0..<120).flatMap { [GeneratedSPFWorld(seed: UInt64($0), ipv6: false), GeneratedSPFWorld(seed: UInt64($0), ipv6: true)] }

    @Test("coverage agrees with evaluating every address", arguments: worlds)
    func coverageAgreesWithBruteForce(_ world: GeneratedSPFWorld) async throws {
        let evaluator = SPFEvaluator(resolver: world.zone)
        let sender = "alma@\(GeneratedSPFWorld.domain)"
        let coverage = try #require(try await evaluator.coverage(ranges: [world.range], domain: GeneratedSPFWorld.domain, sender: sender).first)
        #expect(coverage.sampledNetworks.isEmpty)
        var expected: [SPFResult] = []
        var address = world.range.firstBits
        while address <= world.range.lastBits {
            expected.append(try await evaluator.checkHost(ip: world.range.address.withBits(address), domain: GeneratedSPFWorld.domain, sender: sender).result)
            address += 1
        }
        var actual: [SPFResult] = []
        for part in coverage.parts {
            actual += Array(repeating: part.result, count: Int(part.last.bits - part.first.bits + 1))
        }
        #expect(actual == expected, "records: \(world.records)")
        #expect(coverage.parts.first?.first == world.range.address)
        #expect(coverage.parts.last?.last == world.range.last)
    }

    @Test func generatedRecordsAreNumerousAndVaried() {
        let records = Self.worlds.flatMap(\.records)
        #expect(records.count >= 200)
        for mechanism in ["ip4:", "ip6:", "a:", "mx:", "include:", "redirect=", "exists:%{ir}", "ptr:"] {
            #expect(records.contains { $0.contains(mechanism) }, "no generated record uses \(mechanism)")
        }
    }

    @Test func rangeIsCutExactlyAtTermBoundaries() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 ip4:192.0.2.0/25 ~ip4:192.0.2.128/26 -all"], at: "example.edu")
        let coverage = try #require(try await SPFEvaluator(resolver: zone).coverage(ranges: [IPNetwork(cidr: "192.0.2.0/23")!], domain: "example.edu", sender: "a@example.edu").first)
        let byResult = coverage.networksByResult
        #expect(byResult[.pass]?.map(\.description) == ["192.0.2.0/25"])
        #expect(byResult[.softfail]?.map(\.description) == ["192.0.2.128/26"])
        #expect(byResult[.fail]?.map(\.description) == ["192.0.2.192/26", "192.0.3.0/24"])
        #expect(coverage.evaluations == 3)
        #expect(coverage.worstResult == .fail)
    }

    @Test func addressDependentLargeRangesAreSampledAndSaySo() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 exists:%{i}.allow.example.edu -all"], at: "example.edu")
        zone.add(.a(.v4(0x7F00_0002)), at: "10.0.0.0.allow.example.edu")
        let evaluator = SPFEvaluator(resolver: zone)
        let large = try #require(try await evaluator.coverage(ranges: [IPNetwork(cidr: "10.0.0.0/16")!], domain: "example.edu", sender: "a@example.edu").first)
        #expect(!large.sampledNetworks.isEmpty)
        #expect(large.evaluations <= Int(SPFEvaluator.sampleCount) + 2)
        #expect(large.parts.first?.result == .pass)
        let small = try #require(try await evaluator.coverage(ranges: [IPNetwork(cidr: "10.0.0.0/20")!], domain: "example.edu", sender: "a@example.edu").first)
        #expect(small.sampledNetworks.isEmpty)
        #expect(small.evaluations == 4096)
        #expect(small.networksByResult[.pass]?.map(\.description) == ["10.0.0.0/32"])
    }

    /// Issue 22: an address-dependent part is evaluated several addresses at once (each evaluation
    /// waits on DNS), with the same parts as one at a time.
    @Test func addressDependentAddressesAreEvaluatedConcurrently() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 exists:%{i}.allow.example.edu -all"], at: "example.edu")
        zone.add(.a(.v4(0x7F00_0002)), at: "10.0.0.5.allow.example.edu")
        zone.add(.a(.v4(0x7F00_0002)), at: "10.0.0.6.allow.example.edu")
        let slow = SlowZone(zone: zone)
        var serial = SPFEvaluator(resolver: slow)
        serial.options.addressEvaluationWidth = 1
        func parts(_ evaluator: SPFEvaluator, _ cidr: String) async throws -> [String] {
            let coverage = try #require(try await evaluator.coverage(ranges: [IPNetwork(cidr: cidr)!], domain: "example.edu", sender: "a@example.edu").first)
            return coverage.parts.map { "\($0.first)-\($0.last) \($0.result) \($0.sampled)" }
        }
        for cidr in ["10.0.0.0/28", "10.0.0.0/16"] {
            let one = try await parts(serial, cidr)
            #expect(slow.mostInFlight() == 1)
            let many = try await parts(SPFEvaluator(resolver: slow), cidr)
            #expect(slow.mostInFlight() > 1, "\(cidr)")
            #expect(many == one, "\(cidr)")
        }
        #expect(try await parts(SPFEvaluator(resolver: slow), "10.0.0.0/28") == ["10.0.0.0-10.0.0.4 fail false", "10.0.0.5-10.0.0.6 pass false", "10.0.0.7-10.0.0.15 fail false"])
    }

    @Test func ipv4MappedAddressesAreEvaluatedAsIPv4() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 ip4:192.0.2.0/24 -all"], at: "example.edu")
        let range = IPNetwork(cidr: "::ffff:192.0.2.0/119")!
        let coverage = try #require(try await SPFEvaluator(resolver: zone).coverage(ranges: [range], domain: "example.edu", sender: "a@example.edu").first)
        #expect(coverage.networksByResult[.pass]?.map(\.description) == ["::ffff:c000:200/120"])
        #expect(coverage.networksByResult[.fail]?.map(\.description) == ["::ffff:c000:300/120"])
    }
}

/// An in-memory zone that answers after a moment and counts the queries waiting at once.
private final class SlowZone: DNSResolver {
    let zone: InMemoryZone
    private let inFlight = Mutex((now: 0, most: 0))

    init(zone: InMemoryZone) {
        self.zone = zone
    }

    /// The most queries that waited at once since the last call.
    func mostInFlight() -> Int {
        inFlight.withLock { state in
            defer { state.most = 0 }
            return state.most
        }
    }

    func resolve(_ name: String, type: DNSRecordType) async throws -> DNSAnswer {
        inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
        defer { inFlight.withLock { $0.now -= 1 } }
        try await Task.sleep(for: .milliseconds(2))
        return try await zone.resolve(name, type: type)
    }

    func answerAtHand(_ name: String, type: DNSRecordType) throws -> DNSAnswer? { nil }
}
