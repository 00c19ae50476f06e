import CCurl
import Foundation
import Logging

/// Probes an SMTP relay the way Alma uses it, with libcurl's SMTP in connect-only mode: greeting,
/// EHLO, STARTTLS (RFC 3207) or implicit TLS (RFC 8314), EHLO again, and AUTH (RFC 4954) when a
/// password is given. It never sends MAIL, RCPT or DATA; closing the handle sends QUIT.
///
/// The password goes only to a relay whose certificate verified: the first connection verifies
/// TLS, and when verification fails, a second connection without credentials and without
/// verification collects the certificate and the exact reason.
public struct SMTPProbe: Sendable {
    /// The limit for one step (connect, each server reply).
    public var timeout: Duration
    public var resolver: any DNSResolver
    /// The system store plus `--ca-file`, written once (nil: libcurl's default store).
    let trustAnchorsFile: String?
    /// A certificate expiring within this many days is a warning (../shared/domain.md).
    public static let expiryWarningDays = 21

    let engine = CurlEngine.shared

    /// - Parameter extraCAFile: PEM certificates trusted on top of the system store.
    public init(resolver: any DNSResolver, timeout: Duration = .seconds(10), extraCAFile: String? = nil) throws {
        self.resolver = resolver
        self.timeout = timeout
        self.trustAnchorsFile = try CurlHTTPClient.trustAnchorsFile(extraCAFile: extraCAFile)
    }

