/// Causes that are not the institution's, stated once for the run with the institutions they
/// affect (../shared/domain.md, "One cause, said once"): the catalog knows no address of a region,
/// a region's relay set is incomplete, the name servers answer nothing at all.
enum RunLevelCauses {
    /// Decisive codes that mean "no definite DNS answer": when no query of the run was answered at
    /// all, they are the scanner's DNS, not the campus's.
    static let dnsCodes: Set<FindingCode> = [.spfTemperror, .dmarcTemperror, .dkimTemperror, .relayDNSError, .envelopeSPFNotPassing, .scanDeadline]

    /// The run-level finding that says the name servers answered nothing.
    static func dnsUnreachable(queries: Int) -> Finding {
        Finding(code: .dnsUnreachable, severity: .error, target: "dns",
                message: "The scanner's name servers answered none of the \(queries) DNS queries of this run, so nothing that needs DNS could be checked.",
                remediation: "Check the scanner's DNS: /etc/resolv.conf or --dns-server, and that the network lets it reach them. Nothing to change at the campuses.",
                campusCanFix: false)
    }

    /// The result of an institution that was not checked because of a run-level `cause` (the
    /// resolver lies): `unknown`, decided by a finding that points at the cause.
    static func notChecked(_ institution: Institution, because cause: Finding) -> InstitutionResult {
        let finding = Finding(code: cause.code, severity: .error, target: cause.target,
                              message: "Not checked: the scanner's resolver cannot be trusted (\(cause.code.rawValue), stated once for the run).",
                              remediation: cause.remediation, campusCanFix: false)
        let ledger = CheckLedger()
        ledger.record(.unknown, reason: finding, findings: [finding])
        return ledger.result(for: institution, durationMilliseconds: 0)
    }

    /// What a cause needs of one institution's verdict: a few bytes, kept for every institution of a run.
    struct Verdict: Sendable {
        var institutionID: String
        var status: ComplianceStatus
        var decisiveCode: FindingCode?
        var decisiveCampusCanFix: Bool

        init(_ result: InstitutionResult) {
            institutionID = result.institutionID
            status = result.status
            decisiveCode = result.decisiveFinding?.code
            decisiveCampusCanFix = result.decisiveFinding?.campusCanFix ?? true
        }
    }

    /// `runFindings` with `institutions` set: each cause names the institutions whose deciding
    /// finding it explains. `regions` gives each institution's region code.
    static func attach(to runFindings: [Finding], results: [InstitutionResult], regions: [String: String], dnsSilent: Bool) -> [Finding] {
        attach(to: runFindings, verdicts: results.map(Verdict.init), regions: regions, dnsSilent: dnsSilent)
    }

    static func attach(to runFindings: [Finding], verdicts: [Verdict], regions: [String: String], dnsSilent: Bool) -> [Finding] {
        var findings = runFindings
        func add(_ institution: String, to index: Int) {
            var names = findings[index].institutions ?? []
            if !names.contains(institution) { names.append(institution) }
            findings[index].institutions = names.sorted()
        }
        for result in verdicts.sorted(by: { $0.institutionID < $1.institutionID }) where result.status != .compliant {
            guard let code = result.decisiveCode else { continue }
            let region = regions[result.institutionID]
            let regional: FindingCode? = switch code {
            case .spfRelaysUnknown: .catalogNoAddress
            case .catalogIncomplete: .catalogIncomplete
            case .envelopeSPFNotPassing where !result.decisiveCampusCanFix: .catalogNoAddress
            case .exlibrisSPFNotPassing, .exlibrisRelayPTRMissing, .exlibrisRelayListed: code
            default: nil
            }
            if code == .dnsUntrusted, let index = findings.firstIndex(where: { $0.code == .dnsUntrusted }) {
                add(result.institutionID, to: index)
            } else if let regional, let index = findings.firstIndex(where: { $0.code == regional && $0.target == region }) {
                add(result.institutionID, to: index)
            } else if dnsSilent, dnsCodes.contains(code) || code == .spfRelaysUnknown,
                      let index = findings.firstIndex(where: { $0.code == .dnsUnreachable }) {
                add(result.institutionID, to: index)
            }
        }
        return findings
    }
}
