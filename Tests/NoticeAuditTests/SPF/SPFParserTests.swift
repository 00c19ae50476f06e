import Testing
@testable import NoticeAudit

@Suite("SPF record parser (RFC 7208 §4.6, §5, §6, §12)")
struct SPFParserTests {
    @Test func parsesEveryMechanismWithQualifiersAndCIDRs() throws {
        let record = try SPFParser.parse(
            "v=spf1 +all -include:_spf.example.com ~a ?a:mail.example.com/24 a//64 a:x.example.com/24//96 mx mx:m.example.com/28 ptr ptr:example.com ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{ir}.%{v}.bl.example.com redirect=other.example.com exp=exp.example.com x-foo=bar")
        #expect(record.directives.map(\.mechanism.name) == ["all", "include", "a", "a", "a", "a", "mx", "mx", "ptr", "ptr", "ip4", "ip6", "exists"])
        #expect(record.directives.map(\.qualifier) == [.pass, .fail, .softfail, .neutral] + Array(repeating: .pass, count: 9))
        #expect(record.directives[3].mechanism == .a(try MacroString(parsing: "mail.example.com"), DualCIDR(ipv4: 24, ipv6: 128)))
        #expect(record.directives[4].mechanism == .a(nil, DualCIDR(ipv4: 32, ipv6: 64)))
        #expect(record.directives[5].mechanism == .a(try MacroString(parsing: "x.example.com"), DualCIDR(ipv4: 24, ipv6: 96)))
        #expect(record.directives[10].mechanism == .ip4(IPNetwork(cidr: "192.0.2.0/24")!))
        #expect(record.redirect?.text == "redirect=other.example.com")
        #expect(record.explanation?.text == "exp=exp.example.com")
        #expect(record.unknownModifiers.map(\.name) == ["x-foo"])
        #expect(record.directives[1].offset == 12)
    }

    @Test(arguments: [
        ("v=spf1 a:example.com -all foo", "unknown mechanism 'foo'"),
        ("v=spf1 -all redirect=a.example.com redirect=b.example.com", "more than one redirect"),
        ("v=spf1 exp=a.example.com exp=b.example.com -all", "more than one exp"),
        ("v=spf1 ip4:192.0.2.0/33", "invalid CIDR length"),
        ("v=spf1 ip4:1.2.3.4/032", "invalid CIDR length"),
        ("v=spf1 ip6:2001:db8::/129", "invalid CIDR length"),
        ("v=spf1 ip4:2001:db8::1", "is not an IPv4 address"),
        ("v=spf1 a:museum", "does not end in '.' and a top-level label"),
        ("v=spf1 a:abc.123", "invalid top-level label"),
        ("v=spf1 include:", "empty domain"),
        ("v=spf1 exists:%{x}.example.com", "unknown macro letter 'x'"),
        ("v=spf1 exists:%{c}.example.com", "unknown macro letter 'c'"),
        ("v=spf1 exists:%{d0}.example.com", "must be nonzero"),
        ("v=spf1 all:foo", "'all' takes no argument"),
        ("v=spf1 -exp=foo.example.com", "unknown mechanism 'exp'"),
        ("v=spf1 a\u{0D}ptr", "outside printable ASCII"),
        ("v=spf1 a:caf\u{E9}.example.com", "outside printable ASCII"),
    ])
    func syntaxErrorsAreReported(record: String, message: String) {
        #expect {
            _ = try SPFParser.parse(record)
        } throws: { error in
            (error as? SPFSyntaxError)?.description.contains(message) == true
        }
    }

    @Test func versionTagMustBeFollowedBySpaceOrEnd() {
        #expect(SPFRecord.isVersion1(Array("v=spf1".utf8)))
        #expect(SPFRecord.isVersion1(Array("V=SPF1 -all".utf8)))
        #expect(!SPFRecord.isVersion1(Array("v=spf10".utf8)))
        #expect(!SPFRecord.isVersion1(Array("v=spf1mx".utf8)))
    }
}

@Suite("SPF macros (RFC 7208 §7)")
struct MacroStringTests {
    /// The examples of RFC 7208 §7.4, for strong-bad@email.example.com from 192.0.2.3 and 2001:db8::cb01.
    @Test(arguments: [
        ("%{s}", "strong-bad@email.example.com"), ("%{o}", "email.example.com"), ("%{d}", "email.example.com"),
        ("%{d4}", "email.example.com"), ("%{d3}", "email.example.com"), ("%{d2}", "example.com"), ("%{d1}", "com"),
        ("%{dr}", "com.example.email"), ("%{d2r}", "example.email"), ("%{l}", "strong-bad"), ("%{l-}", "strong.bad"),
        ("%{lr}", "strong-bad"), ("%{lr-}", "bad.strong"), ("%{l1r-}", "strong"),
        ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
        ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
        ("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"),
        ("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"),
        ("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
        ("%{S}", "strong-bad%40email.example.com"), ("%%%_%-", "% %20"),
    ])
    func rfcExamplesExpand(macro: String, expected: String) throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=spf1 exists:\(macro) -all"], at: "email.example.com")
        let parsed = try MacroString(parsing: macro, explanation: true)
        let run = SPFEvaluationRun(
            evaluator: SPFEvaluator(resolver: zone), ip: IPAddress("192.0.2.3")!, sender: "strong-bad@email.example.com", helo: "mx.example.org")
        #expect(try run.expand(parsed, domain: "email.example.com", explanation: true) == expected)
    }

    @Test func ipv6ExampleExpands() throws {
        let run = SPFEvaluationRun(
            evaluator: SPFEvaluator(resolver: InMemoryZone()), ip: IPAddress("2001:db8::cb01")!, sender: "strong-bad@email.example.com", helo: nil)
        let expanded = try run.expand(try MacroString(parsing: "%{ir}.%{v}._spf.%{d2}"), domain: "email.example.com", explanation: false)
        #expect(expanded.lowercased() == "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com")
        #expect(run.addressDependent)
    }
}
