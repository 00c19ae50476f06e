/// How Alma protects its connection to an institution's SMTP relay.
public enum RelaySecurity: String, Sendable, CaseIterable, Codable {
    /// Plain connection upgraded with STARTTLS (RFC 3207), normally on the submission port 587.
    case starttls
    /// Implicit TLS from the first byte (RFC 8314 §3.3), normally on port 465.
    case tls
    /// No encryption, normally port 25.
    case none

    /// The port used when the inventory names none.
    public var defaultPort: Int {
        switch self {
        case .starttls: 587
        case .tls: 465
        case .none: 25
        }
    }
}
