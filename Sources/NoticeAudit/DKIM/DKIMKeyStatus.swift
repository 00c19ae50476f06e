/// What a DKIM key record at `SELECTOR._domainkey.DOMAIN` is worth to a verifier
/// (../shared/domain.md, "DKIM"; RFC 6376 §3.6.1, RFC 8301, RFC 8463).
public enum DKIMKeyStatus: String, Sendable, Codable, CaseIterable, Comparable {
    /// RSA of at least 2048 bits, or Ed25519.
    case ok
    /// RSA of 1024 to 2047 bits: verifiers accept it, but it should be rotated.
    case weak
    /// RSA under 1024 bits: RFC 8301 §3.2 forbids verifiers to accept it.
    case tooWeak = "too_weak"
    /// An empty `p=`: the key was revoked (RFC 6376 §3.6.1).
    case revoked
    /// Bad syntax, `v` not `DKIM1`, an unknown `k`, an undecodable key, `s=` excluding email, or
    /// several records at the name.
    case invalid
    /// No record at the name.
    case missing
    /// No definite DNS answer.
    case temperror

    /// Worst first: invalid, revoked, too_weak, missing, temperror, weak, ok.
    public var severityRank: Int {
        switch self {
        case .invalid: 6
        case .revoked: 5
        case .tooWeak: 4
        case .missing: 3
        case .temperror: 2
        case .weak: 1
        case .ok: 0
        }
    }

    public static func < (lhs: DKIMKeyStatus, rhs: DKIMKeyStatus) -> Bool { lhs.severityRank < rhs.severityRank }

    /// A key a verifier accepts (`ok` or `weak`).
    public var isUsable: Bool { self == .ok || self == .weak }
}
