import Foundation

/// The check of an institution's own relay: the probe's status judged from the scanner's vantage
/// point (../shared/domain.md, `delivery: relay`), with a fix for campus IT.
public struct RelayCheck: Sendable {
    /// What the check found.
    public struct Result: Sendable {
        public var summary: RelaySummary
        public var outcome: CheckOutcome
        public var findings: [Finding]
    }

    public let probe: SMTPProbe
    public let credentials: RelayCredentials
    /// The scanner's own addresses (`scanner.egress_addresses`), named in the request to admit it.
    public let scannerAddresses: [IPNetwork]

    public init(probe: SMTPProbe, credentials: RelayCredentials = RelayCredentials(), scannerAddresses: [IPNetwork] = []) {
        self.probe = probe
        self.credentials = credentials
        self.scannerAddresses = scannerAddresses
    }

    public func check(_ relay: RelayConfiguration) async throws -> Result {
        let (password, passwordProblem) = credentials.password(for: relay)
        let probed = try await probe.probe(host: relay.host, port: relay.port, security: relay.security, username: relay.username, password: password)
        let summary = RelaySummary(
            host: relay.host, port: relay.port, security: relay.security, status: probed.status, detail: probed.detail,
            tlsVersion: probed.tls?.version, certificateExpires: probed.tls?.certificate?.notAfter.map(UTCTime.iso8601),
            authMechanisms: probed.authMechanisms, banner: probed.banner)
        let target = "\(relay.host):\(relay.port)"
        var (outcome, reason) = VerdictRules.relay(status: probed.status, temporary: probed.isTemporary, admitsScanner: relay.admitsScanner)
        var findings: [Finding] = []
        if let reason {
            let what = probed.detail ?? "the probe ended with \(probed.status.rawValue)"
            findings.append(Finding(
                code: reason, severity: outcome == .fail ? .error : .warning, target: target,
                message: reason == .relayUnreachableFromScanner
                    ? "The scanner could not complete a session with \(target): \(what). A campus firewall or access list that admits only the Ex Libris ranges is right to turn the scanner away, so this proves nothing about Alma's access."
                    : "The relay \(target) (\(relay.security.rawValue)): \(what).",
                remediation: Self.remediation(for: reason, relay: relay, scanner: scannerAddresses)))
        }
        if let passwordProblem, probed.status == .ok {
            outcome = VerdictRules.combine([outcome, .unknown])
            findings.append(Finding(code: .relayPasswordUnavailable, severity: .error, target: target,
                message: "The login to \(target) could not be tested: \(passwordProblem).",
                remediation: "Give the scan the relay password (the inventory's password_env or credentials_file)."))
        }
        if let exposure = credentials.exposure(of: relay) {
            findings.append(Finding(code: .relayCredentialsExposed, severity: .warning, target: target,
                message: "The relay password is used, but \(exposure): anyone who can log in to the scanner's host can read it.",
                remediation: "Coordinator: make the file readable by the scanner's account only (chmod 600).", campusCanFix: false))
        }
        for warning in probed.warnings {
            guard let code = FindingCode(rawValue: warning.code.rawValue) else { continue }
            findings.append(Finding(code: code, severity: .warning, target: target, message: Self.sentence(warning.message),
                                    remediation: Self.remediation(for: code, relay: relay, scanner: scannerAddresses)))
        }
        return Result(summary: summary, outcome: outcome, findings: findings)
    }

    /// What campus IT (or the coordinator) does about a relay finding: one sentence or two.
    static func remediation(for code: FindingCode, relay: RelayConfiguration, scanner: [IPNetwork] = []) -> String {
        let target = "\(relay.host) port \(relay.port)"
        switch code {
        case .relayUnreachableFromScanner:
            let who = scanner.isEmpty
                ? "the consortium's scanner (the coordinator will give its address)"
                : "the consortium's scanner at \(scanner.map { $0.prefixLength == $0.address.bitWidth ? $0.address.description : $0.description }.joined(separator: ", "))"
            return "Let \(who) reach \(target) and complete an SMTP session (greeting, EHLO, STARTTLS, AUTH), as the Ex Libris ranges do."
        case .relayRefused, .relayUnreachable:
            return "Make sure the relay runs and that the campus firewall lets the Ex Libris relay addresses of your region reach \(target)."
        case .relayTimeout:
            return "Check that \(target) answers from outside the campus network; a firewall that drops rather than refuses looks like this."
        case .relayTemporary:
            return "The relay answered with a temporary (4xx) reply; if it persists, check its load and its TLS and AUTH set-up."
        case .relayDNSError:
            return "Publish an A (or AAAA) record for \(relay.host), or correct the host name in Alma and in the inventory."
        case .relayTLSError:
            return "Fix TLS on \(target): security \(relay.security.rawValue) expects \(relay.security == .tls ? "TLS from the first byte (port 465)" : "STARTTLS (port 587)")."
        case .relayCertUntrusted:
            return "Install a certificate for \(relay.host) from a public CA, with its intermediate certificates."
        case .relayCertExpired, .relayCertExpiring:
            return "Renew the certificate of \(relay.host)."
        case .relayCertNameMismatch:
            return "Install a certificate whose names include \(relay.host), or point Alma at the name the certificate carries."
        case .relayStartTLSMissing:
            return "Enable STARTTLS on \(target) (submission port 587)."
        case .relayAuthMissing:
            return relay.security == .none
                ? "Use STARTTLS (security starttls, port 587) in Alma and in the inventory: relays offer AUTH only inside TLS."
                : "Enable SMTP AUTH (after STARTTLS) on \(relay.host) for the Alma account."
        case .relayAuthFailed:
            return "Reset the Alma account's password on the relay, then update it in Alma and in the scan's environment."
        case .relayRejected:
            return "The relay refuses sessions with a 5xx greeting; let the Ex Libris relay addresses of your region connect."
        case .relayProtocolError:
            return "\(target) does not speak SMTP; check the host and port in Alma and in the inventory."
        case .relayPort857:
            return "Set the relay port to 587 in Alma and in the inventory."
        default:
            return "Review the relay's TLS settings."
        }
    }

    /// Text as one sentence: capitalized, with a final full stop.
    static func sentence(_ text: String) -> String {
        let capitalized = text.prefix(1).uppercased() + text.dropFirst()
        return capitalized.hasSuffix(".") ? capitalized : capitalized + "."
    }
}
