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

    public init(code: FindingCode, severity: Severity, target: String, message: String, remediation: String) {
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

/// How an institution's status moved against its last known status (../shared/domain.md,
/// "Changes between runs"): the latest earlier run in which it was `compliant` or `noncompliant`.
public enum StatusChange: String, Sendable, Codable {
    /// No earlier run at all, or no earlier known status and known now.
    case new
    case unchanged
    /// Last known compliant, now noncompliant.
    case regressed
    /// Last known noncompliant, now compliant.
    case fixed
    /// Now unknown: a DNS outage is neither a fix nor a regression.
    case unverified

    /// The change from `lastKnown` (nil when no earlier run was compliant or noncompliant) to `current`.
    public static func between(lastKnown: ComplianceStatus?, current: ComplianceStatus) -> StatusChange {
        if current == .unknown { return .unverified }
        switch (lastKnown, current) {
        case (nil, _): return .new
        case (.compliant?, .noncompliant): return .regressed
        case (.noncompliant?, .compliant): return .fixed
        default: return .unchanged
        }
    }

    /// Consecutive unknown runs up to and including this one: 0 when `current` is known, else 1
    /// plus the unknown results that directly precede it (`earlier`, newest first).
    public static func unknownRuns(current: ComplianceStatus, earlier: [ComplianceStatus]) -> Int {
        guard current == .unknown else { return 0 }
        return 1 + earlier.prefix { $0 == .unknown }.count
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
    /// Consecutive unknown runs up to this one (scan.json `unknown_runs`); nil in history written
    /// before it was counted.
    public var unknownRuns: Int?
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
        self.unknownRuns = nil
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
