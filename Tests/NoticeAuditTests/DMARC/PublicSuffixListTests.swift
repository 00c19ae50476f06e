import Foundation
import Testing
@testable import NoticeAudit

@Suite("Public Suffix List (RFC 7489 §3.2)")
struct PublicSuffixListTests {
    /// The list's own format and each kind of rule: comments, a blank line, plain rules, a
    /// wildcard with an exception under it, and text after the rule.
    static let list = PublicSuffixList(text: """
        // ===BEGIN ICANN DOMAINS===
        com
        edu
        uk
        ac.uk

        // wildcard and exceptions
        *.ck
        !www.ck
        jp
        *.kobe.jp
        !city.kobe.jp
        us
        k12.fl.us  trailing words are ignored
        """)

    @Test(arguments: [
        ("example.com", "example.com"), ("a.b.example.com", "example.com"), ("com", "com"),
        ("ufl.edu", "ufl.edu"), ("mail.ufl.edu", "ufl.edu"), ("tsc.fl.edu", "fl.edu"),
        ("ox.ac.uk", "ox.ac.uk"), ("www.cs.ox.ac.uk", "ox.ac.uk"), ("ac.uk", "ac.uk"),
        ("c.ck", "c.ck"), ("b.c.ck", "b.c.ck"), ("a.b.c.ck", "b.c.ck"),
        ("www.ck", "www.ck"), ("www.www.ck", "www.ck"),
        ("city.kobe.jp", "city.kobe.jp"), ("www.city.kobe.jp", "city.kobe.jp"),
        ("c.kobe.jp", "c.kobe.jp"), ("b.c.kobe.jp", "b.c.kobe.jp"),
        ("school.k12.fl.us", "school.k12.fl.us"), ("www.school.k12.fl.us", "school.k12.fl.us"),
        ("example.unlisted", "example.unlisted"), ("b.example.unlisted", "example.unlisted"),
        ("WWW.Example.COM.", "example.com"),
    ])
    func organizationalDomains(domain: String, expected: String) {
        #expect(Self.list.organizationalDomain(of: domain) == expected)
    }

    @Test func publicSuffixesFollowTheLongestRuleAndExceptions() {
        #expect(Self.list.publicSuffix(of: "www.cs.ox.ac.uk") == "ac.uk")
        #expect(Self.list.publicSuffix(of: "a.b.c.ck") == "c.ck")
        #expect(Self.list.publicSuffix(of: "www.www.ck") == "ck")
        #expect(Self.list.publicSuffix(of: "www.city.kobe.jp") == "kobe.jp")
        #expect(Self.list.publicSuffix(of: "example.unlisted") == "unlisted")
        #expect(Self.list.publicSuffix(of: "") == "")
    }

    @Test func theSystemListIsInstalledAndUsed() throws {
        // Debian's publicsuffix package; Tests/Lab/install-deps.sh and `make scan` install it.
        let system = try PublicSuffixList(contentsOfFile: PublicSuffixList.systemPath)
        #expect(system.isComplete)
        #expect(PublicSuffixList.standard.isComplete, "the scan would fall back to the short built-in list")
        #expect(system.organizationalDomain(of: "alma.mail.ufl.edu") == "ufl.edu")
        #expect(system.organizationalDomain(of: "www.cs.ox.ac.uk") == "ox.ac.uk")
        #expect(system.organizationalDomain(of: "library.unimelb.edu.au") == "unimelb.edu.au")
        #expect(system.organizationalDomain(of: "notices.example.co.jp") == "example.co.jp")
    }

    @Test func theFallbackKnowsTheAcademicSuffixes() {
        #expect(!PublicSuffixList.fallback.isComplete)
        #expect(PublicSuffixList.fallback.organizationalDomain(of: "www.cs.ox.ac.uk") == "ox.ac.uk")
        #expect(PublicSuffixList.fallback.organizationalDomain(of: "mail.ufl.edu") == "ufl.edu")
    }

    @Test func relaxedAlignmentComparesOrganizationalDomains() {
        #expect(DMARCChecker.aligned("alma.ox.ac.uk", "mail.ox.ac.uk", mode: .relaxed, suffixes: Self.list))
        #expect(!DMARCChecker.aligned("ox.ac.uk", "cam.ac.uk", mode: .relaxed, suffixes: Self.list))
        #expect(!DMARCChecker.aligned("a.c.ck", "b.c.ck", mode: .relaxed, suffixes: Self.list))
        #expect(!DMARCChecker.aligned("alma.ox.ac.uk", "ox.ac.uk", mode: .strict, suffixes: Self.list))
    }

    @Test func aMissingListFileIsAnError() {
        #expect(throws: (any Error).self) { try PublicSuffixList(contentsOfFile: "/nonexistent/public_suffix_list.dat") }
    }

    /// libpsl matches the list's internationalized rules (公司.cn) whether the name is written in
    /// UTF-8 or punycode; the hand-written parser before it fell back to the default rule.
    @Test func internationalizedSuffixesMatchInUTF8AndPunycode() {
        let list = PublicSuffixList.standard
        #expect(list.organizationalDomain(of: "www.example.xn--55qx5d.cn") == "example.xn--55qx5d.cn")
        #expect(list.organizationalDomain(of: "www.example.公司.cn") == "example.公司.cn")
        #expect(list.organizationalDomain(of: "Library.UFL.EDU.") == "ufl.edu")
    }
}
