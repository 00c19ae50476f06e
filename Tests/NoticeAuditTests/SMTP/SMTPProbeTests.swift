import Foundation
import Testing
@testable import NoticeAudit

/// The relay probe against every lab relay.
@Suite("SMTP relay probe (the lab)", .enabled(if: LabEnvironment.isAvailable, "the lab is not running (make lab-start)"))
struct SMTPProbeTests {
    static var lab: LabEnvironment { LabEnvironment.current! }
    static var ports: [String: Int] {
        (try? JSONSerialization.jsonObject(with: Data(lab["LAB_SMTP_PORTS"].utf8)) as? [String: Int]) ?? [:]
    }

    static func probe(_ scenario: String, security: RelaySecurity = .starttls, host: String? = nil, port: Int? = nil, password: String? = nil, timeout: Duration = .seconds(20)) async throws -> RelayProbeResult {
        let resolver = try CAresResolver(servers: [try DNSServerAddress(parsing: lab["LAB_DNS"])], timeout: .seconds(10))
        defer { resolver.shutdown() }
        let probe = try SMTPProbe(resolver: resolver, timeout: timeout, extraCAFile: lab["LAB_CA_FILE"])
        return try await probe.probe(
            host: host ?? lab["LAB_SMTP_HOSTNAME"], port: port ?? ports[scenario]!, security: security, ehloName: "probe.lab.test",
            username: lab["LAB_SMTP_USER"], password: password ?? lab["LAB_SMTP_PASSWORD"])
    }

    @Test func goodStartTLSRelayAcceptsTheLogin() async throws {
        let result = try await Self.probe("starttls")
        #expect(result.status == .ok)
        #expect(result.banner?.hasPrefix("220") == true)
        #expect(result.capabilitiesBeforeTLS.contains("STARTTLS"))
        #expect(!result.capabilitiesBeforeTLS.contains { $0.hasPrefix("AUTH") })
        #expect(Set(result.authMechanisms) == ["PLAIN", "LOGIN"])
        #expect(result.authAccepted == true)
        #expect(result.tls?.verified == true)
        #expect(result.tls?.version?.hasPrefix("TLSv1.") == true)
        #expect(result.tls?.certificate?.names.contains("smtp.lab.test") == true)
        #expect((result.tls?.certificate?.daysLeft() ?? 0) > 21)
        #expect(result.warnings.isEmpty)
    }

    @Test func implicitTLSRelayAcceptsTheLogin() async throws {
        let result = try await Self.probe("tls", security: .tls)
        #expect(result.status == .ok)
        #expect(result.authAccepted == true)
        #expect(result.tls?.verified == true)
        #expect(result.capabilitiesBeforeTLS.isEmpty)
    }

    @Test func wrongPasswordIsAuthFailed() async throws {
        let result = try await Self.probe("starttls", password: "not-the-password")
        #expect(result.status == .authFailed)
        #expect(result.authAccepted == false)
        #expect(result.detail?.contains("535") == true)
    }

    @Test(arguments: [
        ("plain", RelayStatus.starttlsMissing, "does not offer STARTTLS"),
        ("expired", .certExpired, "expired on"),
        ("other-name", .certNameMismatch, "for other.lab.test, not smtp.lab.test"),
        ("self-signed", .certUntrusted, "self-signed"),
        ("no-auth", .authMissing, "does not offer AUTH"),
        ("554", .rejected, "554"),
        ("421", .temporary, "421"),
        ("starttls454", .temporary, "454"),
        ("garbage", .protocolError, "did not speak SMTP"),
        ("overlong", .protocolError, "Too large"),
        // Issue 19: greeted, then reset after EHLO: what an access list does to a stranger (the
        // verdict rules read `refused` by the vantage point); a relay offering only an AUTH
        // mechanism no client knows gets no AUTH at all, which is not a rejected password.
        ("reset-after-ehlo", .refused, "closed the connection after EHLO"),
        ("odd-auth", .authMissing, "offers AUTH XSECRET only"),
    ])
    func brokenRelayHasItsExactStatus(scenario: String, status: RelayStatus, detail: String) async throws {
        let result = try await Self.probe(scenario)
        #expect(result.status == status, "detail: \(result.detail ?? "-")")
        #expect(result.detail?.contains(detail) == true, "detail: \(result.detail ?? "-")")
        #expect(result.authAccepted != true)
    }

