import Testing
@testable import NoticeAudit

/// ../shared/domain.md, "One cause, one finding": a letter gives one step per change; two fixes
/// that change the same DNS record are one step, merged by the record they change, not by their text.
@Suite("letter steps")
struct LetterStepsTests {
    static func finding(_ code: FindingCode, _ target: String, fix: String, facts: FindingFacts? = nil) -> Finding {
        Finding(code: code, severity: .warning, target: target, message: "\(code.rawValue) of \(target).", remediation: fix, facts: facts)
    }

    @Test func fixesOfOneRecordAreOneStepWhateverTheirWords() {
        let missing = Self.finding(.dmarcMissing, "lib.example.edu", fix: "Publish a TXT record at _dmarc.lib.example.edu, starting with: v=DMARC1; p=none")
        let rua = Self.finding(.ruaNotListed, "lib.example.edu", fix: "Add mailto:dmarc@consortium.org to the rua tag of _dmarc.lib.example.edu.",
                               facts: FindingFacts(changedRecord: "_dmarc.lib.example.edu"))
        let spf = Self.finding(.spfNotAuthorized, "lib.example.edu", fix: "Publish this TXT record at lib.example.edu: v=spf1 include:spf-na.exlibrisgroup.com ~all")
        let lookups = Self.finding(.spfPtrUsed, "Lib.Example.Edu.", fix: "Review the SPF record of lib.example.edu.")
        let dkim = Self.finding(.dkimMissing, "alma1._domainkey.lib.example.edu", fix: "Publish the DKIM key of selector alma1.")
        let steps = CampusLetterRenderer.steps([missing, spf, rua, dkim, lookups])
        #expect(steps.map { $0.map(\.code) } == [[.dmarcMissing, .ruaNotListed], [.spfNotAuthorized, .spfPtrUsed], [.dkimMissing]])
        #expect(missing.changedRecord == "_dmarc.lib.example.edu" && lookups.changedRecord == "lib.example.edu" && dkim.changedRecord == "alma1._domainkey.lib.example.edu")
    }

    /// A fix that changes no record (a setting, Ex Libris's side) and says what an earlier step said
    /// is not repeated; different ones each get their step.
    @Test func fixesThatChangeNoRecordAreStepsOfTheirOwn() {
        let deadline = Self.finding(.scanDeadline, "i", fix: "Check the DNS servers.")
        let again = Self.finding(.scanError, "i", fix: "Check the DNS servers")
        let relay = Self.finding(.relayAuthFailed, "smtp.example.edu:587", fix: "Set the relay password in Alma.")
        #expect(deadline.changedRecord == nil && relay.changedRecord == nil)
        #expect(CampusLetterRenderer.steps([deadline, again, relay]).map { $0.map(\.code) } == [[.scanDeadline], [.relayAuthFailed]])
    }
}
