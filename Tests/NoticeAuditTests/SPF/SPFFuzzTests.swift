import Testing
@testable import NoticeAudit

/// Seeded, deterministic fuzzing: random and mutated records and macro-strings must never crash the
/// parser or the evaluator, and the evaluator must always return one of the seven results.
@Suite("SPF fuzzing")
struct SPFFuzzTests {
    static let tokens = [
        "v=spf1", "V=SpF1", "all", "-all", "~all", "+", "-", "~", "?", "a", "mx", "ptr", "ip4:", "ip6:", "include:", "exists:",
        "redirect=", "exp=", "%{", "}", "%%", "%_", "%-", "%{ir}", "%{d2}", "%{l1r-}", "%{p}", "%{s}", "%{c}", "%{x}", "%", "/",
        "//", "24", "128", "0", "33", "032", ":", ".", "..", "fuzz.example.com", "a.example.com", "1.2.3.4", "192.0.2.0/24", "::1",
        "2001:db8::", "::ffff:1.2.3.4", " ", "  ", "\u{0}", "\u{7F}", "é", "=", "x-mod", "_spf", "-", "example", String(repeating: "a", count: 70),
    ]

    static let seeds = [
        "v=spf1 ip4:192.0.2.0/24 include:a.example.com ~all",
        "v=spf1 a:a.example.com/24//64 mx:a.example.com ptr:example.com exists:%{ir}.%{v}.bl.example.com -all",
        "v=spf1 redirect=a.example.com exp=exp.example.com",
        "v=spf1 ip6:2001:db8::/32 include:fuzz.example.com -all",
    ]

    static func randomText(_ random: inout SeededGenerator) -> String {
        (0..<Int.random(in: 0...12, using: &random)).map { _ in tokens.randomElement(using: &random)! }
            .joined(separator: Bool.random(using: &random) ? " " : "")
    }

    static func mutate(_ text: String, _ random: inout SeededGenerator) -> String {
        var characters = Array(text)
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = Int.random(in: 0...characters.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: characters.insert(Character(Unicode.Scalar(UInt8.random(in: 0...0x7F, using: &random))), at: position)
            case 1 where !characters.isEmpty: characters.remove(at: min(position, characters.count - 1))
            case 2: characters.insert(contentsOf: Array(tokens.randomElement(using: &random)!), at: position)
            default:
                if characters.count > 2 {
                    let other = Int.random(in: 0..<characters.count, using: &random)
                    characters.swapAt(min(position, characters.count - 1), other)
                }
            }
        }
        return String(characters)
    }

    @Test("100,000 random and mutated inputs never crash", arguments: 0..<4)
    func fuzzShard(_ shard: Int) async throws {
        var random = SeededGenerator(seed: 0xF00D + UInt64(shard))
        var zone = InMemoryZone()
        zone.add(.a(IPAddress("192.0.2.1")!), at: "a.example.com")
        zone.add(.mx(preference: 10, exchange: "a.example.com"), at: "a.example.com")
        zone.addTXT(["v=spf1 ip4:192.0.2.0/24 -all"], at: "a.example.com")
        zone.addTXT(["%{i} is not allowed"], at: "exp.example.com")
        zone.add(.ptr("a.example.com"), at: "1.2.0.192.in-addr.arpa")
        var results: [SPFResult: Int] = [:]
        for index in 0..<25_000 {
            let text = index % 2 == 0 ? Self.randomText(&random) : Self.mutate(Self.seeds.randomElement(using: &random)!, &random)
            _ = try? SPFParser.parse(text)
            _ = try? MacroString(parsing: text, explanation: index % 3 == 0)
            var world = zone
            world.add(.txt([Array(text.utf8)]), at: "fuzz.example.com")
            let ip = index % 4 == 0 ? IPAddress("2001:db8::1")! : IPAddress("192.0.2.1")!
            let outcome = try await SPFEvaluator(resolver: world).checkHost(ip: ip, domain: "fuzz.example.com", sender: "x@fuzz.example.com")
            results[outcome.result, default: 0] += 1
            #expect(outcome.dnsLookups <= 11 && outcome.voidLookups <= 3)
        }
        #expect(results.values.reduce(0, +) == 25_000)
        // Fuzzing that only ever produced parse errors would prove little.
        #expect(results.keys.count >= 4, "results seen: \(results)")
    }
}
