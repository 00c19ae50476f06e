/// The verdict rules of ../shared/domain.md, one small pure function per rule: a verdict is never
/// better than what was seen.
public enum VerdictRules {
    /// SPF of one sender domain over every relay address of its region.
    ///
    /// - Any definite non-pass (fail, softfail, neutral, none, permerror) on a known address is
    ///   proof, whatever else is unknown.
    /// - Otherwise a temperror is `unknown`.
    /// - Every evaluated address passes: `unknown` when the relay set is incomplete
    ///   (`CATALOG_INCOMPLETE`) or a range had to be sampled (`SPF_COVERAGE_SAMPLED`); `pass` only
    ///   when every address of a complete set was evaluated.
    /// - No relay address known at all: `unknown` (`SPF_RELAYS_UNKNOWN`).
    public static func spf(results: Set<SPFResult>, relaySet: RelaySetKnowledge, sampled: Bool) -> (outcome: CheckOutcome, reason: FindingCode?) {
        if relaySet == .empty { return (.unknown, .spfRelaysUnknown) }
        if results.contains(where: isDefiniteNonPass) { return (.fail, nil) }
        if results.contains(.temperror) { return (.unknown, .spfTemperror) }
        if relaySet == .incomplete { return (.unknown, .catalogIncomplete) }
        if sampled { return (.unknown, .spfCoverageSampled) }
        return (.pass, nil)
    }

    /// True for a definite non-pass of one address (fail, softfail, neutral, none, permerror): proof
    /// on its own, whatever the other addresses give.
    public static func isDefiniteNonPass(_ result: SPFResult) -> Bool {
        result != .pass && result != .temperror
    }

    /// The relay probe, seen from the scanner (RFC 5321 replies, RFC 3207 STARTTLS, RFC 4954 AUTH).
    ///
    /// A refused or unreachable relay, a 5xx greeting, or a reset before the dialogue ended
    /// (`refused`) is proof only when campus IT confirmed that the scanner's address is let in
    /// (`admits_scanner`): a firewall or an access list that admits only the Ex Libris ranges is
    /// right to turn the scanner away (../shared/domain.md, vantage point). Timeouts, DNS
    /// temperrors and 4xx replies are `unknown`.
    /// A relay name that does not resolve at all (`temporary` false) is proof; a DNS temperror is not.
    public static func relay(status: RelayStatus, temporary: Bool, admitsScanner: Bool) -> (outcome: CheckOutcome, reason: FindingCode?) {
        switch status {
        case .ok: (.pass, nil)
        case .refused, .unreachable, .rejected: admitsScanner ? (.fail, FindingCode.relay(status)) : (.unknown, .relayUnreachableFromScanner)
        case .timeout, .temporary: (.unknown, FindingCode.relay(status))
        case .dnsError: (temporary ? .unknown : .fail, .relayDNSError)
        case .tlsError, .certUntrusted, .certExpired, .certNameMismatch, .starttlsMissing, .authMissing, .authFailed, .protocolError:
            (.fail, FindingCode.relay(status))
        }
    }

    /// Several checks as one: any proof of failure fails, otherwise anything unknown is unknown.
    public static func combine(_ outcomes: [CheckOutcome]) -> CheckOutcome {
        if outcomes.contains(.fail) { return .fail }
        if outcomes.contains(.unknown) { return .unknown }
        return .pass
    }

    /// An institution is `compliant` only when nothing failed or is unknown, and something was
    /// checked: zero checks prove nothing (../shared/domain.md, "What is checked").
    public static func institution(_ outcomes: [CheckOutcome]) -> ComplianceStatus {
        if outcomes.isEmpty { return ComplianceStatus.unknown }
        return switch combine(outcomes) {
        case .pass: .compliant
        case .fail: .noncompliant
        case .unknown: .unknown
        }
    }
}
