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
        var options = SPFCheckOptions()
        options.defaultExplanation = "DEFAULT"
        let evaluator = SPFEvaluator(resolver: test.zone, options: options)
        let ip = try #require(IPAddress(test.host))
        let identity = test.identity
        let outcome = try await evaluator.checkHost(ip: ip, domain: identity.domain, sender: identity.sender, helo: test.helo)
        #expect(test.results.contains(outcome.result), "got \(outcome.result) (\(outcome.problem ?? "-")); trace:\n\(outcome.trace.map(\.description).joined(separator: "\n"))")
        if let explanation = test.explanation, outcome.result == .fail {
            #expect(outcome.explanation == explanation)
        }
    }
}
