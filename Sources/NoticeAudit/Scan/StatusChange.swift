/// How an institution's status moved against its last known status (../shared/domain.md,
/// "Changes between runs"): the latest earlier run in which it was `compliant` or `noncompliant`.
public enum StatusChange: String, Sendable, Codable {
    /// No earlier run at all, or no earlier known status and known now.
    case new
    case unchanged
    /// Last known compliant, now noncompliant.
    case regressed
    /// Last known noncompliant, now compliant.
    case fixed
    /// Now unknown: a DNS outage is neither a fix nor a regression.
    case unverified

    /// The change from `lastKnown` (nil when no earlier run was compliant or noncompliant) to `current`.
    public static func between(lastKnown: ComplianceStatus?, current: ComplianceStatus) -> StatusChange {
        if current == .unknown { return .unverified }
        switch (lastKnown, current) {
        case (nil, _): return .new
        case (.compliant?, .noncompliant): return .regressed
        case (.noncompliant?, .compliant): return .fixed
        default: return .unchanged
        }
    }

    /// Consecutive unknown runs up to and including this one: 0 when `current` is known, else 1
    /// plus the unknown results that directly precede it (`earlier`, newest first).
    public static func unknownRuns(current: ComplianceStatus, earlier: [ComplianceStatus]) -> Int {
        guard current == .unknown else { return 0 }
        return 1 + earlier.prefix { $0 == .unknown }.count
    }
}
