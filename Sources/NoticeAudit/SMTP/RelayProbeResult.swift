import Foundation

/// What a relay probe found, in the words of the interface (`notice-audit relay --json` `status`).
public enum RelayStatus: String, Sendable, Codable, CaseIterable {
    case ok
    /// The relay's host answered the connection with a reset (ECONNREFUSED), or greeted and then
    /// dropped the connection before the dialogue ended.
    case refused
    /// No route to the relay from here: network or host unreachable (ENETUNREACH, EHOSTUNREACH).
    case unreachable
    case timeout
    case dnsError = "dns_error"
    case tlsError = "tls_error"
    case certUntrusted = "cert_untrusted"
    case certExpired = "cert_expired"
    case certNameMismatch = "cert_name_mismatch"
    case starttlsMissing = "starttls_missing"
    case authMissing = "auth_missing"
    case authFailed = "auth_failed"
    /// A 5xx greeting: the relay refuses the session.
    case rejected
    /// A 4xx reply at any step (a 421 greeting, STARTTLS or AUTH answered 454): try again later.
    case temporary
    case protocolError = "protocol_error"
}

/// The certificate the relay presented (the first of its chain).
public struct RelayCertificate: Sendable, Equatable, Codable {
    public var subject: String
    public var issuer: String
    public var notAfter: Date?
    /// DNS names of the subject alternative name extension.
    public var names: [String]

    /// Whole days from `now` to expiry; negative once expired.
    public func daysLeft(now: Date = Date()) -> Int? {
        notAfter.map { Int(($0.timeIntervalSince(now) / 86_400).rounded(.down)) }
    }
}

/// The TLS session of a probe.
public struct RelayTLS: Sendable, Equatable, Codable {
    public var version: String?
    public var cipher: String?
    public var certificate: RelayCertificate?
    /// True when the chain verified against the trust store and the name matched.
    public var verified: Bool
    /// The OpenSSL verification verdict in words, when the chain did not verify.
    public var verifyError: String?
    public var nameMatches: Bool?
}

/// A warning that does not make the relay fail.
public struct RelayWarning: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case certificateExpiringSoon = "RELAY_CERT_EXPIRING"
        case oldTLS = "RELAY_TLS_OLD"
        case clearTextCredentials = "RELAY_CLEARTEXT_CREDENTIALS"
        case port857 = "RELAY_PORT_857"
        case authNotTested = "RELAY_AUTH_NOT_TESTED"
    }

    public var code: Code
    public var message: String
    public var description: String { "\(code.rawValue): \(message)" }
}

/// Everything one probe learned. Holds no password and no AUTH payload.
public struct RelayProbeResult: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var security: RelaySecurity
    public var status: RelayStatus
    /// What went wrong, in words, for the report.
    public var detail: String?
    /// For dns_error and timeout: the failure may pass by itself (verdict unknown, not noncompliant).
    public var isTemporary: Bool
    public var addresses: [IPAddress]
    public var banner: String?
    /// EHLO keywords before TLS (STARTTLS relays) and after it (the ones that matter).
    public var capabilitiesBeforeTLS: [String]
    public var capabilities: [String]
    public var tls: RelayTLS?
    public var authMechanisms: [String]
    /// True when AUTH was tried and accepted, false when rejected, nil when not tried.
    public var authAccepted: Bool?
    public var warnings: [RelayWarning]
    /// The SMTP dialogue, with every AUTH exchange redacted.
    public var transcript: [String]
}
