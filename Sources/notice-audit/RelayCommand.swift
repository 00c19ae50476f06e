import ArgumentParser
import Foundation
import NoticeAudit

/// `notice-audit relay HOST[:PORT] --security starttls|tls|none [--user U --password-env VAR] [--ehlo NAME]`
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Probe an SMTP relay as Alma would use it, without sending mail (no MAIL, RCPT or DATA).",
        discussion: """
            Reports the greeting, the EHLO capabilities before and after TLS, the TLS version, cipher \
            and certificate, the AUTH mechanisms and, with --user and --password-env, whether the \
            login is accepted. The password is read from the environment variable and never printed. \
            Exit status: 0 when the relay is ok, 1 when not, 2 for a usage error.
            """
    )

    @Argument(help: ArgumentHelp("The relay, with an optional port (default from --security: 587, 465 or 25).", valueName: "host[:port]"))
    var target: String

    @Option(help: "starttls (port 587), tls (implicit TLS, port 465) or none (port 25).")
    var security: String

    @Option(help: "The relay account's user name.")
    var user: String?

    @Option(name: .customLong("password-env"), help: ArgumentHelp("The environment variable that holds the password.", valueName: "var"))
    var passwordEnv: String?

    @Option(help: ArgumentHelp("The name to send with EHLO.", valueName: "name"))
    var ehlo = "notice-audit.invalid"

    @OptionGroup var network: NetworkOptions

    var parsedSecurity: RelaySecurity? { RelaySecurity(rawValue: security.lowercased()) }

    var hostAndPort: (String, Int?) {
        if target.hasPrefix("["), let close = target.firstIndex(of: "]") {
            let host = String(target[target.index(after: target.startIndex)..<close])
            let rest = target[target.index(after: close)...]
            return (host, rest.hasPrefix(":") ? Int(rest.dropFirst()) : nil)
        }
        let parts = target.split(separator: ":")
        if parts.count == 2 { return (String(parts[0]), Int(parts[1])) }
        return (target, nil)
    }

    func validate() throws {
        guard parsedSecurity != nil else { throw ValidationError("--security must be starttls, tls or none") }
        let (host, port) = hostAndPort
        if host.isEmpty { throw ValidationError("give the relay as HOST[:PORT]") }
        if target.contains(":") && !target.hasPrefix("[") && target.split(separator: ":").count == 2 && port == nil {
            throw ValidationError("the port in \(target) is not a number")
        }
        if let port, !(1...65535).contains(port) { throw ValidationError("port \(port) is out of range (1-65535)") }
        if passwordEnv != nil && user == nil { throw ValidationError("--password-env needs --user") }
        if let passwordEnv, ProcessInfo.processInfo.environment[passwordEnv] == nil {
            throw ValidationError("the environment variable \(passwordEnv) is not set")
        }
    }

    func run() async throws {
        let resolver = try network.makeResolver()
        defer { resolver.shutdown() }
        let security = parsedSecurity!
        let (host, port) = hostAndPort
        let password = passwordEnv.flatMap { ProcessInfo.processInfo.environment[$0] }
        let probe: SMTPProbe
        do {
            probe = try network.makeSMTPProbe(resolver: resolver)
        } catch {
            throw CommandFailure.operational("error: \(error)")
        }
        let result = try await probe.probe(host: host, port: port ?? security.defaultPort, security: security, ehloName: ehlo, username: user, password: password)
        if network.json {
            try JSONOutput.print(RelayOutput(result))
        } else {
            TerminalText.print("\(result.host):\(result.port) (\(result.security.rawValue)): \(result.status.rawValue)")
            if let detail = result.detail { TerminalText.print("  \(detail)") }
            if !result.addresses.isEmpty { TerminalText.print("  addresses: \(result.addresses.map(\.description).joined(separator: ", "))") }
            if let banner = result.banner { TerminalText.print("  banner: \(banner)") }
            if !result.capabilities.isEmpty { TerminalText.print("  capabilities: \(result.capabilities.joined(separator: ", "))") }
            if let tls = result.tls {
                TerminalText.print("  TLS: \(tls.version ?? "?") \(tls.cipher ?? "?"), verified: \(tls.verified ? "yes" : "no")\(tls.verifyError.map { " (\($0))" } ?? "")")
                if let certificate = tls.certificate {
                    TerminalText.print("  certificate: \(certificate.subject), issuer \(certificate.issuer), names \(certificate.names.joined(separator: " ")), expires \(certificate.notAfter.map { $0.iso8601 } ?? "?")")
                }
            }
            if !result.authMechanisms.isEmpty { TerminalText.print("  AUTH: \(result.authMechanisms.joined(separator: " "))" + (result.authAccepted.map { $0 ? ", login accepted" : ", login rejected" } ?? "")) }
            for warning in result.warnings { TerminalText.print("  warning: \(warning)") }
        }
        if result.status != .ok { throw CommandFailure.silent(1) }
    }
}

/// `relay --json`.
struct RelayOutput: Encodable {
    struct Certificate: Encodable {
        var subject: String
        var issuer: String
        var notAfter: String?
        var daysLeft: Int?
        var names: [String]
    }

    struct TLS: Encodable {
        var version: String?
        var cipher: String?
        var certificate: Certificate?
        var verified: Bool
        var verifyError: String?
        var nameMatches: Bool?
    }

    var host: String
    var port: Int
    var security: String
    var status: String
    @NullWhenAbsent var detail: String?
    var temporary: Bool
    var addresses: [String]
    @NullWhenAbsent var banner: String?
    var capabilities: [String]
    var capabilitiesBeforeTLS: [String]
    @NullWhenAbsent var tls: TLS?
    var authMechanisms: [String]
    @NullWhenAbsent var authAccepted: Bool?
    var warnings: [String]
    var transcript: [String]

    init(_ result: RelayProbeResult) {
        host = result.host
        port = result.port
        security = result.security.rawValue
        status = result.status.rawValue
        detail = result.detail
        temporary = result.isTemporary
        addresses = result.addresses.map(\.description)
        banner = result.banner
        capabilities = result.capabilities
        capabilitiesBeforeTLS = result.capabilitiesBeforeTLS
        tls = result.tls.map { tls in
            TLS(version: tls.version, cipher: tls.cipher, certificate: tls.certificate.map {
                Certificate(subject: $0.subject, issuer: $0.issuer, notAfter: $0.notAfter?.iso8601, daysLeft: $0.daysLeft(), names: $0.names)
            }, verified: tls.verified, verifyError: tls.verifyError, nameMatches: tls.nameMatches)
        }
        authMechanisms = result.authMechanisms
        authAccepted = result.authAccepted
        warnings = result.warnings.map(\.description)
        transcript = result.transcript
    }

}
