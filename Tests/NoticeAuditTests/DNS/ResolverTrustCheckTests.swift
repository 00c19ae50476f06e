import Testing
@testable import NoticeAudit

/// ../shared/domain.md, "The scanner's own view of DNS", in memory: names that must exist, one that
/// cannot, and what makes a resolver untrusted, unreachable or trusted.
@Suite("resolver trust check")
struct ResolverTrustCheckTests {
    static let include = "spf-na.exlibrisgroup.com"

    /// A zone that tells the truth: the include and exlibrisgroup.com hold their v=spf1 records.
    static func truthful() -> InMemoryZone {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 ip4:192.0.2.16/28 -all"], at: include)
        zone.addTXT(["v=spf1 include:spf-na.exlibrisgroup.com -all"], at: "exlibrisgroup.com")
        return zone
    }

    @Test func aTruthfulResolverIsTrustedWithThreeQueries() async throws {
        let outcome = try await ResolverTrustCheck(resolver: Self.truthful()).check(includes: [Self.include], randomLabel: "q1w2e3r4t5y6u7i8")
        #expect(outcome.verdict == .trusted && outcome.reason == nil && outcome.finding == nil)
        #expect(outcome.queries.map(\.name) == [Self.include, "exlibrisgroup.com", "q1w2e3r4t5y6u7i8.\(Self.include)"])
        #expect(outcome.queries.map(\.rcode) == ["NOERROR", "NOERROR", "NXDOMAIN"])
        #expect(outcome.queries.last?.expect == .absent && outcome.queries.last?.type == .a)
    }

    @Test func denyingEveryNameThatMustExistIsUntrusted() async throws {
        let outcome = try await ResolverTrustCheck(resolver: InMemoryZone()).check(includes: [Self.include])
        #expect(outcome.verdict == .untrusted)
        #expect(outcome.reason == "it denied every name that must exist: spf-na.exlibrisgroup.com (NXDOMAIN), exlibrisgroup.com (NXDOMAIN)")
        let finding = try #require(outcome.finding)
        #expect(finding.code == .dnsUntrusted && finding.severity == .error && !finding.campusCanFix)
        #expect(finding.remediation.contains("/etc/resolv.conf or pass --dns-server"))
        #expect(finding.message.contains("exlibrisgroup.com TXT → NXDOMAIN"))
    }

    /// "no TXT where the include's v=spf1 record must be" is a denial too: the kind of resolver
    /// that answers every A query gives NOERROR with nothing for TXT.
    @Test func noSPFRecordWhereItMustBeIsADenial() async throws {
        var zone = InMemoryZone()
        zone.add(.a(IPAddress("127.0.13.250")!), at: Self.include)
        zone.addTXT(["google-site-verification=abc"], at: "exlibrisgroup.com")
        let outcome = try await ResolverTrustCheck(resolver: zone).check(includes: [Self.include])
        #expect(outcome.verdict == .untrusted, "\(outcome)")
    }

    @Test func answeringTheNameThatCannotExistIsUntrusted() async throws {
        var zone = Self.truthful()
        zone.add(.a(IPAddress("127.0.13.250")!), at: "zz00zz00zz00zz00.\(Self.include)")
        let outcome = try await ResolverTrustCheck(resolver: zone).check(includes: [Self.include], randomLabel: "zz00zz00zz00zz00")
        #expect(outcome.verdict == .untrusted)
        #expect(outcome.reason == "it answered zz00zz00zz00zz00.spf-na.exlibrisgroup.com, which cannot exist, with 127.0.13.250")
    }

    /// Timeouts and SERVFAIL are not lies: unreachable, and the temporary-error rules apply.
    @Test(arguments: [DNSLookupError.Kind.timeout, .serverFailure, .refused])
    func noDefiniteAnswerIsUnreachableNotUntrusted(kind: DNSLookupError.Kind) async throws {
        var zone = InMemoryZone()
        for name in [Self.include, "exlibrisgroup.com", "a1b2c3d4e5f6g7h8.\(Self.include)"] { zone.fail(name, with: kind) }
        let outcome = try await ResolverTrustCheck(resolver: zone).check(includes: [Self.include], randomLabel: "a1b2c3d4e5f6g7h8")
        #expect(outcome.verdict == .unreachable && outcome.finding == nil)
    }

    /// A name that timed out is not a denial: one include lost to a timeout while another resolves
    /// is an ordinary temporary error, not a lying resolver.
    @Test func oneNameConfirmedIsEnough() async throws {
        var zone = InMemoryZone()
        zone.fail(Self.include, with: .timeout)
        zone.addTXT(["v=spf1 -all"], at: "exlibrisgroup.com")
        let outcome = try await ResolverTrustCheck(resolver: zone).check(includes: [Self.include])
        #expect(outcome.verdict == .trusted)
    }

    /// Without an include (a region whose entry is not confirmed) the name that cannot exist is
    /// not asked: exlibrisgroup.com may hold a wildcard at its apex (RFC 4592).
    @Test func withoutAnIncludeNoRandomNameIsAsked() async throws {
        let outcome = try await ResolverTrustCheck(resolver: Self.truthful()).check(includes: [])
        #expect(outcome.queries.map(\.name) == ["exlibrisgroup.com"] && outcome.verdict == .trusted)
    }

    @Test func theRandomLabelIsSixteenLettersAndDigits() {
        let labels = (0..<50).map { _ in ResolverTrustCheck.randomLabel() }
        #expect(labels.allSatisfy { $0.count == 16 && $0.first!.isLetter && $0.allSatisfy { $0.isLowercase || $0.isNumber } })
        #expect(Set(labels).count == 50)
    }
}
