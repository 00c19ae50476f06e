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

    /// One connection's curl set-up.
    var connection: SMTPConnection { SMTPConnection(engine: .shared, timeout: timeout, trustAnchorsFile: trustAnchorsFile) }

    /// - Parameter extraCAFile: PEM certificates trusted on top of the system store.
    public init(resolver: any DNSResolver, timeout: Duration = NetworkTimeout.standard.step, extraCAFile: String? = nil) throws {
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

        let first = try await connection.open(host: host, port: port, security: security, ehloName: ehloName, addresses: result.addresses,
                                      verify: true, username: sendsCredentials ? username : nil, password: sendsCredentials ? password : nil)
        SMTPProbeClassifier.apply(first, to: &result)
        result.status = SMTPProbeClassifier.classify(first, result: &result, credentialsSent: sendsCredentials, timeout: timeout)

        if first.ending == .peerVerificationFailed || (first.ending == .tlsHandshakeFailed && first.verifyResult != 0) {
            // The chain or the name did not verify: look again, without credentials, to say why.
            let second = try await connection.open(host: host, port: port, security: security, ehloName: ehloName, addresses: result.addresses,
                                           verify: false, username: nil, password: nil)
            SMTPProbeClassifier.apply(second, to: &result)
            SMTPProbeClassifier.classifyCertificate(first: first, second: second, result: &result)
        }
        if let certificate = result.tls?.certificate, let days = certificate.daysLeft(), days >= 0, days < Self.expiryWarningDays {
            result.warnings.append(.init(code: .certificateExpiringSoon, message: "the relay certificate expires in \(days) days (\(certificate.notAfter.map(UTCTime.day) ?? "?"))"))
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
}
