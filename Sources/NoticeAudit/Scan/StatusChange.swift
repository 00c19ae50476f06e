import Foundation

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

    /// An earlier result of the institution, for ``assess(current:consortiumRun:earlier:)``.
    public struct Earlier: Sendable {
        public var run: Int64
        public var startedAt: Date
        public var status: ComplianceStatus
        /// The run was an ad-hoc rescan (`--institution`).
        public var adhoc: Bool
        /// The run completed (not aborted or failed).
        public var completed: Bool

        public init(run: Int64, startedAt: Date, status: ComplianceStatus, adhoc: Bool, completed: Bool) {
            self.run = run
            self.startedAt = startedAt
            self.status = status
            self.adhoc = adhoc
            self.completed = completed
        }
    }

    /// The change of one result and what goes with it (../shared/domain.md, "Changes between runs").
    public struct Assessment: Sendable, Equatable {
        public var change: StatusChange
        /// For a consortium run: the ad-hoc rescan that saw this change first, if one did.
        public var firstSeen: ChangeSighting?
        public var unknownRuns: Int
        /// True when the institution is at ``WebhookNotifier/unknownRunsAlert`` or more consecutive
        /// unknown runs and no completed consortium run of this streak reached it before: once per streak.
        public var unknownAlert: Bool
    }

    /// A consortium run compares with the previous consortium runs only, so a change that an
    /// ad-hoc rescan saw first is still reported (with `firstSeen`); an ad-hoc rescan compares
    /// with every earlier run. `earlier` is newest first.
    public static func assess(current: ComplianceStatus, consortiumRun: Bool, earlier: [Earlier], alertAt: Int = 3) -> Assessment {
        let compared = consortiumRun ? earlier.filter { !$0.adhoc } : earlier
        let change = between(lastKnown: compared.first { $0.status != .unknown }?.status, current: current)
        var firstSeen: ChangeSighting?
        if consortiumRun, change == .regressed || change == .fixed {
            let since = compared.first { $0.status != .unknown }?.run ?? 0
            // The earliest rescan after the last consortium verdict that already had today's status.
            if let rescan = earlier.filter({ $0.adhoc && $0.run > since && $0.status == current }).last {
                firstSeen = ChangeSighting(run: rescan.run, startedAt: rescan.startedAt)
            }
        }
        let streak = unknownRuns(current: current, earlier: earlier.map(\.status))
        var alerted = false
        if streak >= alertAt {
            // The earlier runs of this streak, oldest first, with the count each one had.
            let previous = Array(earlier.prefix(streak - 1).reversed())
            for (offset, run) in previous.enumerated() where run.completed && !run.adhoc && offset + 1 >= alertAt { alerted = true }
        }
        return Assessment(change: change, firstSeen: firstSeen, unknownRuns: streak, unknownAlert: streak >= alertAt && !alerted)
    }

    /// Consecutive unknown runs up to and including this one: 0 when `current` is known, else 1
    /// plus the unknown results that directly precede it (`earlier`, newest first).
    public static func unknownRuns(current: ComplianceStatus, earlier: [ComplianceStatus]) -> Int {
        guard current == .unknown else { return 0 }
        return 1 + earlier.prefix { $0 == .unknown }.count
    }
}

/// The ad-hoc rescan that saw a change before the consortium run that reports it.
public struct ChangeSighting: Sendable, Equatable, Codable {
    public var run: Int64
    public var startedAt: Date

    public init(run: Int64, startedAt: Date) {
        self.run = run
        self.startedAt = startedAt
    }
}
