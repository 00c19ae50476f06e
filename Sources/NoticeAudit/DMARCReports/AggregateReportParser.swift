import Foundation

/// Why a file is not a DMARC aggregate report.
public struct ReportRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}

/// Reads the XML of a DMARC aggregate report, both formats (RFC 7489 Appendix C; RFC 9990 by its
/// namespace, prefixed or not), as the wild sends them: missing optional fields, upper-case
/// results, empty `reason`s, white space around values, an empty `org_name` (the `email`'s domain
/// then names the organization), and invalid UTF-8 (recovered: each bad byte read as U+FFFD, and
/// said so).
public enum AggregateReportParser {
    /// The RFC 9990 namespace.
    public static let rfc9990Namespace = "urn:ietf:params:xml:ns:dmarc-2.0"

    /// A report, and what had to be recovered to read it.
    public struct Parsed: Sendable {
        public var report: AggregateReport
        public var recovered: [String]
    }

    /// Parses `bytes` (XML, not compressed).
    public static func parse(_ bytes: [UInt8]) throws(ReportRefusal) -> Parsed {
        var recovered: [String] = []
        var input = bytes
        if String(validating: bytes, as: UTF8.self) == nil {
            input = Array(String(decoding: bytes, as: UTF8.self).utf8)
            recovered.append("invalid UTF-8 replaced by U+FFFD")
        }
        var document: MarkupDocument
        do {
            document = try MarkupDocument(xml: input)
        } catch {
            // Some reporters wrap the report in other markup (an unclosed <xs:schema>): the
            // <feedback> element alone, when it is well-formed, is the report.
            guard let inner = feedbackElement(in: input), let wrapped = try? MarkupDocument(xml: inner) else {
                throw ReportRefusal(description: error.description)
            }
            document = wrapped
            recovered.append("the report was wrapped in other markup (\(error.description)); its <feedback> element was read alone")
        }
        guard let root = document.root else { throw ReportRefusal(description: "an empty XML document") }
        guard root.localName == "feedback" else {
            throw ReportRefusal(description: "the root element is <\(root.localName)>, not <feedback>: not a DMARC aggregate report")
        }
        let format: AggregateReport.Format = root.namespace == rfc9990Namespace ? .rfc9990 : .rfc7489
        guard let metadata = root.child("report_metadata") else { throw ReportRefusal(description: "no <report_metadata>") }
        guard let published = root.child("policy_published") else { throw ReportRefusal(description: "no <policy_published>") }
        let email = value(metadata.child("email"))
        let givenOrgName = value(metadata.child("org_name"))
        guard let orgName = givenOrgName ?? email.flatMap({ $0.split(separator: "@").last.map(String.init) }) else {
            throw ReportRefusal(description: "no <org_name> and no <email> name the reporting organization")
        }
        guard let reportID = metadata.child("report_id").map(\.trimmedText), !reportID.isEmpty else { throw ReportRefusal(description: "no <report_id>") }
        let range = metadata.child("date_range")
        guard let begin = timestamp(range?.child("begin")), let end = timestamp(range?.child("end")) else {
            throw ReportRefusal(description: "no valid <date_range> (<begin> and <end> in seconds since 1970)")
        }
        guard let domain = lower(published.child("domain")) else { throw ReportRefusal(description: "no <policy_published><domain>") }
        let policy = AggregateReport.Policy(
            p: lower(published.child("p")), sp: lower(published.child("sp")), np: lower(published.child("np")),
            adkim: lower(published.child("adkim")), aspf: lower(published.child("aspf")), pct: lower(published.child("pct")),
            testing: lower(published.child("testing")), discoveryMethod: lower(published.child("discovery_method")))
        var records: [AggregateReport.Record] = []
        for (index, element) in root.children.enumerated() where element.localName == "record" {
            records.append(try record(element, number: records.count + 1, position: index))
        }
        let report = AggregateReport(orgName: orgName, email: email, reportID: reportID, format: format, begin: begin, end: end, domain: domain,
                                     generator: value(metadata.child("generator")), policy: policy, records: records, orgNameGiven: givenOrgName != nil)
        return Parsed(report: report, recovered: recovered)
    }

    private static func record(_ element: MarkupDocument.Element, number: Int, position: Int) throws(ReportRefusal) -> AggregateReport.Record {
        guard let row = element.child("row") else { throw ReportRefusal(description: "record \(number) has no <row>") }
        guard let source = value(row.child("source_ip")) else { throw ReportRefusal(description: "record \(number) has no <source_ip>") }
        guard let countText = value(row.child("count")), let count = Int(countText), count >= 0 else {
            throw ReportRefusal(description: "record \(number) has no valid <count>")
        }
        let evaluated = row.child("policy_evaluated")
        let reasons = (evaluated?.children ?? []).filter { $0.localName == "reason" }.compactMap { lower($0.child("type")) }
        let identifiers = element.child("identifiers")
        let auth = element.child("auth_results")
        let dkim = (auth?.children ?? []).filter { $0.localName == "dkim" }.map {
            AggregateReport.DKIMResult(domain: lower($0.child("domain")), selector: value($0.child("selector")), result: lower($0.child("result")))
        }
        let spf = (auth?.children ?? []).filter { $0.localName == "spf" }.map {
            AggregateReport.SPFResult(domain: lower($0.child("domain")), scope: lower($0.child("scope")), result: lower($0.child("result")))
        }
        return AggregateReport.Record(
            sourceIP: source.lowercased(), count: count, disposition: lower(evaluated?.child("disposition")),
            dkim: lower(evaluated?.child("dkim")), spf: lower(evaluated?.child("spf")),
            headerFrom: lower(identifiers?.child("header_from")), envelopeFrom: lower(identifiers?.child("envelope_from")),
            dkimResults: dkim, spfResults: spf, reasons: reasons)
    }

    /// The bytes from the first `<feedback` (any prefix) to the end of the last `</feedback>`.
    static func feedbackElement(in bytes: [UInt8]) -> [UInt8]? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let start = text.range(of: #"<([A-Za-z_][\w.-]*:)?feedback[\s>]"#, options: .regularExpression),
              let end = text.range(of: #"</([A-Za-z_][\w.-]*:)?feedback\s*>"#, options: [.regularExpression, .backwards]),
              start.lowerBound < end.lowerBound else { return nil }
        return Array(text[start.lowerBound..<end.upperBound].utf8)
    }

    /// The trimmed text of an element; nil when absent or empty.
    static func value(_ element: MarkupDocument.Element?) -> String? {
        guard let text = element?.trimmedText, !text.isEmpty else { return nil }
        return text
    }

    static func lower(_ element: MarkupDocument.Element?) -> String? { value(element)?.lowercased() }

    /// Seconds since 1970, as an integer (some receivers write a fraction).
    static func timestamp(_ element: MarkupDocument.Element?) -> Date? {
        guard let text = value(element), let seconds = Double(text), seconds.isFinite, seconds >= 0 else { return nil }
        return Date(timeIntervalSince1970: seconds.rounded(.down))
    }
}
