import Foundation

/// One run in the list of runs (`Reports/index.html`): when, how it ended, its counts, where its
/// reports are.
public struct RunListing: Sendable, Equatable {
    public var run: Int64
    public var startedAt: Date
    public var status: String
    public var trigger: String
    public var adhoc: Bool
    public var reportPath: String
    public var compliant: Int
    public var noncompliant: Int
    public var unknown: Int
    public var total: Int

    public init(run: Int64, startedAt: Date, status: String, trigger: String, adhoc: Bool, reportPath: String,
                compliant: Int, noncompliant: Int, unknown: Int, total: Int) {
        self.run = run
        self.startedAt = startedAt
        self.status = status
        self.trigger = trigger
        self.adhoc = adhoc
        self.reportPath = reportPath
        self.compliant = compliant
        self.noncompliant = noncompliant
        self.unknown = unknown
        self.total = total
    }

    /// The run folder's name (the last component of its report path).
    public var folderName: String { (reportPath as NSString).lastPathComponent }
}
