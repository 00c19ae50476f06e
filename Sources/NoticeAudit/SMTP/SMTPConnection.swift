import CCurl
import Foundation
import Logging

/// What one SMTP connection of the probe showed, as facts the classifier reads
/// (``SMTPProbeClassifier``): how it ended, the dialogue, the TLS verdict. No libcurl type.
struct SMTPAttempt: Sendable {
    /// How the connection ended, from libcurl's result code.
    enum Ending: Sendable, Equatable {
        /// The dialogue finished (CURLE_OK).
        case completed
        /// libcurl reported "login denied": AUTH refused, or no AUTH mechanism it knows.
        case loginDenied
        /// The TCP connection failed, with the connect's errno (ECONNREFUSED, ENETUNREACH…).
        case couldNotConnect(errno: Int32)
        case timedOut
        /// STARTTLS was required and could not be had (CURLE_USE_SSL_FAILED).
        case tlsRequiredNotOffered
        /// The chain or the name did not verify (CURLE_PEER_FAILED_VERIFICATION).
        case peerVerificationFailed
        /// The TLS handshake failed (CURLE_SSL_CONNECT_ERROR, CERTPROBLEM, CIPHER).
        case tlsHandshakeFailed
        case couldNotResolve
        /// The connection was reset or closed in mid-dialogue (CURLE_RECV_ERROR, SEND_ERROR, GOT_NOTHING).
        case connectionLost
        /// Any other libcurl code.
        case other(code: Int)
    }

    var ending: Ending
    var message: String
    var transcript: SMTPTranscript
    /// OpenSSL's verify result (CURLINFO_SSL_VERIFYRESULT): 0 verified, 10 expired, 62 name mismatch…
    var verifyResult: Int
    var certificate: RelayCertificate?
}

/// One connection of the relay probe, through libcurl's SMTP in connect-only mode: the curl
/// set-up, the dialogue recorded (AUTH redacted), QUIT sent, the leaf certificate read.
struct SMTPConnection: Sendable {
    let engine: CurlEngine
    /// The limit for one step (connect, each server reply).
    let timeout: Duration
    /// The system store plus `--ca-file`, written once (nil: libcurl's default store).
    let trustAnchorsFile: String?

    /// One connection: greeting, EHLO, STARTTLS or implicit TLS, EHLO again, and AUTH when
    /// `username` and `password` are given; `verify` checks the chain and the name.
    func open(host: String, port: Int, security: RelaySecurity, ehloName: String, addresses: [IPAddress],
              verify: Bool, username: String?, password: String?) async throws -> SMTPAttempt {
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
        if SMTPProbe.logger.logLevel <= .debug {
            SMTPProbe.logger.debug("smtp dialogue", metadata: [
                "smtp.host": "\(host)", "smtp.port": "\(port)", "smtp.verify": "\(verify)", "smtp.curl_code": "\(code.rawValue)",
                "smtp.ms": "\((ContinuousClock.now - started).milliseconds)",
            ])
            // Each step as the transcript has it: AUTH exchanges are already redacted there.
            for line in recorder.transcript.rendered {
                SMTPProbe.logger.debug("smtp step", metadata: ["smtp.host": "\(host)", "smtp.line": "\(line)"])
            }
        }
        return SMTPAttempt(
            ending: Self.ending(code, connectErrno: Int32(truncatingIfNeeded: transfer.info(CURLINFO_OS_ERRNO))),
            message: transfer.errorMessage.isEmpty ? String(cString: curl_easy_strerror(code)) : transfer.errorMessage,
            transcript: recorder.transcript, verifyResult: transfer.info(CURLINFO_SSL_VERIFYRESULT), certificate: certificate)
    }

    /// libcurl's result code as an ``SMTPAttempt/Ending``.
    static func ending(_ code: CURLcode, connectErrno: Int32) -> SMTPAttempt.Ending {
        switch code {
        case CURLE_OK: .completed
        case CURLE_LOGIN_DENIED: .loginDenied
        case CURLE_COULDNT_CONNECT: .couldNotConnect(errno: connectErrno)
        case CURLE_OPERATION_TIMEDOUT: .timedOut
        case CURLE_USE_SSL_FAILED: .tlsRequiredNotOffered
        case CURLE_PEER_FAILED_VERIFICATION: .peerVerificationFailed
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER: .tlsHandshakeFailed
        case CURLE_COULDNT_RESOLVE_HOST: .couldNotResolve
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING: .connectionLost
        default: .other(code: Int(code.rawValue))
        }
    }

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
    static func parseDate(_ text: String) -> Date? { UTCTime.parseCertificateDate(text) }
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
