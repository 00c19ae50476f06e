import Foundation

/// `summary.md`: what a coordinator reads in two minutes and a campus IT person acts on.
public enum MarkdownReportRenderer {
    /// A table cell: remote-controlled text escaped (``UntrustedText/markdown(_:)``; its escaped `|`
    /// keeps the cell boundary of GitHub-flavoured Markdown tables).
    public static func cell(_ text: String) -> String { UntrustedText.markdown(text) }

    /// Inline text: remote-controlled text escaped (``UntrustedText/markdown(_:)``).
    static func text(_ text: String) -> String { UntrustedText.markdown(text) }

    /// A finding as a list item: code, severity, target, message and fix, all escaped.
    static func finding(_ finding: Finding) -> [String] {
        var lines = ["- **\(finding.code.rawValue)** (\(finding.severity.rawValue), \(text(finding.target))): \(text(finding.message))"]
        if !finding.remediation.isEmpty { lines.append("  - Fix: \(text(finding.remediation))") }
        return lines
    }

    static func date(_ date: Date?) -> String {
        guard let date else { return "—" }
        return UTCTime.iso8601(date)
    }

    static let statusMark: [ComplianceStatus: String] = [.compliant: "✅ compliant", .noncompliant: "❌ noncompliant", .unknown: "❔ unknown"]

    /// summary.md of a report in memory; ``ReportWriter`` streams the same text.
    public static func render(_ report: ScanReport) -> String {
        var rows = "", details = ""
        for result in report.results {
            rows += row(result)
            details += self.details(result)
        }
        return head(report) + rows + middle(hasDetails: !details.isEmpty) + details + tail(report)
    }

    /// Everything before the table's rows: the run, the counts, the catalog, what changed.
    static func head(_ report: ScanReport) -> String {
        var out: [String] = []
        let run = report.run
        out.append("# Alma notice delivery: \(text(run.consortium)), run \(run.id)")
        out.append("")
        out.append("The dashboard of this run: [index.html](index.html) (filter, sort, every institution's details and history).")
        out.append("")
        out.append("Started \(date(run.startedAt)), finished \(date(run.finishedAt)), \(run.status.rawValue) (\(run.trigger.rawValue)); notice-audit \(run.toolVersion).")
        if let selection = run.selection {
            out.append("")
            out.append("**Ad-hoc rescan covering only: \(text(selection.joined(separator: ", "))).** Other institutions were not checked in this run; their change column compares with their own last result.")
        }
        if run.status == .aborted {
            out.append("")
            out.append("**This run was aborted:** only the institutions below were checked.")
        }
        out.append("")
        out.append("| compliant | noncompliant | unknown | total |")
        out.append("| ---: | ---: | ---: | ---: |")
        out.append("| \(report.count(.compliant)) | \(report.count(.noncompliant)) | \(report.count(.unknown)) | \(report.summaries.count) |")

        out.append("")
        out.append("## Ex Libris relay catalog")
        out.append("")
        if let catalog = report.catalog, let snapshot = catalog.snapshot {
            out.append("Source: \(text(snapshot.url)), fetched \(date(snapshot.fetchedAt))" + (snapshot.catalog.lastEdited.map { ", article last edited \(text($0))" } ?? "") + (run.catalogStale ? ". **Stale: the last fetch failed.**" : "."))
        } else {
            out.append("Source: \(text(run.catalogSource ?? "unknown"))" + (run.catalogStale ? " (**stale**)" : "") + ".")
        }
        for note in run.notes { out.append("- \(text(note))") }
        for finding in run.findings { out += Self.finding(finding) }

        // Lazily: a first run makes every institution new, and 100,000 copies would cost 14 MB.
        let changes = report.summaries.lazy.filter { [.regressed, .fixed, .unverified].contains($0.change) }
        out.append("")
        out.append("## What changed since the last run")
        out.append("")
        if changes.isEmpty {
            out.append("No institution changed status.")
        } else {
            for result in changes {
                switch result.change {
                case .unverified:
                    let runs = result.unknownRuns ?? 1
                    out.append("- **\(text(result.displayName))** (\(result.institutionID)): unverified, unknown \(runs == 1 ? "in this run" : "for \(runs) runs in a row") (not a fix and not a regression)")
                default:
                    let seen = result.changeFirstSeen.map { " (first seen by the rescan of run \($0.run) at \(ScanDigest.time($0.startedAt)))" } ?? ""
                    out.append("- **\(text(result.displayName))** (\(result.institutionID)): \(result.change == .fixed ? "fixed, now" : "regressed, now") \(result.status.rawValue)\(seen)")
                }
            }
        }
        let new = report.summaries.lazy.filter { $0.change == .new }
        if !new.isEmpty { out.append("- First checked in this run: \(new.map(\.institutionID).joined(separator: ", ")).") }

        out.append("")
        out.append("## Institutions, worst first")
        out.append("")
        out.append("| institution | status | method | SPF | DMARC | DKIM | relay | change |")
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
        return out.joined(separator: "\n") + "\n"
    }

    /// One institution's row of the table.
    static func row(_ result: InstitutionResult) -> String {
        "| \(cell("\(result.name) (\(result.institutionID))")) | \(statusMark[result.status]!) | \(result.method.rawValue) | \(result.spfResult?.rawValue ?? "—") | \(cell(result.dmarcPolicy?.rawValue ?? "—")) | \(result.dkimStatus?.rawValue ?? "—") | \(result.relayStatus?.rawValue ?? "—") | \(result.change.rawValue) |\n"
    }

    /// The title between the table and the findings, when any institution has findings to show.
    static func middle(hasDetails: Bool) -> String {
        hasDetails ? "\n## Findings and how to fix them\n" : ""
    }

    /// One institution's findings and how to fix them; empty for a compliant one without warnings.
    static func details(_ result: InstitutionResult) -> String {
        guard result.status != .compliant || result.findings.contains(where: { $0.severity == .warning || $0.code == .dmarcAlignedByDKIM }) else { return "" }
        var out: [String] = [""]
        out.append("### \(text(result.name)) (\(result.institutionID)): \(result.status.rawValue)")
        out.append("")
        if result.status != .compliant { out.append("Letter to campus IT: [institutions/\(result.institutionID).md](institutions/\(result.institutionID).md)") ; out.append("") }
        for finding in result.findings { out += Self.finding(finding) }
        for domain in result.domains where !domain.results.isEmpty && domain.worstResult != .pass {
            let parts = domain.results.keys.sorted { $0.rawValue < $1.rawValue }.map { "\($0.rawValue): \(domain.results[$0]!.prefix(8).joined(separator: ", "))\(domain.results[$0]!.count > 8 ? " …" : "")" }
            out.append("- \(text(domain.domain)): \(domain.record.map { "current record \(UntrustedText.markdownCode($0))" } ?? "no SPF record"); per relay range: \(text(parts.joined(separator: "; ")))")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The trend, after the findings.
    static func tail(_ report: ScanReport) -> String {
        var out: [String] = []
        if report.trend.count > 1 {
            out.append("")
            out.append("## Trend: compliant institutions, last \(report.trend.count) runs")
            out.append("")
            out.append("![Compliant institutions per run, last \(report.trend.count) runs](trend.svg)")
        }
        out.append("")
        return out.joined(separator: "\n")
    }
}
