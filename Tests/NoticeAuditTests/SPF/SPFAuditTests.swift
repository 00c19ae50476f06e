import Testing
@testable import NoticeAudit

@Suite("SPF record audit")
struct SPFAuditTests {
    static let exlibris = "spf-na.exlibrisgroup.com"

    static func zone(_ records: [String: String], extra: (inout InMemoryZone) -> Void = { _ in }) -> InMemoryZone {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 ip4:192.0.2.0/28 ip4:198.51.100.0/28 -all"], at: exlibris)
        for (name, record) in records { zone.addTXT([record], at: name) }
        extra(&zone)
        return zone
    }

    @Test func worstCaseCountsWalkEveryBranch() async throws {
        let zone = Self.zone([
            "ufl.edu": "v=spf1 include:a.ufl.edu include:b.ufl.edu mx a:void.ufl.edu -all",
            "a.ufl.edu": "v=spf1 include:c.ufl.edu ip4:203.0.113.0/24 -all",
            "b.ufl.edu": "v=spf1 exists:gone.ufl.edu ~all",
            "c.ufl.edu": "v=spf1 a -all",
        ])
        let audit = try await SPFRecordAuditor(resolver: zone).audit(domain: "ufl.edu")
        // include a (1) + its include c (1) + c's a (1) + include b (1) + b's exists (1) + mx (1) + a (1) = 7
        #expect(audit.worstCaseDNSLookups == 7)
        // mx ufl.edu, a void.ufl.edu, exists gone.ufl.edu, a c.ufl.edu: all void
        #expect(audit.worstCaseVoidLookups == 4)
        #expect(audit.warnings.map(\.code).contains(.voidLimit))
        #expect(!audit.warnings.map(\.code).contains(.lookupLimit))
    }

    @Test func warningsNameTheProblem() async throws {
        let long = (0..<30).map { "ip4:203.0.\($0).0/24" }.joined(separator: " ")
        let zone = Self.zone([
            "a.edu": "v=spf1 ptr +all redirect=b.edu foo=bar",
            "b.edu": "v=spf1 include:nospf.edu ?all",
            "c.edu": "v=spf1 ip4:192.0.2.1",
            "d.edu": "v=spf1 \(long) -all",
            "loop.edu": "v=spf1 include:loop2.edu -all",
            "loop2.edu": "v=spf1 include:loop.edu -all",
        ]) { $0.add(.a(IPAddress("192.0.2.1")!), at: "nospf.edu") }
        let auditor = SPFRecordAuditor(resolver: zone)
        let a = try await auditor.audit(domain: "a.edu").warnings.map(\.code)
        #expect(Set(a).isSuperset(of: [.ptrUsed, .passAll, .redirectWithAll, .unknownModifier]))
        #expect(Set(try await auditor.audit(domain: "b.edu").warnings.map(\.code)) == [.neutralAll, .includeWithoutSPF])
        #expect(try await auditor.audit(domain: "c.edu").warnings.map(\.code) == [.noAll])
        #expect(try await auditor.audit(domain: "d.edu").warnings.map(\.code).contains(.recordTooLong))
        #expect(try await auditor.audit(domain: "loop.edu").warnings.map(\.code).contains(.includeLoop))
    }

    @Test func recommendationAddsTheIncludeBeforeAll() async throws {
        let zone = Self.zone(["ufl.edu": "v=spf1 ip4:203.0.113.0/24 include:_spf.google.com ~all exp=why.ufl.edu"]) {
            $0.addTXT(["v=spf1 ip4:172.217.0.0/19 ~all"], at: "_spf.google.com")
        }
        let recommendation = try #require(try await SPFRecordAuditor(resolver: zone).audit(domain: "ufl.edu", requiredInclude: Self.exlibris).recommendation)
        #expect(recommendation.record == "v=spf1 ip4:203.0.113.0/24 include:_spf.google.com include:spf-na.exlibrisgroup.com ~all exp=why.ufl.edu")
        #expect(recommendation.worstCaseDNSLookups == 2)
        #expect(!recommendation.exceedsLookupLimit)
        // The recommended record really authorizes the relays.
        var fixed = zone
        fixed.addTXT([recommendation.record!], at: "fixed.ufl.edu")
        let outcome = try await SPFEvaluator(resolver: fixed).checkHost(ip: IPAddress("192.0.2.5")!, domain: "fixed.ufl.edu", sender: "x@fixed.ufl.edu")
        #expect(outcome.result == .pass)
    }

    @Test func recommendationWarnsWhenTheLimitWouldBePassed() async throws {
        let includes = (0..<10).map { "include:s\($0).edu" }.joined(separator: " ")
        let zone = Self.zone(["full.edu": "v=spf1 \(includes) -all"]) { zone in
            for index in 0..<10 { zone.addTXT(["v=spf1 ip4:10.\(index).0.0/16 -all"], at: "s\(index).edu") }
        }
        let audit = try await SPFRecordAuditor(resolver: zone).audit(domain: "full.edu", requiredInclude: Self.exlibris)
        #expect(audit.worstCaseDNSLookups == 10)
        let recommendation = try #require(audit.recommendation)
        #expect(recommendation.worstCaseDNSLookups == 11)
        #expect(recommendation.exceedsLookupLimit)
        #expect(recommendation.message.contains("over the limit of 10"))
    }

    @Test func recommendationForExistingAndMissingRecords() async throws {
        let zone = Self.zone([
            "ok.edu": "v=spf1 include:spf-na.exlibrisgroup.com -all",
            "wrong.edu": "v=spf1 ?include:spf-na.exlibrisgroup.com -all",
        ])
        let auditor = SPFRecordAuditor(resolver: zone)
        #expect(try await auditor.audit(domain: "ok.edu", requiredInclude: Self.exlibris).recommendation?.alreadyIncluded == true)
        #expect(try await auditor.audit(domain: "wrong.edu", requiredInclude: Self.exlibris).recommendation?.record
            == "v=spf1 include:spf-na.exlibrisgroup.com -all")
        let none = try await auditor.audit(domain: "none.edu", requiredInclude: Self.exlibris)
        #expect(none.recommendation?.record == "v=spf1 include:spf-na.exlibrisgroup.com ~all")
        #expect(none.warnings.map(\.code) == [.noRecord])
    }

    @Test func spentCountsComeFromTheCoverage() async throws {
        let zone = Self.zone(["ufl.edu": "v=spf1 include:a.ufl.edu include:spf-na.exlibrisgroup.com -all", "a.ufl.edu": "v=spf1 ip4:203.0.113.0/24 -all"])
        let coverages = try await SPFEvaluator(resolver: zone).coverage(ranges: [IPNetwork(cidr: "192.0.2.0/28")!], domain: "ufl.edu", sender: "a@ufl.edu")
        let audit = try await SPFRecordAuditor(resolver: zone).audit(domain: "ufl.edu", coverages: coverages)
        #expect(audit.spentDNSLookups == 2)
        #expect(audit.worstCaseDNSLookups == 2)
        #expect(coverages.first?.networksByResult[.pass]?.map(\.description) == ["192.0.2.0/28"])
    }
}
