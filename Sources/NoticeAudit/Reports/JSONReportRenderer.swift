import Foundation

/// `scan.json`: the run and every result, as documented in docs/scan-json.md (schema version 1).
public enum JSONReportRenderer {
    struct Document: Encodable {
        struct Run: Encodable {
            var id: Int64
            var startedAt: Date
            var finishedAt: Date?
            var status: String
            var trigger: String
            var toolVersion: String
            var consortium: String
            var selection: [String]?
            var catalogSource: String?
            var catalogSnapshotId: Int64?
            var catalogStale: Bool
            var notes: [String]
            /// Run-level findings (catalog stale, incomplete, changed; page and include disagreeing).
            var findings: [Finding]
        }

        struct Counts: Encodable {
            var compliant: Int
            var noncompliant: Int
            var unknown: Int
            var total: Int
        }

        var schemaVersion = 1
        var run: Run
        var counts: Counts
        var institutions: [InstitutionResult]
    }

    /// The document of `report`, as scan.json holds it.
    static func document(_ report: ScanReport) -> Document {
        let run = report.run
        return Document(
            run: .init(id: run.id, startedAt: run.startedAt, finishedAt: run.finishedAt, status: run.status.rawValue, trigger: run.trigger.rawValue,
                       toolVersion: run.toolVersion, consortium: run.consortium, selection: run.selection, catalogSource: run.catalogSource,
                       catalogSnapshotId: run.catalogSnapshotID, catalogStale: run.catalogStale, notes: run.notes, findings: run.findings),
            counts: .init(compliant: report.count(.compliant), noncompliant: report.count(.noncompliant), unknown: report.count(.unknown), total: report.results.count),
            institutions: report.results)
    }

    /// The encoder of scan.json: what `JSONEncoder` writes with `[.prettyPrinted, .sortedKeys,
    /// .withoutEscapingSlashes]`, snake-case keys and ISO 8601 dates.
    static func encoder() -> JSONTextEncoder {
        let encoder = JSONTextEncoder()
        encoder.prettyPrinted = true
        encoder.sortedKeys = true
        encoder.escapesSlashes = false
        encoder.snakeCaseKeys = true
        encoder.iso8601Dates = true
        return encoder
    }

    public static func render(_ report: ScanReport) throws -> String {
        try encoder().encodeString(document(report)) + "\n"
    }
}
