import Foundation

/// One institution's part of every report file, rendered apart from the others so that a batch
/// of results is decoded and rendered on every core while ``ReportWriter`` writes them in order
/// (issue 22: rendering was a third of a 1,000-institution run, on one core).
struct RenderedResult: Sendable {
    var summary: ResultSummary
    var summaryRow: String
    var findingRows: String
    var markdownRow: String
    /// Empty when the institution has no findings to show.
    var markdownDetails: String
    /// The element of scan.json's `institutions`, indented to its place.
    var jsonElement: String
    var htmlRow: String
    var htmlDetails: String
    /// The letter to campus IT, for an addressee (``CampusLetterRenderer/isAddressee(_:report:)``:
    /// the run's causes are known before any institution is checked, so a letter is never taken back).
    var letter: String?

    /// `encoded`: the result's tree when history's encoder has collected it already.
    init(_ result: InstitutionResult, history: InstitutionHistory?, report: ScanReport, encoder: JSONTextEncoder, encoded: EncodedJSONTree? = nil) throws {
        summary = ResultSummary(result)
        summaryRow = CSVReportRenderer.summaryRow(result)
        findingRows = CSVReportRenderer.findingRows(result)
        markdownRow = MarkdownReportRenderer.row(result)
        markdownDetails = MarkdownReportRenderer.details(result)
        jsonElement = try encoded.map { JSONReportRenderer.institution($0, encoder: encoder) } ?? JSONReportRenderer.institution(result, encoder: encoder)
        htmlRow = DashboardRenderer.row(result, history: history, report: report)
        htmlDetails = DashboardRenderer.details(result, history: history, report: report)
        let addressee = CampusLetterRenderer.isAddressee(result, report: report)
        letter = addressee ? CampusLetterRenderer.render(result, history: history, report: report) : nil
    }
}
