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
    /// True for the one finding that decides the verdict of an institution that is not compliant
    /// (../shared/domain.md: the failure, or for `unknown` why it could not be decided).
    public var decisive: Bool
    /// For a run-level finding: the institutions it affects (nil for an institution's own finding).
    public var institutions: [String]?
    /// Who can act on it: false for a cause outside the campus (Ex Libris, the scanner's DNS, the
    /// catalog), which no letter to campus IT asks them to fix.
    public var campusCanFix: Bool

    public init(code: FindingCode, severity: Severity, target: String, message: String, remediation: String, facts: FindingFacts? = nil,
                campusCanFix: Bool = true) {
        self.code = code
        self.severity = severity
        self.target = target
        self.message = message
        self.remediation = remediation
        self.facts = facts
        self.decisive = false
        self.institutions = nil
        self.campusCanFix = campusCanFix
    }

    /// The identity of what the finding is about: its code and its target (a domain compared
    /// without case or final dot). Within an institution a cause is reported once, however many
    /// checks see it (../shared/domain.md, "One cause, one finding").
    public var cause: FindingCause { FindingCause(code: code, target: target) }

    private enum CodingKeys: String, CodingKey {
        case code, severity, target, message, remediation, facts, decisive, institutions, campusCanFix
    }

    /// Decodes history written before `decisive`, `institutions` and `campusCanFix` were kept.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(FindingCode.self, forKey: .code)
        severity = try container.decode(Severity.self, forKey: .severity)
        target = try container.decode(String.self, forKey: .target)
        message = try container.decode(String.self, forKey: .message)
        remediation = try container.decode(String.self, forKey: .remediation)
        facts = try container.decodeIfPresent(FindingFacts.self, forKey: .facts)
        decisive = try container.decodeIfPresent(Bool.self, forKey: .decisive) ?? false
        institutions = try container.decodeIfPresent([String].self, forKey: .institutions)
        campusCanFix = try container.decodeIfPresent(Bool.self, forKey: .campusCanFix) ?? true
    }
}

/// What a finding is about, as an identity: a code and a target. Two findings with the same cause
/// say one fact, whichever check saw it (a receivers' row refers to the finding of the check that
/// saw the fact, raised to the row's severity, rather than minting a second code for it).
public struct FindingCause: Sendable, Hashable, CustomStringConvertible {
    public var code: FindingCode
    /// The target as compared: lower case, without a final dot.
    public var target: String

    public init(code: FindingCode, target: String) {
        self.code = code
        self.target = DomainName.normalized(target)
    }

    public var description: String { "\(code.rawValue) \(target)" }
}
