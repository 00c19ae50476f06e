import Foundation

/// The relay probe's verdict from the facts of its connections (``SMTPAttempt``): RFC 5321
/// replies, RFC 3207 STARTTLS, RFC 4954 AUTH, the certificate (RFC 6125). Pure: no network, no libcurl.
enum SMTPProbeClassifier {
    /// What the attempt showed (greeting, EHLO keywords, TLS) copied into `result`.
    static func apply(_ attempt: SMTPAttempt, to result: inout RelayProbeResult) {
        let transcript = attempt.transcript
        result.banner = transcript.banner ?? result.banner
        let answers = transcript.ehloAnswers
        if result.security == .starttls, answers.count >= 2 {
            result.capabilitiesBeforeTLS = answers[0]
            result.capabilities = answers[answers.count - 1]
        } else if let last = answers.last {
            if result.security == .starttls { result.capabilitiesBeforeTLS = last }
            result.capabilities = last
        }
        result.authMechanisms = result.capabilities.first { $0.uppercased().hasPrefix("AUTH") }
            .map { $0.split(separator: " ").dropFirst().map(String.init) } ?? (result.authMechanisms.isEmpty ? [] : result.authMechanisms)
        if let (version, cipher) = transcript.tlsVersionAndCipher {
            var tls = result.tls ?? RelayTLS(version: nil, cipher: nil, certificate: nil, verified: false, verifyError: nil, nameMatches: nil)
            tls.version = version
            tls.cipher = cipher
            tls.certificate = attempt.certificate ?? tls.certificate
            result.tls = tls
        }
        result.transcript = transcript.rendered
    }

    /// The status of `result` from the first (verifying) attempt; sets `detail` and `isTemporary`.
    static func classify(_ attempt: SMTPAttempt, result: inout RelayProbeResult, credentialsSent: Bool, timeout: Duration) -> RelayStatus {
        let ending = attempt.ending
        let bannerCode = result.banner.flatMap { Int($0.prefix(3)) }
        func fail(_ status: RelayStatus, _ detail: String, temporary: Bool = false) -> RelayStatus {
            result.detail = detail
            result.isTemporary = temporary
            return status
        }
        // A 4xx reply at any step (RFC 5321 §4.2.1: transient) is a temporary condition: a 421
        // greeting, EHLO, STARTTLS (RFC 3207 §4: 454) or AUTH (RFC 4954 §6: 454) answered 4xx.
        if ending != .completed, let transient = attempt.transcript.replyCodes.first(where: { (400..<500).contains($0) }) {
            return fail(.temporary, "the relay answered \(attempt.transcript.firstServerReply(withCode: transient) ?? String(transient)) (a temporary refusal); try again later", temporary: true)
        }
        if ending == .completed || ending == .loginDenied {
            if result.tls != nil { result.tls?.verified = true; result.tls?.nameMatches = true }
            let advertisesAuth = !result.authMechanisms.isEmpty
            if !advertisesAuth {
                // A submission server offers AUTH only inside TLS (RFC 4954 §4, RFC 8314 §3.3):
                // without TLS, say so rather than "no AUTH".
                if result.security == .none && result.capabilities.contains(where: { $0.uppercased() == "STARTTLS" }) {
                    return fail(.authMissing, "the relay offers AUTH only after STARTTLS, and security is none; set security to starttls in Alma and in the inventory")
                }
                return fail(.authMissing, "the relay does not offer AUTH\(result.security == .starttls ? " after STARTTLS" : ""); Alma must log in to send")
            }
            if ending == .loginDenied {
                // auth_failed means credentials were sent and refused (RFC 4954 §6), nothing else.
                // libcurl also says "login denied" when the relay offers no mechanism it knows,
                // and then it sends no AUTH at all.
                guard credentialsSent, attempt.transcript.sentAuth else {
                    return fail(.authMissing, "the relay offers AUTH \(result.authMechanisms.joined(separator: " ")) only, no mechanism a mail client uses (PLAIN or LOGIN), so no login was tried")
                }
                result.authAccepted = false
                return fail(.authFailed, "the relay rejected the username and password: \(attempt.transcript.lastServerReply ?? attempt.message)")
            }
            if credentialsSent { result.authAccepted = true }
            return .ok
        }
        if let banner = result.banner, bannerCode == nil || !banner.prefix(3).allSatisfy(\.isNumber) {
            // Whatever libcurl made of it (a timeout waiting for a real reply, most often), a
            // greeting that is not "NNN text" is not SMTP (RFC 5321 §4.2).
            return fail(.protocolError, "the relay did not speak SMTP: its first line was \(String(banner.prefix(80)).debugDescription)")
        }
        if let bannerCode, bannerCode >= 500 {
            return fail(.rejected, "the relay refused the session with \(result.banner ?? String(bannerCode))")
        }
        if let bannerCode, (200..<300).contains(bannerCode), ending == .connectionLost {
            // The relay greeted, then dropped the connection before the dialogue ended: what a
            // firewall or an access list does to a stranger; proof only where it admits the scanner.
            let step = attempt.transcript.ehloAnswers.isEmpty ? "after the greeting" : "after EHLO"
            return fail(.refused, "the relay closed the connection \(step) (\(attempt.message)): the relay, or a firewall, ended the session")
        }
        switch ending {
        case .couldNotConnect(let connectErrno):
            switch connectErrno {
            case ECONNREFUSED:
                return fail(.refused, "the connection was refused (a TCP reset): the relay is down, or a firewall refuses this address")
            case ETIMEDOUT:
                return fail(.timeout, "the connection timed out after \(timeout)", temporary: true)
            default:
                return fail(.unreachable, "it cannot be reached from here (\(String(cString: strerror(connectErrno)))): no route from the scanner's network")
            }
        case .timedOut:
            let step = result.banner == nil ? "waiting for the greeting" : "waiting for the relay's reply"
            return fail(.timeout, "timed out \(step) after \(timeout)", temporary: true)
        case .tlsRequiredNotOffered:
            if result.capabilities.contains(where: { $0.uppercased() == "STARTTLS" }) || result.capabilitiesBeforeTLS.contains(where: { $0.uppercased() == "STARTTLS" }) {
                return fail(.tlsError, "the relay offers STARTTLS but refused it: \(attempt.transcript.lastServerReply ?? attempt.message)")
            }
            return fail(.starttlsMissing, "the relay does not offer STARTTLS, so Alma cannot encrypt the connection")
        case .peerVerificationFailed:
            return fail(.certUntrusted, attempt.message)
        case .tlsHandshakeFailed:
            return fail(.tlsError, "the TLS handshake failed: \(attempt.message)")
        case .couldNotResolve:
            return fail(.dnsError, attempt.message, temporary: true)
        case .other(let code):
            return fail(.protocolError, "the SMTP dialogue failed (curl \(code)): \(attempt.message)")
        case .connectionLost, .completed, .loginDenied:
            return fail(.protocolError, "the SMTP dialogue failed: \(attempt.message)")
        }
    }