    /// RFC 5321 §4.2.1: a multi-line greeting is one reply; the banner keeps every line of it, as
    /// received (the reports escape it; issue 15).
    @Test func aMultiLineGreetingIsKeptWhole() async throws {
        let result = try await Self.probe("hostile")
        #expect(result.status == .rejected)
        #expect(result.banner == "554-<script>alert('banner')</script> | pipe `tick` \"double\" 'single'\n554 5.7.1 \u{1B}[31mred\u{1B}[0m **bold** [link](http://evil.test/) &amp; done",
                "\(result.banner.debugDescription)")
        let single = try await Self.probe("starttls")
        #expect(single.banner?.contains("\n") == false)
    }

    /// The `relay` command prints the hostile greeting with its escape sequence made visible (issue
    /// 15): a terminal showing it is not driven by it. (The scan's debug log: ScanEndToEndTests.)
    @Test func theRelayCommandNeverPrintsARawEscapeSequence() async throws {
        let run = try await CommandRunner.run(
            ["relay", "\(Self.lab["LAB_SMTP_HOSTNAME"]):\(Self.ports["hostile"]!)", "--security", "starttls",
             "--dns-server", Self.lab["LAB_DNS"], "--ca-file", Self.lab["LAB_CA_FILE"]])
        #expect(run.status == 1, "the relay is not ok: \(run.stderr)")
        #expect(run.stdout.contains("554 5.7.1 \\x1B[31mred\\x1B[0m"), "\(run.stdout)")
        #expect(!(run.stdout + run.stderr).contains("\u{1B}"))
    }

    @Test func certificateFailuresNeverReceiveThePassword() async throws {
        for scenario in ["expired", "other-name", "self-signed"] {
            let result = try await Self.probe(scenario)
            #expect(result.authAccepted == nil)
            #expect(!result.transcript.contains { $0.hasPrefix("C: AUTH") }, "\(scenario) got AUTH")
            #expect(result.tls?.certificate != nil, "\(scenario): the certificate should be reported")
        }
    }

    @Test func silentServerTimesOutAsTemporary() async throws {
        let result = try await Self.probe("silent", timeout: .seconds(1))
        #expect(result.status == .timeout)
        #expect(result.isTemporary)
        #expect(result.detail?.contains("greeting") == true)
    }

    @Test func closedPortIsRefused() async throws {
        let result = try await Self.probe("closed", port: Int(Self.lab["LAB_SMTP_CLOSED_PORT"])!)
        #expect(result.status == .refused)
    }

    @Test func unknownNameIsADNSError() async throws {
        let result = try await Self.probe("starttls", host: "nowhere.lab.test")
        #expect(result.status == .dnsError)
        #expect(!result.isTemporary)
    }

    @Test func dnsOutageForTheRelayNameIsTemporary() async throws {
        let resolver = try CAresResolver(servers: [try DNSServerAddress(parsing: Self.lab["LAB_FAULT_DNS"])], timeout: .seconds(2))
        defer { resolver.shutdown() }
        let result = try await SMTPProbe(resolver: resolver, timeout: .seconds(2)).probe(host: "servfail.fault.lab.test", port: 587, security: .starttls)
        #expect(result.status == .dnsError)
        #expect(result.isTemporary)
        #expect(result.detail?.contains("SERVFAIL") == true)
    }

    @Test func expiringCertificateIsAWarning() async throws {
        let result = try await Self.probe("expiring")
        #expect(result.status == .ok)
        #expect(result.warnings.map(\.code) == [.certificateExpiringSoon])
    }

    @Test func clearTextCredentialsAreAWarningAndAreNotSent() async throws {
        let result = try await Self.probe("plain", security: .none, port: Self.ports["plain"]!)
        #expect(result.warnings.map(\.code).contains(.clearTextCredentials))
        #expect(!result.transcript.contains { $0.hasPrefix("C: AUTH") })
    }

    @Test func port857IsAWarning() async throws {
        let result = try await Self.probe("closed", port: 857)
        #expect(result.warnings.map(\.code) == [.port857])
        #expect(result.warnings.first?.message.contains("587") == true)
    }

    @Test func passwordNeverLeavesTheProcess() async throws {
        let password = Self.lab["LAB_SMTP_PASSWORD"]
        let user = Self.lab["LAB_SMTP_USER"]
        var outputs: [String] = []
        for (scenario, security) in [("starttls", "starttls"), ("tls", "tls"), ("self-signed", "starttls")] {
            for extra in [["--json"], []] {
                let run = try await CommandRunner.run(
                    ["relay", "\(Self.lab["LAB_SMTP_HOSTNAME"]):\(Self.ports[scenario]!)", "--security", security, "--user", user,
                     "--password-env", "PROBE_SECRET", "--dns-server", Self.lab["LAB_DNS"], "--ca-file", Self.lab["LAB_CA_FILE"]] + extra,
                    environment: ["PROBE_SECRET": password])
                outputs += [run.stdout, run.stderr]
            }
            let wrong = try await CommandRunner.run(
                ["relay", "\(Self.lab["LAB_SMTP_HOSTNAME"]):\(Self.ports[scenario]!)", "--security", security, "--user", user,
                 "--password-env", "PROBE_SECRET", "--dns-server", Self.lab["LAB_DNS"], "--ca-file", Self.lab["LAB_CA_FILE"], "--json"],
                environment: ["PROBE_SECRET": password + "x"])
            outputs += [wrong.stdout, wrong.stderr]
        }
        let everything = outputs.joined(separator: "\n")
        #expect(everything.contains("[redacted]"), "the transcript should show a redacted AUTH")
        for secret in [password, password + "x"] {
            let forms = [secret, Data(secret.utf8).base64EncodedString(), Data("\0\(user)\0\(secret)".utf8).base64EncodedString()]
            for form in forms { #expect(!everything.contains(form), "found a form of the password in the output") }
        }
    }

    // A real Postfix, as many campuses run: the submission port (STARTTLS required, AUTH only
    // after it, PLAIN and LOGIN from a sasldb) and implicit TLS, on the lab's name and certificate.
    static var postfixStartTLSPort: Int { Int(lab["LAB_POSTFIX_STARTTLS_PORT"])! }
    static var postfixTLSPort: Int { Int(lab["LAB_POSTFIX_TLS_PORT"])! }

    @Test func postfixSubmissionAcceptsTheLoginAfterSTARTTLS() async throws {
        let result = try await Self.probe("postfix", port: Self.postfixStartTLSPort)
        #expect(result.status == .ok, "\(result.detail ?? "")")
        #expect(result.banner?.contains("Postfix") == true)
        #expect(result.capabilitiesBeforeTLS.contains("STARTTLS"))
        #expect(!result.capabilitiesBeforeTLS.contains { $0.hasPrefix("AUTH") })
        #expect(Set(result.authMechanisms) == ["PLAIN", "LOGIN"])
        #expect(result.authAccepted == true)
        #expect(result.tls?.verified == true)
        #expect(result.tls?.certificate?.names.contains("smtp.lab.test") == true)
    }

    @Test func postfixImplicitTLSAcceptsTheLogin() async throws {
        let result = try await Self.probe("postfix", security: .tls, port: Self.postfixTLSPort)
        #expect(result.status == .ok, "\(result.detail ?? "")")
        #expect(result.authAccepted == true)
        #expect(result.capabilitiesBeforeTLS.isEmpty)
    }

    @Test func postfixRejectsAWrongPasswordWith535() async throws {
        let result = try await Self.probe("postfix", port: Self.postfixStartTLSPort, password: "not-the-password")
        #expect(result.status == .authFailed)
        #expect(result.detail?.contains("535") == true)
    }

    @Test func postfixWithoutSTARTTLSRequestedIsNotAskedForAUTH() async throws {
        // Plain security against the submission port: Postfix offers no AUTH before TLS, so the
        // probe must report it and never send the password in clear.
        let result = try await Self.probe("postfix", security: .none, port: Self.postfixStartTLSPort)
        #expect(result.status == .authMissing)
        #expect(result.detail?.contains("only after STARTTLS") == true, "\(result.detail ?? "")")
        #expect(result.authAccepted == nil)
        #expect(result.warnings.map(\.code).contains(.clearTextCredentials))
    }

    @Test func remediationForMissingAUTHDependsOnTheSecurityAsked() {
        let plain = RelayCheck.remediation(for: .relayAuthMissing, relay: RelayConfiguration(host: "smtp.ufl.edu", port: 25, security: .none))
        let submission = RelayCheck.remediation(for: .relayAuthMissing, relay: RelayConfiguration(host: "smtp.ufl.edu", port: 587, security: .starttls))
        #expect(plain.hasPrefix("Use STARTTLS (security starttls, port 587)"))
        #expect(submission == "Enable SMTP AUTH (after STARTTLS) on smtp.ufl.edu for the Alma account.")
    }

    @Test func postfixNeverSawMAILRCPTOrDATAOrThePassword() async throws {
        _ = try await Self.probe("postfix", port: Self.postfixStartTLSPort)
        // Postfix logs one "disconnect from" line per session with the commands it received:
        // wait for it (the event), up to 30 s.
        var lines: [Substring] = []
        for _ in 0..<300 {
            lines = try String(contentsOfFile: Self.lab["LAB_POSTFIX_LOG"], encoding: .utf8).split(separator: "\n")
            if lines.contains(where: { $0.contains("disconnect from") && $0.contains("auth=1") }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let sessions = lines.filter { $0.contains("disconnect from") }
        #expect(sessions.contains { $0.contains("starttls=1") && $0.contains("auth=1") && $0.contains("quit=1") })
        #expect(!sessions.contains { $0.contains(" mail=") || $0.contains(" rcpt=") || $0.contains(" data=") })
        let log = lines.joined(separator: "\n")
        #expect(!log.contains(Self.lab["LAB_SMTP_PASSWORD"]))
    }

    @Test func labRelaysNeverSawMAILRCPTOrDATA() async throws {
        _ = try await Self.probe("starttls")
        _ = try await Self.probe("tls", security: .tls)
        // QUIT goes out when the handle is cleaned up on the curl thread, just after the probe:
        // wait for it (the event), up to 30 s.
        var lines: [Substring] = []
        for _ in 0..<300 {
            lines = try String(contentsOfFile: Self.lab["LAB_SMTP_LOG"], encoding: .utf8).split(separator: "\n")
            if lines.contains(where: { $0.hasSuffix("QUIT") }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(lines.contains { $0.hasSuffix("EHLO probe.lab.test") })
        #expect(lines.contains { $0.hasSuffix("QUIT") })
        #expect(!lines.contains { $0.contains(" MAIL ") || $0.contains(" RCPT ") || $0.hasSuffix(" DATA") })
    }
}
