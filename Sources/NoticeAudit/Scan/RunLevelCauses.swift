/// Causes that are not the institution's, stated once for the run with the institutions they
/// affect (../shared/domain.md, "One cause, said once"): the catalog knows no address of a region,
/// a region's relay set is incomplete, the name servers answer nothing at all.
enum RunLevelCauses {
    /// Decisive codes that mean "no definite DNS answer": when no query of the run was answered at
    /// all, they are the scanner's DNS, not the campus's.
    static let dnsCodes: Set<FindingCode> = [.spfTemperror, .dmarcTemperror, .dkimTemperror, .relayDNSError, .envelopeSPFNotPassing, .scanDeadline]

    /// The run-level finding that says the name servers answered nothing: none of the run's
    /// `queries`, or (`answered` later) none of the resolver check's, at its start.
    static func dnsUnreachable(queries: Int, answered: Int = 0) -> Finding {
        Finding(code: .dnsUnreachable, severity: .error, target: "dns",
                message: answered == 0
                    ? "The scanner's name servers answered none of the \(queries) DNS queries of this run, so nothing that needs DNS could be checked."
                    : "The scanner's name servers answered none of the resolver check's queries at the start of this run, and \(answered) of its \(queries) DNS queries in all, so the checks that needed DNS could not be made.",
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
        /// The institution's region code (a regional cause names the institutions of its region).
        var region: String?

        init(_ result: InstitutionResult) {
            institutionID = result.institutionID
            status = result.status
            decisiveCode = result.decisiveFinding?.code
            decisiveCampusCanFix = result.decisiveFinding?.campusCanFix ?? true
            region = result.region?.code
        }
    }

    /// `runFindings` with `institutions` set: each cause names the institutions whose deciding
    /// finding it explains, sorted.
    static func attach(to runFindings: [Finding], results: [InstitutionResult], dnsSilent: Bool) -> [Finding] {
        attach(to: runFindings, verdicts: results.map(Verdict.init), dnsSilent: dnsSilent)
    }

    static func attach(to runFindings: [Finding], verdicts: [Verdict], dnsSilent: Bool) -> [Finding] {
        var named: [Int: [String]] = [:]
        for verdict in verdicts {
            guard let index = cause(of: verdict, region: verdict.region, in: runFindings, dnsSilent: dnsSilent) else { continue }
            named[index, default: runFindings[index].institutions ?? []].append(verdict.institutionID)
        }
        var findings = runFindings
        for (index, names) in named { findings[index].institutions = Array(Set(names)).sorted() }
        return findings
    }

    /// The index in `findings` of the run-level cause that explains `result`'s verdict, if one
    /// does: the resolver lies; the region's catalog, relay set or Ex Libris facts decide it; the
    /// name servers answered nothing (`dnsSilent`) and the verdict needed DNS. Known as soon as the
    /// run's causes are (before any institution, ``Scanner``): a letter is decided when it is rendered.
    static func cause(of result: Verdict, region: String?, in findings: [Finding], dnsSilent: Bool) -> Int? {
        guard result.status != .compliant, let code = result.decisiveCode else { return nil }
        let regional: FindingCode? = switch code {
        case .spfRelaysUnknown: .catalogNoAddress
        case .catalogIncomplete: .catalogIncomplete
        case .envelopeSPFNotPassing where !result.decisiveCampusCanFix: .catalogNoAddress
        case .exlibrisSPFNotPassing, .exlibrisRelayPTRMissing, .exlibrisRelayListed: code
        default: nil
        }
        if code == .dnsUntrusted, let index = findings.firstIndex(where: { $0.code == .dnsUntrusted }) { return index }
        if let regional, let index = findings.firstIndex(where: { $0.code == regional && $0.target == region }) { return index }
        if dnsSilent, dnsCodes.contains(code) || code == .spfRelaysUnknown { return findings.firstIndex { $0.code == .dnsUnreachable } }
        return nil
    }
}
