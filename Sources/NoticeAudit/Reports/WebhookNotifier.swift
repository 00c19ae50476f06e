import Foundation

/// Posts a short JSON summary of a run to a chat webhook when something needs attention: a
/// regression or a change of the Ex Libris catalog. The body carries `text` (what Slack incoming
/// webhooks and Microsoft Teams connectors show) and the counts. Never fails the scan.
///
/// A Slack or Teams webhook URL is a credential (anyone holding it can post), so nothing this
/// type says names more of it than its host.
public struct WebhookNotifier: Sendable {
    public let url: String
    public let client: CurlHTTPClient

    public init(url: String, client: CurlHTTPClient) {
        self.url = url
        self.client = client
    }

    /// Consecutive unknown runs at which an institution is worth a message (once per streak).
    public static let unknownRunsAlert = 3

    /// The institutions at ``unknownRunsAlert`` or more consecutive unknown runs that no earlier
    /// report of the streak told (``InstitutionResult/unknownAlert``: also when the run that
    /// reached three was aborted).
    static func longUnknown(_ report: ScanReport) -> [ResultSummary] {
        report.summaries.filter(\.unknownAlert)
    }

    /// True when the run has something to tell (../shared/domain.md, "Changes between runs"): a
    /// regression, an institution reaching three consecutive unknown runs, a change of the Ex
    /// Libris catalog, or a scanner whose resolver lies (nothing was checked). An unknown run alone
    /// (a DNS glitch) is not.
    public static func shouldNotify(_ report: ScanReport) -> Bool {
        report.summaries.contains { $0.change == .regressed } || !longUnknown(report).isEmpty
            || report.run.findings.contains { $0.code == .catalogChanged || $0.code == .dnsUntrusted }
    }

    /// The message: counts, regressions, long unknowns, catalog changes and where the report is.
    public static func payload(_ report: ScanReport, reportPath: String) -> [String: Any] {
        let regressed = report.summaries.filter { $0.change == .regressed }
        let unknown = longUnknown(report)
        var lines = ["notice-audit \(report.run.consortium) run \(report.run.id): \(report.count(.compliant)) compliant, \(report.count(.noncompliant)) noncompliant, \(report.count(.unknown)) unknown of \(report.summaries.count)."]
        if !regressed.isEmpty { lines.append("Regressed: " + regressed.map { "\($0.displayName) (\($0.institutionID)) is now \($0.status.rawValue)" }.joined(separator: "; ") + ".") }
        if !unknown.isEmpty { lines.append("Unknown for \(unknownRunsAlert) or more runs in a row: " + unknown.map { "\($0.displayName) (\($0.institutionID), \($0.unknownRuns ?? unknownRunsAlert) runs)" }.joined(separator: "; ") + ".") }
        lines += report.run.findings.filter { $0.code == .dnsUntrusted }.map { "\($0.code.rawValue): \($0.message)" }
        lines += report.run.findings.filter { $0.code == .catalogChanged }.map(\.message)
        lines.append("Report: \(reportPath)")
        return [
            "text": lines.joined(separator: "\n"), "run": report.run.id, "consortium": report.run.consortium,
            "compliant": report.count(.compliant), "noncompliant": report.count(.noncompliant), "unknown": report.count(.unknown),
            "regressed": regressed.map(\.institutionID), "unknown_for_\(unknownRunsAlert)_runs": unknown.map(\.institutionID), "report": reportPath,
        ]
    }

    /// The part of the URL that may be shown: its host.
    public static func displayName(of url: String) -> String {
        URL(string: url)?.host.map { "at \($0)" } ?? "(an invalid URL)"
    }

    /// Sends the notification when there is something to tell; returns why it failed, if it did,
    /// naming only the webhook's host.
    public func notifyIfNeeded(_ report: ScanReport, reportPath: String) async -> String? {
        guard Self.shouldNotify(report) else { return nil }
        do {
            let body = try JSONSerialization.data(withJSONObject: Self.payload(report, reportPath: reportPath), options: [.sortedKeys])
            _ = try await client.post(url, body: Array(body), contentType: "application/json")
            return nil
        } catch {
            let reason: String
            switch error {
            case HTTPFetchError.httpStatus(let code, _): reason = "HTTP status \(code)"
            case HTTPFetchError.invalidURL: reason = "it is not an http(s) URL"
            default: reason = "\(error)".replacingOccurrences(of: url, with: Self.displayName(of: url))
            }
            return "the webhook \(Self.displayName(of: url)) could not be notified: \(reason)"
        }
    }
}
