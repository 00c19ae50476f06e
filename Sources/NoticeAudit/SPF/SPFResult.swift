/// The result of `check_host()` (RFC 7208 §2.6).
public enum SPFResult: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case pass
    case fail
    case softfail
    case neutral
    case none
    case temperror
    case permerror

    /// How bad the result is for an institution that must authorize the Ex Libris relays: `pass`
    /// is best, `temperror` next (no definite answer), then every definite non-pass.
    public var severityRank: Int {
        switch self {
        case .pass: 0
        case .temperror: 1
        case .neutral: 2
        case .softfail: 3
        case .none: 4
        case .fail: 5
        case .permerror: 6
        }
    }

    public static func < (lhs: SPFResult, rhs: SPFResult) -> Bool { lhs.severityRank < rhs.severityRank }
}

/// A mechanism's qualifier (RFC 7208 §4.6.2).
public enum SPFQualifier: Character, Sendable, Hashable {
    case pass = "+"
    case fail = "-"
    case softfail = "~"
    case neutral = "?"

    public var result: SPFResult {
        switch self {
        case .pass: .pass
        case .fail: .fail
        case .softfail: .softfail
        case .neutral: .neutral
        }
    }
}

/// scan.json and history keep `DomainResult.results` as an object keyed by the result's name.
extension SPFResult: CodingKeyRepresentable {}
