import Foundation

/// What the scan prints for cron mail at the default log level: the counts, the changes, one line
/// per institution that is not compliant (worst first: `id  status  CODE  [providers that refuse
/// the notices, with their reply]  one sentence`), then
/// where the reports are. Forty institutions fit on one screen; remote-controlled text is made
/// visible and kept on one line (``UntrustedText/singleLine(_:)``).
public struct ScanDigest: Sendable {
    public let report: ScanReport
    /// The run folder (summary.md and index.html are in it).
    public let reportFolder: String
    /// The width a line is cut to.
    public var width = 180

    public init(report: ScanReport, reportFolder: String) {
        self.report = report
        self.reportFolder = reportFolder
    }

    /// The digest's lines, joined by line feeds (no final one).
    public func render() -> String {
        var lines: [String] = []
        write { lines.append($0) }
        return lines.joined(separator: "\n")
    }

    /// Hands each line of the digest to `emit`, in order, as it is made: 100,000 institutions
    /// need no copy of their summaries and no text of the whole digest in memory.
    public func write(_ emit: (String) -> Void) {
        let run = report.run
        let summaries = report.summaries
        let scope = run.selection.map { " (ad-hoc: \($0.joined(separator: ", ")))" } ?? ""
        emit("run \(run.id)\(scope): \(report.count(.compliant)) compliant, \(report.count(.noncompliant)) noncompliant, \(report.count(.unknown)) unknown of \(summaries.count)")
        let kinds: [StatusChange] = [.regressed, .fixed, .unverified, .new]
        let changed = kinds.map { kind in (kind, summaries.reduce(0) { $0 + ($1.change == kind ? 1 : 0) }) }.filter { $0.1 > 0 }
        if changed.isEmpty {
            emit("changes: none since the last run")
        } else {
            for (kind, count) in changed {
                let names = summaries.lazy.filter { $0.change == kind }.prefix(Self.namesPerChange).map { result in
                    if let seen = result.changeFirstSeen { return "\(result.institutionID) (first seen by the rescan of run \(seen.run) at \(Self.time(seen.startedAt)))" }
                    return kind == .unverified && (result.unknownRuns ?? 1) > 1 ? "\(result.institutionID) (\(result.unknownRuns!) runs)" : result.institutionID
                }
                let more = count > Self.namesPerChange ? " and \(count - Self.namesPerChange) more (summary.md)" : ""
                emit("  \(kind.rawValue) (\(count)): \(names.joined(separator: ", "))\(more)")
            }
        }
        for finding in run.findings where finding.severity != .info || finding.code == .catalogChanged {
            var affected = ""
            if let institutions = finding.institutions, !institutions.isEmpty {
                let named = institutions.prefix(Self.namesPerChange).joined(separator: ", ")
                let more = institutions.count > Self.namesPerChange ? " and \(institutions.count - Self.namesPerChange) more" : ""
                affected = " [\(institutions.count) institution\(institutions.count == 1 ? "" : "s"): \(named)\(more)]"
            }
            emit(cut("  \(finding.code.rawValue)\(affected): \(UntrustedText.singleLine(finding.message))"))
        }
        // An institution whose verdict a run-level cause explains is counted on the cause's line above.
        let failing = summaries.lazy.filter { $0.status != .compliant && report.cause(of: $0.institutionID) == nil }
        if !failing.isEmpty {
            emit("not compliant, worst first:")
            let idWidth = min(24, failing.map(\.institutionID.count).max() ?? 0)
            let codeWidth = min(30, failing.map { $0.topCode?.rawValue.count ?? 1 }.max() ?? 0)
            for result in failing {
                let line = "  " + pad(result.institutionID, idWidth) + "  " + pad(result.status.rawValue, 12) + "  "
                    + pad(result.topCode?.rawValue ?? "-", codeWidth) + "  " + (result.failingProviders.map { "[\($0)] " } ?? "")
                    + (result.topSentence ?? "no finding recorded")
                emit(cut(line))
            }
        }
        // What receivers reported against the prediction: one line per contradiction.
        for result in summaries {
            for message in result.contradictions {
                emit(cut("  PREDICTION_CONTRADICTED \(result.institutionID): \(UntrustedText.singleLine(message))"))
            }
        }
        emit("summary:   \(reportFolder)/summary.md")
        emit("dashboard: \(reportFolder)/index.html")
    }

    /// `2026-11-29 14:05 UTC`.
    static func time(_ date: Date) -> String { UTCTime.minute(date) }

    /// Institutions named per kind of change; the rest are counted.
    static let namesPerChange = 10

    /// The finding that decides the verdict; in history written before it was flagged, the first
    /// error, else the first warning, else the first.
    static func topFinding(_ result: InstitutionResult) -> Finding? {
        result.decisiveFinding ?? result.findings.first { $0.severity == .error } ?? result.findings.first { $0.severity == .warning } ?? result.findings.first
    }

    /// Up to the end of the first sentence (". " followed by more text).
    static func firstSentence(_ text: String) -> String {
        guard let end = text.range(of: ". ") else { return text }
        return String(text[..<end.lowerBound]) + "."
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private func cut(_ line: String) -> String {
        line.count <= width ? line : String(line.prefix(width - 1)) + "…"
    }
}
