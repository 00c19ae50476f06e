import Foundation
import Testing
@testable import NoticeAudit

/// The c-ares resolver against the lab's nsd and fault-injecting DNS server.
@Suite("c-ares resolver against the lab", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct CAresResolverTests {
    static var lab: LabEnvironment { LabEnvironment.current! }

    static func resolver(fault: Bool = false, timeout: Duration = .seconds(10)) throws -> CAresResolver {
        try CAresResolver(servers: [try DNSServerAddress(parsing: lab[fault ? "LAB_FAULT_DNS" : "LAB_DNS"])], timeout: timeout)
    }

    static func text(_ answer: DNSAnswer) -> [String] {
        answer.records.compactMap { record in
            if case .txt(let strings) = record { return String(decoding: strings.flatMap { $0 }, as: UTF8.self) }
            return nil
        }
    }

    @Test func answersRecordsNoDataAndNXDOMAIN() async throws {
        let resolver = try Self.resolver()
        defer { resolver.shutdown() }
        #expect(Self.text(try await resolver.resolve("lab.test", type: .txt)) == ["v=spf1 ip4:192.0.2.0/24 -all"])
        #expect(try await resolver.resolve("nospf.lab.test", type: .txt) == .noData)
        #expect(try await resolver.resolve("missing.lab.test", type: .txt) == .nxdomain)
        #expect(try await resolver.resolve("v6only.lab.test", type: .aaaa) == .records([.aaaa(IPAddress("2001:db8::1")!)]))
        #expect(try await resolver.resolve("v6only.lab.test", type: .a) == .noData)
    }

    @Test func longRecordSplitInto255ByteStringsComesBackAsOneRecord() async throws {
        let resolver = try Self.resolver()
        defer { resolver.shutdown() }
        let answer = try await resolver.resolve("long.lab.test", type: .txt)
        guard case .records(let records) = answer, records.count == 1, case .txt(let strings) = records[0] else {
            Issue.record("expected one TXT record, got \(answer)")
            return
        }
        #expect(strings.map(\.count) == [255, 195])
        let outcome = try await SPFEvaluator(resolver: resolver).checkHost(ip: IPAddress("192.0.2.77")!, domain: "long.lab.test", sender: "a@long.lab.test")
        #expect(outcome.result == .pass)
        #expect(outcome.decidingTerm == "ip4:192.0.2.0/24")
    }

    @Test func largeAnswerFallsBackToTCP() async throws {
        let resolver = try Self.resolver()
        defer { resolver.shutdown() }
        #expect(Self.text(try await resolver.resolve("big.lab.test", type: .txt)).count == 16)
    }

    @Test func followsCNAMEChainsAndReadsMXAndPTR() async throws {
        let resolver = try Self.resolver()
        defer { resolver.shutdown() }
        #expect(try await resolver.resolve("alias1.lab.test", type: .a) == .records([.a(IPAddress("192.0.2.10")!)]))
        let mx = try await resolver.resolve("mail.lab.test", type: .mx)
        #expect(Set(mx.records) == [.mx(preference: 10, exchange: "mx1.lab.test"), .mx(preference: 20, exchange: "mx2.lab.test")])
        #expect(try await resolver.resolve("mx1.lab.test", type: .aaaa) == .records([.aaaa(IPAddress("2001:db8::25")!)]))
        #expect(try await resolver.resolve("10.2.0.192.in-addr.arpa", type: .ptr) == .records([.ptr("target.lab.test")]))
        await #expect(throws: DNSLookupError.self) { try await resolver.resolve("loop1.lab.test", type: .a) }
    }

    @Test(arguments: [
        ("servfail.fault.lab.test", DNSLookupError.Kind.serverFailure),
        ("refused.fault.lab.test", .refused),
        ("blackhole.fault.lab.test", .timeout),
        ("garbage.fault.lab.test", .malformed),
    ])
    func noDefiniteAnswerIsThrownWithItsKind(name: String, kind: DNSLookupError.Kind) async throws {
        let resolver = try Self.resolver(fault: true, timeout: .milliseconds(600))
        defer { resolver.shutdown() }
        await #expect {
            _ = try await resolver.resolve(name, type: .txt)
        } throws: { error in
            (error as? DNSLookupError)?.kind == kind
        }
    }

    @Test func truncatedUDPAnswerIsRetriedOverTCP() async throws {
        let resolver = try Self.resolver(fault: true)
        defer { resolver.shutdown() }
        #expect(Self.text(try await resolver.resolve("truncate.fault.lab.test", type: .txt)) == ["v=spf1 ip4:192.0.2.1 -all"])
    }

    @Test func slowAnswerWithinTheDeadlineArrives() async throws {
        let resolver = try Self.resolver(fault: true, timeout: .seconds(10))
        defer { resolver.shutdown() }
        #expect(Self.text(try await resolver.resolve("slow.fault.lab.test", type: .txt)) == ["v=spf1 -all"])
    }

    @Test func timeoutIsTemperrorNeverNone() async throws {
        let resolver = try Self.resolver(fault: true, timeout: .milliseconds(500))
        defer { resolver.shutdown() }
        let outcome = try await SPFEvaluator(resolver: resolver).checkHost(ip: IPAddress("192.0.2.1")!, domain: "blackhole.fault.lab.test", sender: "a@blackhole.fault.lab.test")
        #expect(outcome.result == .temperror)
    }

    @Test func cacheAndMergingSendOneQueryForManyAskers() async throws {
        let resolver = try Self.resolver(fault: true, timeout: .seconds(10))
        defer { resolver.shutdown() }
        let answers = try await withThrowingTaskGroup(of: DNSAnswer.self) { group in
            for _ in 0..<40 { group.addTask { try await resolver.resolve("slow.fault.lab.test", type: .txt) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 40 && Set(answers.map(Self.text)).count == 1)
        #expect(resolver.queriesSent == 1)
        _ = try await resolver.resolve("SLOW.fault.lab.test.", type: .txt)
        #expect(resolver.queriesSent == 1)
    }

    @Test func thousandConcurrentQueriesTenTimesWithoutLoss() async throws {
        for run in 0..<10 {
            let resolver = try Self.resolver(timeout: .seconds(10))
            let results = try await withThrowingTaskGroup(of: DNSAnswer.self) { group in
                for index in 0..<1000 {
                    group.addTask { try await resolver.resolve("n\(index).r\(run).lab.test", type: .txt) }
                }
                return try await group.reduce(into: [DNSAnswer]()) { $0.append($1) }
            }
            resolver.shutdown()
            #expect(results.count == 1000 && results.allSatisfy { $0 == .nxdomain }, "run \(run)")
        }
    }
}
