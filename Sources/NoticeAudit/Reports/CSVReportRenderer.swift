/// `summary.csv` and `findings.csv`: RFC 4180, with cells that a spreadsheet would run as a
/// formula neutralised.
public enum CSVReportRenderer {
    /// One field, quoted when needed (RFC 4180 §2); a leading `=`, `+`, `-`, `@`, tab or carriage
    /// return is prefixed with `'` so spreadsheets show it as text (CWE-1236); control characters
    /// other than line feed and tab are written visibly (``UntrustedText/visible(_:)``), so that a
    /// terminal showing the file is not driven by an escape sequence in a record or banner.
    public static func field(_ value: String) -> String {
        var value = UntrustedText.visible(value)
        if let first = value.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingASCII("\"", with: "\"\"") + "\""
    }

    static func line(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\r\n" }

    /// The header line of `summary.csv`.
    static let summaryHeader = line(["institution", "name", "status", "method", "spf_result", "dmarc_policy", "relay_status", "change", "dkim_status", "findings", "gmail", "yahoo", "outlook", "icloud"])

    /// The `summary.csv` row of one institution.
    static func summaryRow(_ result: InstitutionResult) -> String {
        // The deciding finding first, then every other error.
        let codes = result.findings.filter { $0.decisive || $0.severity == .error }.map(\.code.rawValue)
        let fields: [String] = [
            result.institutionID, result.name, result.status.rawValue, result.method.rawValue, result.spfResult?.rawValue ?? "",
            result.dmarcPolicy?.rawValue ?? "", result.relayStatus?.rawValue ?? "", result.change.rawValue, result.dkimStatus?.rawValue ?? "",
            codes.joined(separator: " "),
        ] + ReceivingProvider.allCases.map { result.inbox?.verdict($0)?.status.rawValue ?? "" }
        return line(fields)
    }

    /// One row per institution; `gmail`, `yahoo`, `outlook` and `icloud` (the newest, last) are that provider's column of the
    /// receivers' rules (`pass`, `fail`, `unknown`; empty when the checks did not get that far).
    /// Of a report in memory; ``ReportWriter`` streams the same rows.
    public static func summary(_ report: ScanReport) -> String {
        var text = summaryHeader
        for result in report.results { text += summaryRow(result) }
        return text
    }

    /// The header and run-level rows of `findings.csv`: run-level conditions first (empty
    /// institution; `institutions` names those a cause affects).
    static func findingsHead(_ run: ScanRunRecord) -> String {
        var text = line(["institution", "status", "severity", "code", "target", "message", "remediation", "decisive", "institutions"])
        for finding in run.findings {
            text += line(["", "", finding.severity.rawValue, finding.code.rawValue, finding.target, finding.message, finding.remediation, "",
                          (finding.institutions ?? []).joined(separator: " ")])
        }
        return text
    }

    /// The `findings.csv` rows of one institution, its deciding finding first (`decisive` true).
    static func findingRows(_ result: InstitutionResult) -> String {
        var text = ""
        for finding in result.findings {
            text += line([result.institutionID, result.status.rawValue, finding.severity.rawValue, finding.code.rawValue, finding.target, finding.message,
                          finding.remediation, finding.decisive ? "true" : "", ""])
        }
        return text
    }

    /// One row per finding: run-level conditions first, then each institution's findings. Of a
    /// report in memory; ``ReportWriter`` streams the same rows.
    public static func findings(_ report: ScanReport) -> String {
        var text = findingsHead(report.run)
        for result in report.results { text += findingRows(result) }
        return text
    }
}
