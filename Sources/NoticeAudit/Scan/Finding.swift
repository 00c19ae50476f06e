/// One problem found for an institution (or for the whole run), with what to do about it.
public struct Finding: Sendable, Equatable, Codable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case info, warning, error

        var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// A stable code (`SPF_NOT_AUTHORIZED`, `RELAY_CERT_EXPIRED`) for filters and history.
    public var code: String
    public var severity: Severity
    /// What the finding is about: a domain, a relay `host:port`, a range.
    public var target: String
    public var message: String
    /// What the campus IT person should do, as they can apply it.
    public var remediation: String

    public init(code: String, severity: Severity, target: String, message: String, remediation: String) {
        self.code = code
        self.severity = severity
        self.target = target
        self.message = message
        self.remediation = remediation
    }
}

/// An institution's verdict for one run (../shared/domain.md, "Verdict rules").
public enum ComplianceStatus: String, Sendable, Codable, Comparable, CaseIterable {
    case compliant
    case unknown
    case noncompliant

    var rank: Int { self == .compliant ? 0 : self == .unknown ? 1 : 2 }
    public static func < (lhs: ComplianceStatus, rhs: ComplianceStatus) -> Bool { lhs.rank < rhs.rank }
}

/// How an institution's status moved since the previous run that covered it.
public enum StatusChange: String, Sendable, Codable {
    case new, unchanged, regressed, fixed

    public static func between(previous: ComplianceStatus?, current: ComplianceStatus) -> StatusChange {
        guard let previous else { return .new }
        if previous == current { return .unchanged }
        return current > previous ? .regressed : .fixed
    }
}

/// One institution's result in one run.
public struct InstitutionResult: Sendable, Equatable, Codable {
    public var institutionID: String
    public var name: String
    public var method: DeliveryMethod
    public var status: ComplianceStatus
    /// The worst `check_host()` result over every relay address and sender domain (SPF institutions).
    public var spfResult: SPFResult?
    /// The strictest DMARC policy among the From domains.
    public var dmarcPolicy: String?
    public var relayStatus: RelayStatus?
    public var change: StatusChange
    public var findings: [Finding]
    /// Per sender domain: the result per range, for the report.
    public var domains: [DomainResult]
    public var relay: RelaySummary?
    public var durationMilliseconds: Int

    public init(institutionID: String, name: String, method: DeliveryMethod, status: ComplianceStatus, spfResult: SPFResult?, dmarcPolicy: String?,
                relayStatus: RelayStatus?, change: StatusChange, findings: [Finding], domains: [DomainResult], relay: RelaySummary?, durationMilliseconds: Int) {
        self.institutionID = institutionID
        self.name = name
        self.method = method
        self.status = status
        self.spfResult = spfResult
        self.dmarcPolicy = dmarcPolicy
        self.relayStatus = relayStatus
        self.change = change
        self.findings = findings
        self.domains = domains
        self.relay = relay
        self.durationMilliseconds = durationMilliseconds
    }
}

/// A sender domain's SPF and DMARC outcome.
public struct DomainResult: Sendable, Equatable, Codable {
    public var domain: String
    public var worstResult: SPFResult?
    /// Result → sub-ranges with that result.
    public var results: [String: [String]]
    public var record: String?
    public var dnsLookups: Int?
    public var dmarcPolicy: String?
    public var dmarcAligned: Bool?
}

/// What the relay probe found, for the report.
public struct RelaySummary: Sendable, Equatable, Codable {
    public var host: String
    public var port: Int
    public var security: String
    public var status: RelayStatus
    public var detail: String?
    public var tlsVersion: String?
    public var certificateExpires: String?
    public var authMechanisms: [String]
}
