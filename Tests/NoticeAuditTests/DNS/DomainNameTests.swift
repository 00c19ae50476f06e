import Testing
@testable import NoticeAudit

@Suite("Domain names and mail addresses")
struct DomainNameTests {
    @Test(arguments: ["ufl.edu", "library.ufl.edu.", "tsc.fl.edu", "a-b.example", "UFL.EDU"])
    func acceptsHostNames(_ text: String) {
        #expect(DomainName(text) != nil)
    }

    @Test func lowercasesAndDropsTheTrailingDot() {
        #expect(DomainName("Library.UFL.edu.")?.name == "library.ufl.edu")
    }

    @Test(arguments: [
        ("", DomainName.Problem.empty),
        ("edu", .singleLabel),
        ("ufl..edu", .emptyLabel),
        ("-ufl.edu", .hyphenAtEdge("-ufl")),
        ("ufl.123", .numericTopLevelLabel("123")),
        ("bad_domain.edu", .invalidCharacter("_", label: "bad_domain")),
        (String(repeating: "a", count: 64) + ".edu", .labelTooLong(String(repeating: "a", count: 64))),
    ])
    func rejectsInvalidNames(text: String, problem: DomainName.Problem) {
        #expect(DomainName.parse(text) == .failure(problem))
    }

    @Test func rejectsOverlongNames() {
        let name = Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: ".")
        #expect(DomainName.parse(name) == .failure(.tooLong(304)))
    }

    @Test(arguments: ["circulation@library.ufl.edu", "alma@exlibrisgroup.com", "first.last+tag@ufl.edu"])
    func acceptsMailAddresses(_ text: String) {
        #expect(EmailAddress(text)?.description == text.lowercased())
    }

    @Test(arguments: ["no-at.ufl.edu", "@ufl.edu", "a@b@ufl.edu", "a..b@ufl.edu", "a b@ufl.edu", "a@ufl"])
    func rejectsMalformedMailAddresses(_ text: String) {
        #expect(EmailAddress(text) == nil)
    }
}
