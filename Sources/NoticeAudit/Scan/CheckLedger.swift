import Synchronization

/// What an institution's checks have established so far. Each check writes its outcome here as
/// soon as it is decided, so that a deadline that cuts the rest keeps the proof already seen
/// (../shared/domain.md: "A scan that runs out of time keeps what it proved").
public final class CheckLedger: Sendable {
    /// One decided check: its outcome and the finding that says why it is not a pass.
    struct Entry: Sendable {
        var outcome: CheckOutcome
        var reason: Finding?
    }

    struct State: Sendable {
        var path: SendingPath?
        var entries: [Entry] = []
        var findings: [Finding] = []
        var domains: [DomainResult] = []
        var relay: RelaySummary?
        var dkimKeys: [DKIMKeyCheck.Result]?
        var dmarcPolicy: DMARCRecord.Policy?
        var dmarc: [String: DMARCDiscovery]?
        var spfTrees: [String: SPFTree]?
        var inbox: InboxMatrix?
        var observed: ObservedNotices?
        /// Failures proved by one address of a check still running (``prove(_:)``), by cause.
        var proved: [Finding] = []
    }

    private let state = Mutex(State())

    public init() {}

    func setPath(_ path: SendingPath) {
        state.withLock { $0.path = path }
    }

    /// Records one decided check; `findings` are all of its findings, `reason` among them or not.
    /// `settling`: the target of a check whose addresses proved things on the way (``prove(_:)``):
    /// now that it has recorded its outcome, it says them.
    func record(_ outcome: CheckOutcome, reason: Finding? = nil, findings: [Finding], settling target: String? = nil) {
        state.withLock { state in
            if let target = target.map(DomainName.normalized) { state.proved.removeAll { $0.cause.target == target } }
            state.entries.append(Entry(outcome: outcome, reason: reason))
            // A reason is always listed, so that it can be flagged as the deciding finding.
            for finding in findings + (reason.map { [$0] } ?? []) { Self.keep(finding, in: &state.findings) }
        }
    }

    /// Keeps a failure that one address proved while the rest of its check still runs (an SPF
    /// evaluation over many relay addresses). It stands only if a deadline cuts the check before
    /// it records its own outcome; a check that finishes says it in its own words.
    func prove(_ finding: Finding) {
        state.withLock { state in
            if !state.proved.contains(where: { $0.cause == finding.cause }) { state.proved.append(finding) }
        }
    }

    /// Adds findings that decide nothing (info, warnings of checks already recorded).
    func note(_ findings: [Finding]) {
        state.withLock { state in
            for finding in findings { Self.keep(finding, in: &state.findings) }
        }
    }

    /// Keeps `finding` once per cause (../shared/domain.md, "One cause, one finding"): a cause
    /// already listed keeps its place and takes the more severe of the two reports (a receivers'
    /// row raises a check's warning to its own severity, with the providers' replies), so that the
    /// result is the same whichever check reports it first.
    static func keep(_ finding: Finding, in findings: inout [Finding]) {
        guard let index = findings.firstIndex(where: { $0.cause == finding.cause }) else {
            findings.append(finding)
            return
        }
        if finding.severity > findings[index].severity { findings[index] = finding }
    }

    func update(_ body: (inout State) -> Void) {
        state.withLock { body(&$0) }
    }

    /// The institution's result from what is recorded. `cut` says the deadline ended the checks
    /// before they all finished: what was not decided is then `unknown` (`SCAN_DEADLINE`), and a
    /// definite failure seen before the cut still stands.
    func result(for institution: Institution, cut deadline: Duration? = nil, durationMilliseconds: Int) -> InstitutionResult {
        var state = state.withLock { $0 }
        if let deadline {
            // What one address proved of a check the deadline cut before it recorded its outcome is proof.
            for proof in state.proved {
                state.entries.append(Entry(outcome: .fail, reason: proof))
                Self.keep(proof, in: &state.findings)
            }
            let finding = Finding(code: .scanDeadline, severity: .error, target: institution.id,
                message: "The checks did not finish within \(deadline); only what was decided before is reported.",
                remediation: "Check the DNS servers and relays of this institution; raise --institution-deadline if they are merely slow.",
                campusCanFix: false)
            state.entries.append(Entry(outcome: .unknown, reason: finding))
            Self.keep(finding, in: &state.findings)
        }
        let status = VerdictRules.institution(state.entries.map(\.outcome))
        // What receivers reported never changes the verdict; where it disagrees, it is said.
        if let observed = state.observed, let contradiction = ReceiverObservations.contradiction(observed, status: status, institution: institution.id) {
            Self.keep(contradiction, in: &state.findings)
        }
        let findings = Self.ordered(state.findings, decisive: Self.decisive(state, status: status))
        let worstSPF = state.domains.compactMap(\.worstResult).max()
        var result = InstitutionResult(
            institutionID: institution.id, name: institution.name, method: institution.delivery, status: status,
            spfResult: institution.delivery == .spf ? worstSPF : nil, dmarcPolicy: state.dmarcPolicy,
            relayStatus: state.relay?.status, dkimStatus: state.dkimKeys?.map(\.status).max(), change: .new,
            findings: findings, domains: state.domains, relay: state.relay, durationMilliseconds: durationMilliseconds)
        result.dkimKeys = state.dkimKeys?.isEmpty == false ? state.dkimKeys : nil
        result.sendingPath = state.path
        result.region = institution.region
        result.dmarc = state.dmarc
        result.spfTree = state.spfTrees
        result.inbox = state.inbox
        result.observed = state.observed
        return result
    }

    /// The institution's result when its checks threw an unexpected error: what was decided before
    /// stands, the rest is `unknown` (`SCAN_ERROR`).
    func result(for institution: Institution, failedWith error: any Error, durationMilliseconds: Int) -> InstitutionResult {
        let finding = Finding(code: .scanError, severity: .error, target: institution.id, message: "The checks failed: \(error).",
                              remediation: "Report this to the notice-audit maintainers with the log.", campusCanFix: false)
        record(.unknown, reason: finding, findings: [finding])
        return result(for: institution, durationMilliseconds: durationMilliseconds)
    }

    /// The finding that decides a verdict that is not compliant: the reason of the first check
    /// whose outcome is the verdict's (a failure for `noncompliant`, the undecided check for
    /// `unknown`); a check without its own reason falls back to its worst finding. The finding is
    /// the one listed for the reason's cause (which another check may have raised).
    static func decisive(_ state: State, status: ComplianceStatus) -> Finding? {
        let deciding: CheckOutcome
        switch status {
        case .compliant: return nil
        case .noncompliant: deciding = .fail
        case .unknown: deciding = .unknown
        }
        if let reason = state.entries.first(where: { $0.outcome == deciding && $0.reason != nil })?.reason {
            return state.findings.first { $0.cause == reason.cause } ?? reason
        }
        return state.findings.first { $0.severity == .error } ?? state.findings.first { $0.severity == .warning }
    }

    /// The deciding finding first (flagged), then the rest worst first, by code.
    static func ordered(_ findings: [Finding], decisive: Finding?) -> [Finding] {
        var rest = findings
        var head: [Finding] = []
        if let decisive, let index = rest.firstIndex(where: { $0.cause == decisive.cause }) {
            var flagged = rest.remove(at: index)
            flagged.decisive = true
            head = [flagged]
        }
        return head + rest.sorted { ($1.severity, $0.code) < ($0.severity, $1.code) }
    }
}
