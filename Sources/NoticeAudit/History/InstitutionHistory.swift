import Foundation

/// One institution's recent runs, for the dashboard's history strip and the letters' "since when".
public struct InstitutionHistory: Sendable, Equatable {
    /// One run of the institution.
    public struct Point: Sendable, Equatable {
        public var run: Int64
        public var startedAt: Date
        public var status: ComplianceStatus

        public init(run: Int64, startedAt: Date, status: ComplianceStatus) {
            self.run = run
            self.startedAt = startedAt
            self.status = status
        }
    }

    /// The last runs (at most the limit asked), oldest first, ending with the run reported.
    public var recent: [Point]
    /// The first run of the current state (``ScanStore/histories(upTo:limit:)`` says the rule).
    public var since: Point?

    public init(recent: [Point], since: Point?) {
        self.recent = recent
        self.since = since
    }

    /// Whole days from ``since`` to `date` (0 for the first day).
    public func days(until date: Date) -> Int? {
        since.map { max(0, Int(date.timeIntervalSince($0.startedAt) / 86_400)) }
    }
}
