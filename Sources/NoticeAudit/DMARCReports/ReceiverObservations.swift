import Foundation

/// What receivers reported for one institution's notices (scan.json `observed`): the notice
/// records of the last days, a notice record being a report row whose source address is one of
/// the institution's sending addresses and whose `header_from` is one of its From domains
/// (../shared/domain.md, "What receivers report").
public struct ObservedNotices: Sendable, Equatable, Codable {
    public var days: Int
    public var messages: Int
    /// Messages that passed DMARC (an aligned DKIM or SPF pass in `policy_evaluated`).
    public var dmarcPass: Int
    public var dkimAlignedPass: Int
    public var spfAlignedPass: Int
    public var quarantined: Int
    public var rejected: Int
    /// The distinct reports the rows came from.
    public var reports: Int
    /// Messages per reporting organization (the last `days` days).
    public var organizations: [String: Int] = [:]
    /// The last 30 days, oldest first: messages and DMARC passes per day of report end (UTC).
    public var daily: [DayCount] = []

    /// One day of the strip.
    public struct DayCount: Sendable, Equatable, Codable {
        /// `YYYY-MM-DD` (UTC).
        public var day: String
        public var messages: Int
        public var dmarcPass: Int
    }

    /// The least number of notice messages that lets observation settle or contradict anything.
    public static let minimumMessages = 20

    /// True when receivers saw an aligned DKIM pass on at least 95 % of at least 20 notices: the
    /// receivers' `dkim` row then passes, seen by receivers.
    public var dkimSeen: Bool { messages >= Self.minimumMessages && dkimAlignedPass * 100 >= messages * 95 }

    /// The percentage of `part` in the messages, rounded down to a tenth.
    public func percent(_ part: Int) -> String {
        guard messages > 0 else { return "0" }
        let tenths = part * 1000 / messages
        return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
    }
}

/// The DMARC aggregate reports of the last days, read once per scan, indexed by `header_from`.
public struct ReceiverObservations: Sendable {
    /// One report row, as the observations need it.
    public struct Row: Sendable {
        public var report: String
        /// When the report's interval ended.
        public var end: Date = .distantFuture
        public var source: IPAddress
        public var count: Int
        public var dkimPass: Bool
        public var spfPass: Bool
        public var disposition: String?
        /// An SPF pass for exlibrisgroup.com in the auth results: Alma's default envelope.
        public var exLibrisEnvelopePass: Bool
    }

    public var days: Int
    private var rows: [String: [Row]]
    /// Rows whose report ended before this count only in the 30-day strip.
    private var windowStart: Date = .distantPast
    private var now: Date = Date()

    /// The reports whose interval ended within 30 days before `now`; `days` of them count.
    public static func load(from store: DMARCReportStore, days: Int = 7, now: Date = Date()) throws(HistoryError) -> ReceiverObservations {
        let reports = try store.reports(since: now.addingTimeInterval(-30 * 86_400))
        var rows: [String: [Row]] = [:]
        for report in reports {
            for record in report.records {
                guard let from = record.headerFrom, let source = IPAddress(record.sourceIP) else { continue }
                let exLibris = record.spfResults.contains { $0.domain == SendingPath.exLibrisDomain && $0.result == "pass" }
                rows[DomainName.normalized(from), default: []].append(Row(
                    report: "\(report.orgName)\u{1F}\(report.reportID)", end: report.end, source: source, count: record.count, dkimPass: record.dkim == "pass",
                    spfPass: record.spf == "pass", disposition: record.disposition, exLibrisEnvelopePass: exLibris))
            }
        }
        var observations = ReceiverObservations(days: days, rows: rows)
        observations.windowStart = now.addingTimeInterval(-Double(days) * 86_400)
        observations.now = now
        return observations
    }

    public init(days: Int, rows: [String: [Row]]) {
        self.days = days
        self.rows = rows
    }

