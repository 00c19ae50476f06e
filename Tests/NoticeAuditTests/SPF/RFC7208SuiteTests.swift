import Testing
@testable import NoticeAudit

/// The whole RFC 7208 test suite against ``InMemoryZone``: 203 tests, none skipped.
@Suite("RFC 7208 test suite")
struct RFC7208SuiteTests {
    static let cases: [RFC7208SuiteCase] = (try? RFC7208SuiteCase.load()) ?? []

    @Test func suiteIsComplete() {
        #expect(Self.cases.count == 203)
        #expect(Self.cases.allSatisfy { !$0.results.isEmpty })
    }

    @Test("each suite test gives an accepted result", arguments: cases)
    func suiteCase(_ test: RFC7208SuiteCase) async throws {
        let options = RFC7208SuiteCase.options
        let evaluator = SPFEvaluator(resolver: test.zone, options: options)
        let ip = try #require(IPAddress(test.host))
        let identity = test.identity
        let outcome = try await evaluator.checkHost(ip: ip, domain: identity.domain, sender: identity.sender, helo: test.helo)
        #expect(test.results.contains(outcome.result), "got \(outcome.result) (\(outcome.problem ?? "-")); trace:\n\(outcome.trace.map(\.description).joined(separator: "\n"))")
        if let explanation = test.explanation, outcome.result == .fail {
            #expect(outcome.explanation == explanation)
        }
    }

    /// The evaluator runs on answers at hand and starts over when one must be fetched: with nothing
    /// at hand, every suite test must end exactly as with everything at hand (same result, terms,
    /// counts and trace), asking each question once.
    @Test("each suite test gives the same outcome when every answer must be fetched", arguments: cases)
    func suiteCaseFetchingEveryAnswer(_ test: RFC7208SuiteCase) async throws {
        let options = RFC7208SuiteCase.options
        let ip = try #require(IPAddress(test.host))
        let identity = test.identity
        let atHand = try await SPFEvaluator(resolver: test.zone, options: options).checkHost(ip: ip, domain: identity.domain, sender: identity.sender, helo: test.helo)
        let resolver = FetchOnlyResolver(test.zone)
        let fetched = try await SPFEvaluator(resolver: resolver, options: options).checkHost(ip: ip, domain: identity.domain, sender: identity.sender, helo: test.helo)
        #expect(fetched == atHand, "fetched: \(fetched.trace.map(\.description))\nat hand: \(atHand.trace.map(\.description))")
        #expect(Set(resolver.questions).count == resolver.questions.count, "asked twice: \(resolver.questions)")
    }
}
