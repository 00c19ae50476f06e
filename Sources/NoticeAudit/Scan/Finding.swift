/// One problem found for an institution (or for the whole run), with what to do about it.
public struct Finding: Sendable, Equatable, Codable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case info, warning, error

        var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// A stable code (`SPF_NOT_AUTHORIZED`, `RELAY_CERT_EXPIRED`) for filters and history.
    public var code: FindingCode
    public var severity: Severity
    /// What the finding is about: a domain, a relay `host:port`, a range.
    public var target: String
    public var message: String
    /// What the campus IT person should do, as they can apply it.
    public var remediation: String
    /// The facts behind the words, as data (for dashboards, letters and scripts); nil in history
    /// written before they were kept.
    public var facts: FindingFacts?

    public init(code: FindingCode, severity: Severity, target: String, message: String, remediation: String, facts: FindingFacts? = nil) {
        self.code = code
        self.severity = severity
        self.target = target
        self.message = message
        self.remediation = remediation
        self.facts = facts
    }
}