    /// The notice records of an institution; nil when receivers reported none.
    public func observed(fromDomains: [String], sendingAddresses: [IPNetwork]) -> ObservedNotices? {
        var observed = ObservedNotices(days: days, messages: 0, dmarcPass: 0, dkimAlignedPass: 0, spfAlignedPass: 0, quarantined: 0, rejected: 0, reports: 0)
        var reports: Set<String> = []
        var daily: [String: (Int, Int)] = [:]
        for from in fromDomains {
            for row in rows[DomainName.normalized(from)] ?? [] where sendingAddresses.contains(where: { $0.contains(row.source) }) {
                if row.end != .distantFuture {
                    let day = UTCTime.day(row.end)
                    daily[day, default: (0, 0)].0 += row.count
                    if row.dkimPass || row.spfPass { daily[day, default: (0, 0)].1 += row.count }
                }
                guard row.end >= windowStart else { continue }
                observed.organizations[String(row.report.split(separator: "\u{1F}").first ?? ""), default: 0] += row.count
                observed.messages += row.count
                if row.dkimPass || row.spfPass { observed.dmarcPass += row.count }
                if row.dkimPass { observed.dkimAlignedPass += row.count }
                if row.spfPass { observed.spfAlignedPass += row.count }
                if row.disposition == "quarantine" { observed.quarantined += row.count }
                if row.disposition == "reject" { observed.rejected += row.count }
                reports.insert(row.report)
            }
        }
        observed.reports = reports.count
        if !daily.isEmpty {
            observed.daily = (0..<30).reversed().map { back in
                let day = UTCTime.day(now.addingTimeInterval(-Double(back) * 86_400))
                return ObservedNotices.DayCount(day: day, messages: daily[day]?.0 ?? 0, dmarcPass: daily[day]?.1 ?? 0)
            }
        }
        return observed.messages == 0 ? nil : observed
    }

    /// Where prediction and observation disagree (../shared/domain.md): predicted compliant, and
    /// more than 2 % of at least 20 notices failed DMARC; or predicted noncompliant, and every one
    /// of at least 20 passed. Never changes a verdict.
    public static func contradiction(_ observed: ObservedNotices, status: ComplianceStatus, institution: String) -> Finding? {
        guard observed.messages >= ObservedNotices.minimumMessages else { return nil }
        let failed = observed.messages - observed.dmarcPass
        if status == .compliant, failed * 100 > observed.messages * 2 {
            return Finding(code: .predictionContradicted, severity: .warning, target: institution,
                message: "Predicted compliant, but receivers reported \(failed) of \(observed.messages) notices (\(observed.percent(failed)) %) failing DMARC in the last \(observed.days) days (\(observed.reports) report\(observed.reports == 1 ? "" : "s"); \(observed.quarantined) quarantined, \(observed.rejected) rejected).",
                remediation: "Read the reports (notice-audit dmarc-reports list --json --domain …) for the failing source addresses and results: a sending path the inventory does not know, or a signature that breaks on the way.")
        }
        if status == .noncompliant, failed == 0 {
            return Finding(code: .predictionContradicted, severity: .warning, target: institution,
                message: "Predicted noncompliant, but receivers reported all \(observed.messages) notices passing DMARC in the last \(observed.days) days (\(observed.reports) report\(observed.reports == 1 ? "" : "s"), \(observed.percent(observed.dkimAlignedPass)) % with an aligned DKIM pass).",
                remediation: "Check the inventory against what receivers saw: a DKIM selector or envelope sender it does not name makes the prediction too strict.")
        }
        return nil
    }

    /// Alma mail from addresses the catalog does not know (`CATALOG_DRIFT`, run level): rows with a
    /// member's `header_from`, an SPF pass for exlibrisgroup.com, and a source address outside every
    /// relay set, with their message counts.
    public func drift(members: [(institution: String, domains: [String])], relays: [IPNetwork]) -> Finding? {
        var counts: [IPAddress: Int] = [:]
        var institutions: Set<String> = []
        for member in members {
            for domain in member.domains {
                for row in rows[DomainName.normalized(domain)] ?? [] where row.exLibrisEnvelopePass && !relays.contains(where: { $0.contains(row.source) }) {
                    counts[row.source, default: 0] += row.count
                    institutions.insert(member.institution)
                }
            }
        }
        guard !counts.isEmpty else { return nil }
        let listed = counts.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) message\($0.value == 1 ? "" : "s"))" }
        var finding = Finding(code: .catalogDrift, severity: .warning, target: "catalog",
            message: "Receivers saw Alma mail (SPF pass for \(SendingPath.exLibrisDomain)) for member domains from addresses in no Ex Libris relay set: \(listed.prefix(10).joined(separator: ", "))\(listed.count > 10 ? " and \(listed.count - 10) more" : ""). Ex Libris may send from addresses the catalog page does not list yet.",
            remediation: "Compare with the Ex Libris page (notice-audit ranges fetch, ranges show) and ask Ex Libris support whether these addresses are theirs; campuses that list relay addresses by ip4: terms may need them.",
            campusCanFix: false)
        // Like every run-level cause, it names the institutions it concerns.
        finding.institutions = institutions.sorted()
        return finding
    }
}
