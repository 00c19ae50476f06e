/// An institution's verdict for one run (../shared/domain.md, "Verdict rules").
public enum ComplianceStatus: String, Sendable, Codable, Comparable, CaseIterable {
    case compliant
    case unknown
    case noncompliant

    var rank: Int { self == .compliant ? 0 : self == .unknown ? 1 : 2 }
    public static func < (lhs: ComplianceStatus, rhs: ComplianceStatus) -> Bool { lhs.rank < rhs.rank }
}