    /// The first (verifying) attempt says why verification failed; the second supplies the
    /// certificate, which a failed handshake does not.
    static func classifyCertificate(first: SMTPAttempt, second: SMTPAttempt, result: inout RelayProbeResult) {
        var tls = result.tls ?? RelayTLS(version: nil, cipher: nil, certificate: nil, verified: false, verifyError: nil, nameMatches: nil)
        tls.certificate = second.certificate ?? first.certificate ?? tls.certificate
        tls.verified = false
        let verdict = first.verifyResult
        // Structured facts only: OpenSSL's verdict (10: expired, 62: host name mismatch) and the
        // names the certificate carries (libcurl checks the name itself and then reports 1, not 62).
        let certificateNames = tls.certificate.map { $0.names.isEmpty ? [$0.subject.replacingOccurrences(of: "CN = ", with: "")] : $0.names } ?? []
        let nameProblem = verdict == 62 || (!certificateNames.isEmpty && !certificateNames.contains { Self.name($0, covers: result.host) })
        if verdict != 10 && (nameProblem || verdict == 0) {
            tls.nameMatches = false
            tls.verifyError = "the certificate is not valid for \(result.host)"
            result.status = .certNameMismatch
            let names = tls.certificate.map { $0.names.isEmpty ? $0.subject : $0.names.joined(separator: ", ") } ?? "other names"
            result.detail = "the relay's certificate is for \(names), not \(result.host)"
        } else if verdict == 10 {
            tls.verifyError = Self.verifyReason(verdict)
            result.status = .certExpired
            result.detail = "the relay's certificate expired on \(tls.certificate?.notAfter.map(UTCTime.day) ?? "an earlier date")"
        } else {
            tls.verifyError = Self.verifyReason(verdict)
            result.status = .certUntrusted
            result.detail = "the relay's certificate is not trusted: \(Self.verifyReason(verdict)) (issuer: \(tls.certificate?.issuer ?? "unknown"))"
        }
        result.tls = tls
        result.isTemporary = false
    }

    /// RFC 6125 §6.4: a certificate name (possibly `*.` wildcard of one label) covers `host`.
    static func name(_ pattern: String, covers host: String) -> Bool {
        let pattern = pattern.lowercased(), host = host.lowercased()
        if pattern == host { return true }
        guard pattern.hasPrefix("*."), let dot = host.firstIndex(of: ".") else { return false }
        return host[host.index(after: dot)...] == pattern.dropFirst(2)
    }

    /// OpenSSL's X509_V_ERR codes that relays commonly produce.
    static func verifyReason(_ code: Int) -> String {
        switch code {
        case 9: "the certificate is not yet valid"
        case 10: "the certificate has expired"
        case 18: "the certificate is self-signed"
        case 19: "a self-signed certificate is in the chain"
        case 20: "the issuer is not in the trust store (unknown CA)"
        case 21: "the chain cannot be verified (missing intermediate certificate?)"
        case 62: "the host name does not match"
        default: "verification error \(code)"
        }
    }
}
