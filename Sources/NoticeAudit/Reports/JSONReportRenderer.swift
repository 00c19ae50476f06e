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

    /// The document of `report`, as scan.json holds it, with `institutions` (the results in memory).
    static func document(_ report: ScanReport, institutions: [InstitutionResult]) -> Document {
        let run = report.run
        return Document(
            run: .init(id: run.id, startedAt: run.startedAt, finishedAt: run.finishedAt, status: run.status.rawValue, trigger: run.trigger.rawValue,
                       toolVersion: run.toolVersion, consortium: run.consortium, selection: run.selection, catalogSource: run.catalogSource,
                       catalogSnapshotId: run.catalogSnapshotID, catalogStale: run.catalogStale, notes: run.notes, findings: run.findings),
            counts: .init(compliant: report.count(.compliant), noncompliant: report.count(.noncompliant), unknown: report.count(.unknown), total: report.summaries.count),
            institutions: institutions)
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

    /// scan.json around its institutions: the text before the first institution and after the last,
    /// for `count` institutions. The members are sorted, so `counts` comes before `institutions` and
    /// `run` after: the document is written once the counts are known, the institutions between.
    static func frame(_ report: ScanReport, count: Int) throws -> (head: String, tail: String) {
        let empty = try encoder().encodeString(document(report, institutions: [])) + "\n"
        let marker = "\"institutions\" : [\n\n  ]"
        guard let range = empty.range(of: marker) else { throw ReportWriteError(path: "scan.json", detail: "the document has no institutions member") }
        if count == 0 { return (String(empty[..<range.upperBound]), String(empty[range.upperBound...])) }
        return (String(empty[..<range.lowerBound]) + "\"institutions\" : [\n", "\n  ]" + String(empty[range.upperBound...]))
    }

    /// What stands between two elements of `institutions`.
    static let institutionSeparator = ",\n"

    /// One institution as an element of `institutions`, indented to its place; elements are joined by ``institutionSeparator``.
    static func institution(_ result: InstitutionResult, encoder: JSONTextEncoder) throws -> String {
        "    " + (try encoder.encodeString(result, indent: 4))
    }

    /// ``institution(_:encoder:)`` from the result's tree as history's encoder collected it.
    static func institution(_ tree: EncodedJSONTree, encoder: JSONTextEncoder) -> String {
        "    " + String(decoding: encoder.write(tree, indent: 4), as: UTF8.self)
    }

    /// scan.json of a report in memory; ``ReportWriter`` streams the same text.
    public static func render(_ report: ScanReport) throws -> String {
        let (head, tail) = try frame(report, count: report.results.count)
        let encoder = encoder()
        return head + (try report.results.map { try institution($0, encoder: encoder) }.joined(separator: institutionSeparator)) + tail
    }
}
