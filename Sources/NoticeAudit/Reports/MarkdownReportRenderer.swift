import Foundation

/// `summary.md`: what a coordinator reads in two minutes and a campus IT person acts on.
public enum MarkdownReportRenderer {
    /// A table cell: `|` escaped, line breaks as `<br>` (GitHub-flavoured Markdown tables).
    public static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: "<br>").replacingOccurrences(of: "\n", with: "<br>")
    }

    static func date(_ date: Date?) -> String {
        guard let date else { return "—" }
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }

    static let statusMark: [ComplianceStatus: String] = [.compliant: "✅ compliant", .noncompliant: "❌ noncompliant", .unknown: "❔ unknown"]

    public static func render(_ report: ScanReport) -> String {
        var out: [String] = []
        let run = report.run
        out.append("# Alma notice delivery: \(run.consortium), run \(run.id)")
        out.append("")
        out.append("Started \(date(run.startedAt)), finished \(date(run.finishedAt)), \(run.status.rawValue) (\(run.trigger.rawValue)); notice-audit \(run.toolVersion).")
        if let selection = run.selection {
            out.append("")
            out.append("**Ad-hoc rescan covering only: \(selection.joined(separator: ", ")).** Other institutions were not checked in this run; their change column compares with their own last result.")
        }
        if run.status == .aborted {
            out.append("")
            out.append("**This run was aborted:** only the institutions below were checked.")
        }
        out.append("")
        out.append("| compliant | noncompliant | unknown | total |")
        out.append("| ---: | ---: | ---: | ---: |")
        out.append("| \(report.count(.compliant)) | \(report.count(.noncompliant)) | \(report.count(.unknown)) | \(report.results.count) |")

        out.append("")
        out.append("## Ex Libris relay catalog")
        out.append("")
        if let catalog = report.catalog, let snapshot = catalog.snapshot {
            out.append("Source: \(snapshot.url), fetched \(date(snapshot.fetchedAt))" + (snapshot.catalog.lastEdited.map { ", article last edited \($0)" } ?? "") + (run.catalogStale ? ". **Stale: the last fetch failed.**" : "."))
        } else {
            out.append("Source: \(run.catalogSource ?? "unknown")" + (run.catalogStale ? " (**stale**)" : "") + ".")
        }
        for note in run.notes { out.append("- \(note)") }
        for finding in run.findings {
            out.append("- **\(finding.code.rawValue)** (\(finding.severity.rawValue), \(finding.target)): \(finding.message)")
            if !finding.remediation.isEmpty { out.append("  - Fix: \(finding.remediation)") }
        }

        let changes = report.results.filter { [.regressed, .fixed, .unverified].contains($0.change) }
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
                    out.append("- **\(result.name)** (\(result.institutionID)): unverified, unknown \(runs == 1 ? "in this run" : "for \(runs) runs in a row") (not a fix and not a regression)")
                default:
                    out.append("- **\(result.name)** (\(result.institutionID)): \(result.change == .fixed ? "fixed, now" : "regressed, now") \(result.status.rawValue)")
                }
            }
        }
        let new = report.results.filter { $0.change == .new }
        if !new.isEmpty { out.append("- First checked in this run: \(new.map(\.institutionID).joined(separator: ", ")).") }

        out.append("")
        out.append("## Institutions, worst first")
        out.append("")
        out.append("| institution | status | method | SPF | DMARC | relay | change |")
        out.append("| --- | --- | --- | --- | --- | --- | --- |")
        for result in report.results {
            out.append("| \(cell("\(result.name) (\(result.institutionID))")) | \(statusMark[result.status]!) | \(result.method.rawValue) | \(result.spfResult?.rawValue ?? "—") | \(cell(result.dmarcPolicy ?? "—")) | \(result.relayStatus?.rawValue ?? "—") | \(result.change.rawValue) |")
        }

        let failing = report.results.filter { $0.status != .compliant || $0.findings.contains { $0.severity == .warning || $0.code == .dmarcAlignedByDKIM } }
        if !failing.isEmpty {
            out.append("")
            out.append("## Findings and how to fix them")
            for result in failing {
                out.append("")
                out.append("### \(result.name) (\(result.institutionID)): \(result.status.rawValue)")
                out.append("")
                for finding in result.findings {
                    out.append("- **\(finding.code.rawValue)** (\(finding.severity.rawValue), \(finding.target)): \(finding.message)")
                    if !finding.remediation.isEmpty { out.append("  - Fix: \(finding.remediation)") }
                }
                for domain in result.domains where !domain.results.isEmpty && domain.worstResult != .pass {
                    let parts = domain.results.keys.sorted().map { "\($0): \(domain.results[$0]!.prefix(8).joined(separator: ", "))\(domain.results[$0]!.count > 8 ? " …" : "")" }
                    out.append("- \(domain.domain): \(domain.record.map { "current record `\($0)`" } ?? "no SPF record"); per relay range: \(parts.joined(separator: "; "))")
                }
            }
        }

        if report.trend.count > 1 {
            out.append("")
            out.append("## Trend: compliant institutions, last \(report.trend.count) runs")
            out.append("")
            out.append(trendChart(report.trend))
        }
        out.append("")
        return out.joined(separator: "\n")
    }

    /// An inline SVG line chart of compliant institutions per run.
    static func trendChart(_ trend: [(run: Int64, startedAt: Date, compliant: Int, total: Int)]) -> String {
        let width = 600.0, height = 140.0, margin = 24.0
        let maximum = Double(max(1, trend.map(\.total).max() ?? 1))
        let step = trend.count > 1 ? (width - 2 * margin) / Double(trend.count - 1) : 0
        let points = trend.enumerated().map { index, entry in
            String(format: "%.1f,%.1f", margin + Double(index) * step, height - margin - Double(entry.compliant) / maximum * (height - 2 * margin))
        }
        let first = trend.first!, last = trend.last!
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" role="img" aria-label="compliant institutions per run">
            <rect x="0" y="0" width="\(Int(width))" height="\(Int(height))" fill="white" stroke="#ccc"/>
            <line x1="\(margin)" y1="\(margin)" x2="\(width - margin)" y2="\(margin)" stroke="#eee"/>
            <text x="4" y="\(margin + 4)" font-size="10">\(Int(maximum))</text>
            <text x="4" y="\(height - margin + 4)" font-size="10">0</text>
            <polyline fill="none" stroke="#2a7" stroke-width="2" points="\(points.joined(separator: " "))"/>
            <text x="\(margin)" y="\(height - 6)" font-size="10">run \(first.run): \(first.compliant)/\(first.total)</text>
            <text x="\(width - margin - 110)" y="\(height - 6)" font-size="10">run \(last.run): \(last.compliant)/\(last.total)</text>
            </svg>
            """
    }
}