    /// Probes `host:port`. `password` is used for one AUTH attempt and is never stored, logged or
    /// returned.
    public func probe(host: String, port: Int, security: RelaySecurity, ehloName: String = "notice-audit.invalid",
                      username: String? = nil, password: String? = nil) async throws -> RelayProbeResult {
        var result = RelayProbeResult(
            host: host, port: port, security: security, status: .ok, detail: nil, isTemporary: false, addresses: [], banner: nil,
            capabilitiesBeforeTLS: [], capabilities: [], tls: nil, authMechanisms: [], authAccepted: nil, warnings: [], transcript: [])
        if port == 857 {
            result.warnings.append(.init(code: .port857, message: "no SMTP service uses port 857; the consortium guide almost surely means 587 (submission with STARTTLS)"))
        }
        // Resolve through our resolver, so lab DNS works and DNS failures say so.
        if let literal = IPAddress(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))) {
            result.addresses = [literal]
        } else {
            do {
                result.addresses = try await resolver.addresses(of: host)
            } catch let error as DNSLookupError {
                // No definite answer: the name may well resolve tomorrow.
                result.status = .dnsError
                result.detail = "the relay name \(host) could not be resolved: \(error)"
                result.isTemporary = true
                return result
            }
            if result.addresses.isEmpty {
                result.status = .dnsError
                result.detail = "the relay name \(host) does not resolve: no A or AAAA record"
                return result
            }
        }
        let sendsCredentials = username != nil && password != nil && security != .none
        if username != nil && password != nil && security == .none {
            result.warnings.append(.init(code: .clearTextCredentials, message: "security is none: Alma would send the relay password in clear text; the probe did not send it"))
        }

        let first = try await connect(host: host, port: port, security: security, ehloName: ehloName, addresses: result.addresses,
                                      verify: true, username: sendsCredentials ? username : nil, password: sendsCredentials ? password : nil)
        apply(first, to: &result)
        result.status = classify(first, result: &result, credentialsSent: sendsCredentials)

        if first.code == CURLE_PEER_FAILED_VERIFICATION || (first.code == CURLE_SSL_CONNECT_ERROR && first.verifyResult != 0) {
            // The chain or the name did not verify: look again, without credentials, to say why.
            let second = try await connect(host: host, port: port, security: security, ehloName: ehloName, addresses: result.addresses,
                                           verify: false, username: nil, password: nil)
            apply(second, to: &result)
            classifyCertificate(first: first, second: second, result: &result)
        }
        if let certificate = result.tls?.certificate, let days = certificate.daysLeft(), days >= 0, days < Self.expiryWarningDays {
            result.warnings.append(.init(code: .certificateExpiringSoon, message: "the relay certificate expires in \(days) days (\(certificate.notAfter.map(Self.format) ?? "?"))"))
        }
        if let version = result.tls?.version, ["SSLv3", "TLSv1", "TLSv1.1"].contains(version) {
            result.warnings.append(.init(code: .oldTLS, message: "the relay negotiated \(version); TLS 1.2 or later is expected"))
        }
        if result.status == .ok, username != nil, password == nil {
            result.warnings.append(.init(code: .authNotTested, message: "no password was available, so AUTH was not tried"))
        }
        Self.logger.debug("relay probe finished", metadata: ["smtp.host": "\(host)", "smtp.port": "\(port)", "smtp.status": "\(result.status.rawValue)"])
        return result
    }

    /// Debug logs of each probe and each dialogue step (`--log-level debug`).
    static let logger = Logger(label: "notice-audit.smtp")

    // MARK: One connection

    struct Attempt {
        var code: CURLcode
        var message: String
        var transcript: SMTPTranscript
        var verifyResult: Int
        var certificate: RelayCertificate?
        /// The connect's errno (CURLINFO_OS_ERRNO): ECONNREFUSED, ENETUNREACH, EHOSTUNREACH…
        var connectErrno: Int32
    }

    private func connect(host: String, port: Int, security: RelaySecurity, ehloName: String, addresses: [IPAddress],
                         verify: Bool, username: String?, password: String?) async throws -> Attempt {
        let transfer = try CurlTransfer(engine: engine)
        // The probe says QUIT itself (below); libcurl's own QUIT at cleanup would wait for the
        // reply on the engine's thread, holding up every other transfer behind a silent relay.
        transfer.closesConnectionOnCleanup = true
        let scheme = security == .tls ? "smtps" : "smtp"
        let urlHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        transfer.set(CURLOPT_URL, "\(scheme)://\(urlHost):\(port)/\(ehloName)")
        transfer.set(CURLOPT_CONNECT_ONLY, 1)
        // The probe stands in for Alma, which reaches the relay directly: never through the
        // scanner's outbound proxy (libcurl would otherwise tunnel SMTP through `all_proxy`).
        transfer.set(CURLOPT_NOPROXY, "*")
        transfer.set(CURLOPT_USE_SSL, security == .starttls ? Int(CURLUSESSL_ALL.rawValue) : Int(CURLUSESSL_NONE.rawValue))
        transfer.set(CURLOPT_CONNECTTIMEOUT_MS, Int(timeout.milliseconds))
        transfer.set(CURLOPT_SERVER_RESPONSE_TIMEOUT, max(1, Int((Double(timeout.milliseconds) / 1000).rounded(.up))))
        transfer.set(CURLOPT_TIMEOUT_MS, Int(timeout.milliseconds) * 8)
        transfer.set(CURLOPT_SSL_VERIFYPEER, verify ? 1 : 0)
        transfer.set(CURLOPT_SSL_VERIFYHOST, verify ? 2 : 0)
        transfer.set(CURLOPT_CERTINFO, 1)
        if let trustAnchorsFile { transfer.set(CURLOPT_CAINFO, trustAnchorsFile) }
        // The parsed trust store is kept for an hour rather than read again for every handshake.
        transfer.set(CURLOPT_CA_CACHE_TIMEOUT, 3600)
        if IPAddress(host) == nil { CurlHTTPClient.pin(transfer, host: host, port: port, to: addresses) }
        if let username, let password {
            transfer.set(CURLOPT_USERNAME, username)
            transfer.set(CURLOPT_PASSWORD, password)
        }
        // Close the session politely (RFC 5321 §4.1.1.10). libcurl does not send QUIT for a
        // connect-only handle; only a command, never mail.
        transfer.afterCompletion = { handle, code in
            guard code == CURLE_OK || code == CURLE_LOGIN_DENIED else { return }
            var sent = 0
            let quit = Array("QUIT\r\n".utf8)
            _ = quit.withUnsafeBytes { curl_easy_send(handle, $0.baseAddress, $0.count, &sent) }
        }
        let recorder = TranscriptRecorder()
        transfer.debugHandler = { type, bytes in recorder.record(type, bytes) }
        transfer.enableDebugStream()
        let started = ContinuousClock.now
        let code = try await engine.perform(transfer)
        let certificate = Self.certificate(of: transfer)
        if Self.logger.logLevel <= .debug {
            Self.logger.debug("smtp dialogue", metadata: [
                "smtp.host": "\(host)", "smtp.port": "\(port)", "smtp.verify": "\(verify)", "smtp.curl_code": "\(code.rawValue)",
                "smtp.ms": "\((ContinuousClock.now - started).milliseconds)",
            ])
            // Each step as the transcript has it: AUTH exchanges are already redacted there.
            for line in recorder.transcript.rendered {
                Self.logger.debug("smtp step", metadata: ["smtp.host": "\(host)", "smtp.line": "\(line)"])
            }
        }
        return Attempt(
            code: code, message: transfer.errorMessage.isEmpty ? String(cString: curl_easy_strerror(code)) : transfer.errorMessage,
            transcript: recorder.transcript, verifyResult: transfer.info(CURLINFO_SSL_VERIFYRESULT), certificate: certificate,
            connectErrno: Int32(truncatingIfNeeded: transfer.info(CURLINFO_OS_ERRNO)))
    }

    // MARK: Reading the attempt

    private func apply(_ attempt: Attempt, to result: inout RelayProbeResult) {
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

    private func classify(_ attempt: Attempt, result: inout RelayProbeResult, credentialsSent: Bool) -> RelayStatus {
        let code = attempt.code
        let bannerCode = result.banner.flatMap { Int($0.prefix(3)) }
        func fail(_ status: RelayStatus, _ detail: String, temporary: Bool = false) -> RelayStatus {
            result.detail = detail
            result.isTemporary = temporary
            return status
        }
        // A 4xx reply at any step (RFC 5321 §4.2.1: transient) is a temporary condition: a 421
        // greeting, EHLO, STARTTLS (RFC 3207 §4: 454) or AUTH (RFC 4954 §6: 454) answered 4xx.
        if code != CURLE_OK, let transient = attempt.transcript.replyCodes.first(where: { (400..<500).contains($0) }) {
            return fail(.temporary, "the relay answered \(attempt.transcript.firstServerReply(withCode: transient) ?? String(transient)) (a temporary refusal); try again later", temporary: true)
        }
        if code == CURLE_OK || code == CURLE_LOGIN_DENIED {
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
            if code == CURLE_LOGIN_DENIED {
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
        if let bannerCode, (200..<300).contains(bannerCode), [CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING].contains(code) {
            // The relay greeted, then dropped the connection before the dialogue ended: what a
            // firewall or an access list does to a stranger; proof only where it admits the scanner.
            let step = attempt.transcript.ehloAnswers.isEmpty ? "after the greeting" : "after EHLO"
            return fail(.refused, "the relay closed the connection \(step) (\(attempt.message)): the relay, or a firewall, ended the session")
        }
        switch code {
        case CURLE_COULDNT_CONNECT:
            switch attempt.connectErrno {
            case ECONNREFUSED:
                return fail(.refused, "the connection was refused (a TCP reset): the relay is down, or a firewall refuses this address")
            case ETIMEDOUT:
                return fail(.timeout, "the connection timed out after \(timeout)", temporary: true)
            default:
                return fail(.unreachable, "it cannot be reached from here (\(String(cString: strerror(attempt.connectErrno)))): no route from the scanner's network")
            }
        case CURLE_OPERATION_TIMEDOUT:
            let step = result.banner == nil ? "waiting for the greeting" : "waiting for the relay's reply"
            return fail(.timeout, "timed out \(step) after \(timeout)", temporary: true)
        case CURLE_USE_SSL_FAILED:
            if result.capabilities.contains(where: { $0.uppercased() == "STARTTLS" }) || result.capabilitiesBeforeTLS.contains(where: { $0.uppercased() == "STARTTLS" }) {
                return fail(.tlsError, "the relay offers STARTTLS but refused it: \(attempt.transcript.lastServerReply ?? attempt.message)")
            }
            return fail(.starttlsMissing, "the relay does not offer STARTTLS, so Alma cannot encrypt the connection")
        case CURLE_PEER_FAILED_VERIFICATION:
            return fail(.certUntrusted, attempt.message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER:
            return fail(.tlsError, "the TLS handshake failed: \(attempt.message)")
        case CURLE_COULDNT_RESOLVE_HOST:
            return fail(.dnsError, attempt.message, temporary: true)
        default:
            return fail(.protocolError, "the SMTP dialogue failed (curl \(code.rawValue)): \(attempt.message)")
        }
    }

    /// The first (verifying) attempt says why verification failed; the second supplies the
    /// certificate, which a failed handshake does not.
    private func classifyCertificate(first: Attempt, second: Attempt, result: inout RelayProbeResult) {
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
            result.detail = "the relay's certificate expired on \(tls.certificate?.notAfter.map(Self.format) ?? "an earlier date")"
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

    // MARK: Certificates

    /// The leaf certificate from CURLINFO_CERTINFO ("Subject:", "Issuer:", "Expire date:", SAN).
    static func certificate(of transfer: CurlTransfer) -> RelayCertificate? {
        var info: UnsafeMutablePointer<curl_certinfo>?
        guard ccurl_easy_getinfo_certinfo(transfer.handle, &info) == CURLE_OK, let info, info.pointee.num_of_certs > 0,
            let first = info.pointee.certinfo?[0]
        else { return nil }
        var fields: [String: String] = [:]
        var node: UnsafeMutablePointer<curl_slist>? = first
        while let current = node {
            if let data = current.pointee.data {
                let line = String(cString: data)
                if let colon = line.firstIndex(of: ":") { fields[String(line[..<colon])] = String(line[line.index(after: colon)...]) }
            }
            node = current.pointee.next
        }
        let names = (fields["X509v3 Subject Alternative Name"] ?? "").split(separator: ",").compactMap { entry -> String? in
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("DNS:") ? String(trimmed.dropFirst(4)) : nil
        }
        return RelayCertificate(subject: fields["Subject"] ?? "", issuer: fields["Issuer"] ?? "", notAfter: fields["Expire date"].flatMap(parseDate), names: names)
    }

    /// "Dec 26 17:21:00 2026 GMT" (OpenSSL's ASN1_TIME_print).
    static func parseDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        let normalized = text.split(separator: " ").joined(separator: " ")
        for format in ["MMM d HH:mm:ss yyyy zzz", "MMM dd HH:mm:ss yyyy zzz"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: normalized) { return date }
        }
        return nil
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}

/// Collects the debug stream on the engine's thread; read once the transfer is done.
private final class TranscriptRecorder: @unchecked Sendable {
    // @unchecked: written only on the curl engine's thread while the transfer runs, read only after
    // it completed (the engine's continuation orders the two).
    private(set) var transcript = SMTPTranscript()

    func record(_ type: curl_infotype, _ bytes: [UInt8]) {
        transcript.record(type, bytes)
    }
}

extension SMTPTranscript {
    /// The last line the server sent.
    var lastServerReply: String? {
        lines.reversed().lazy.compactMap { if case .server(let line) = $0 { line } else { nil } }.first
    }

    /// The first server line with reply code `code`.
    func firstServerReply(withCode code: Int) -> String? {
        lines.lazy.compactMap { if case .server(let line) = $0, line.hasPrefix(String(code)) { line } else { nil } }.first
    }
}
