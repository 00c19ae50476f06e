import Foundation

/// Checks one institution: SPF coverage of its region's relays for every sender domain, DMARC of
/// its From domains, and its own relay when it uses one. Applies the verdict rules of
/// ../shared/domain.md and writes every problem as a finding with a remediation.
public struct InstitutionChecker: Sendable {
    public let resolver: any DNSResolver
    public let evaluator: SPFEvaluator
    public let probe: SMTPProbe
    /// Where relay passwords come from: the environment, or a credentials file.
    public let environment: [String: String]

    public init(resolver: any DNSResolver, probe: SMTPProbe, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.resolver = resolver
        self.evaluator = SPFEvaluator(resolver: resolver)
        self.probe = probe
        self.environment = environment
    }

    public func check(_ institution: Institution, relays: RegionRelaySet) async throws -> InstitutionResult {
        let start = ContinuousClock.now
        var findings: [Finding] = []
        var statuses: [ComplianceStatus] = []
        var domains: [DomainResult] = []
        var worstSPF: SPFResult?
        var relaySummary: RelaySummary?

        if institution.delivery == .spf {
            if relays.isUnknown {
                statuses.append(.unknown)
                findings.append(Finding(
                    code: "SPF_RELAYS_UNKNOWN", severity: .error, target: relays.region.code,
                    message: "The Ex Libris relay addresses of \(relays.region.displayName) are not known: \(relays.problems.joined(separator: "; ")).",
                    remediation: "Run 'notice-audit ranges fetch' when the Ex Libris page and DNS are reachable; the check cannot pass until the relays are known."))
            }
            for domain in institution.senderDomains {
                let (result, status, domainFindings) = try await checkSPF(domain: domain.name, institution: institution, relays: relays)
                domains.append(result)
                statuses.append(status)
                findings += domainFindings
                if let worst = result.worstResult { worstSPF = max(worstSPF ?? worst, worst) }
            }
        }

        let (dmarcPolicy, dmarcStatus, dmarcFindings, dmarcByDomain) = try await checkDMARC(institution)
        statuses.append(dmarcStatus)
        findings += dmarcFindings
        for index in domains.indices {
            if let dmarc = dmarcByDomain[domains[index].domain] {
                domains[index].dmarcPolicy = dmarc.effectivePolicy?.rawValue
                domains[index].dmarcAligned = dmarc.aligned
            }
        }

        if institution.delivery == .relay, let relay = institution.relay {
            let (summary, status, relayFindings) = try await checkRelay(relay, institution: institution)
            relaySummary = summary
            statuses.append(status)
            findings += relayFindings
        }

        let elapsed = ContinuousClock.now - start
        return InstitutionResult(
            institutionID: institution.id, name: institution.name, method: institution.delivery, status: statuses.max() ?? .compliant,
            spfResult: institution.delivery == .spf ? (relays.isUnknown && worstSPF == nil ? nil : worstSPF) : nil,
            dmarcPolicy: dmarcPolicy, relayStatus: relaySummary?.status, change: .new,
            findings: findings.sorted { ($1.severity, $0.code) < ($0.severity, $1.code) }, domains: domains, relay: relaySummary,
            durationMilliseconds: Int(elapsed.milliseconds))
    }

    // MARK: SPF

    private func checkSPF(domain: String, institution: Institution, relays: RegionRelaySet) async throws -> (DomainResult, ComplianceStatus, [Finding]) {
        let sender = institution.fromAddresses.first { $0.domain.name == domain }?.description ?? "alma-notices@\(domain)"
        var result = DomainResult(domain: domain, worstResult: nil, results: [:], record: nil, dnsLookups: nil)
        guard !relays.isUnknown else { return (result, .unknown, []) }
        let coverages = try await evaluator.coverage(ranges: relays.networks, domain: domain, sender: sender)
        let worst = coverages.map(\.worstResult).max() ?? .none
        result.worstResult = worst
        var byResult: [String: [String]] = [:]
        for coverage in coverages { for (spf, networks) in coverage.networksByResult { byResult[spf.rawValue, default: []] += networks.map(\.description) } }
        result.results = byResult
        let include = relays.includeConfirmed ? relays.include : nil
        let audit = try await SPFRecordAuditor(resolver: resolver).audit(domain: domain, requiredInclude: include, coverages: coverages)
        result.record = audit.record
        result.dnsLookups = audit.spentDNSLookups

        var findings: [Finding] = []
        let failing = coverages.flatMap(\.parts).filter { $0.result != .pass }
        let sample = failing.first?.outcome
        let fixRecord = audit.recommendation?.record.map { "Publish this TXT record at \(domain): \($0)" } ?? audit.recommendation?.message
        let fix = fixRecord ?? "Add include:\(relays.include ?? "the Ex Libris SPF entry of your region") to the SPF record of \(domain), before its 'all' term."
        let status: ComplianceStatus
        switch worst {
        case .pass:
            status = .compliant
        case .temperror where !failing.contains(where: { $0.result != .temperror }):
            status = .unknown
            findings.append(Finding(
                code: "SPF_TEMPERROR", severity: .error, target: domain,
                message: "DNS gave no definite answer while checking \(domain): \(sample?.problem ?? "timeout or server failure").",
                remediation: "Check that the name servers of \(domain) answer; the check is repeated on the next run."))
        default:
            status = .noncompliant
            let ranges = failing.flatMap(\.networks).map(\.description)
            let shown = ranges.prefix(6).joined(separator: ", ") + (ranges.count > 6 ? " and \(ranges.count - 6) more" : "")
            switch worst {
            case .none:
                findings.append(Finding(code: "SPF_NO_RECORD", severity: .error, target: domain,
                    message: "\(domain) publishes no SPF record, so receivers cannot tell that the Ex Libris relays may send for it.", remediation: fix))
            case .permerror:
                findings.append(Finding(code: "SPF_PERMERROR", severity: .error, target: domain,
                    message: "The SPF record of \(domain) is broken: \(sample?.problem ?? "permanent error"); every receiver treats it as an error.",
                    remediation: "Fix the record" + (audit.warnings.isEmpty ? "" : " (\(audit.warnings.map(\.message).joined(separator: "; ")))") + ". " + fix))
            default:
                findings.append(Finding(code: "SPF_NOT_AUTHORIZED", severity: .error, target: domain,
                    message: "\(domain) does not authorize the Ex Libris relays \(shown): check_host() gives \(worst.rawValue)\(sample?.decidingTerm.map { " (deciding term '\($0)')" } ?? "").",
                    remediation: fix))
            }
        }
        if audit.worstCaseDNSLookups > 10 || audit.recommendation?.exceedsLookupLimit == true {
            findings.append(Finding(code: "SPF_LOOKUP_LIMIT", severity: status == .compliant ? .warning : .error, target: domain,
                message: "The SPF record tree of \(domain) needs up to \(max(audit.worstCaseDNSLookups, audit.recommendation?.worstCaseDNSLookups ?? 0)) DNS lookups; more than 10 is a permanent error (RFC 7208 §4.6.4).",
                remediation: "Remove includes that are no longer needed, or replace one by the ip4/ip6 terms it publishes."))
        }
        for warning in audit.warnings where [.ptrUsed, .passAll, .recordTooLong, .answerTooLong].contains(warning.code) {
            findings.append(Finding(code: warning.code.rawValue, severity: .warning, target: warning.domain, message: warning.message,
                                    remediation: "Review the SPF record of \(warning.domain)."))
        }
        return (result, status, findings)
    }

    // MARK: DMARC

    private func checkDMARC(_ institution: Institution) async throws -> (String?, ComplianceStatus, [Finding], [String: DMARCEvaluation]) {
        let checker = DMARCChecker(resolver: resolver)
        let fromDomains = institution.fromAddresses.isEmpty ? institution.senderDomains.map(\.name) : Array(Set(institution.fromAddresses.map(\.domain.name))).sorted()
        var findings: [Finding] = []
        var status = ComplianceStatus.compliant
        var strictest: DMARCRecord.Policy?
        var byDomain: [String: DMARCEvaluation] = [:]
        for from in fromDomains {
            let envelope = institution.envelopeFrom?.domain.name ?? from
            let evaluation = try await checker.evaluate(fromDomain: from, envelopeDomain: envelope)
            byDomain[from] = evaluation
            if let policy = evaluation.effectivePolicy { strictest = max(strictest ?? policy, policy) }
            switch evaluation.verdict {
            case .fine:
                break
            case .missing:
                findings.append(Finding(code: "DMARC_MISSING", severity: .warning, target: from,
                    message: "\(from) publishes no DMARC record.",
                    remediation: "Publish a TXT record at _dmarc.\(from), starting with: v=DMARC1; p=none; rua=mailto:dmarc-reports@\(from)"))
            case .misaligned:
                status = max(status, .noncompliant)
                findings.append(Finding(code: "DMARC_MISALIGNED", severity: .error, target: from,
                    message: "\(evaluation.recordName ?? "DMARC") asks receivers to \(evaluation.effectivePolicy?.rawValue ?? "reject") mail that fails DMARC, and Alma's envelope sender (\(institution.envelopeFrom?.description ?? envelope)) is not in \(from): SPF cannot align, so notices fail DMARC.",
                    remediation: "Have Alma send with an envelope sender (Return-Path) in \(from), ask Ex Libris to sign the notices with DKIM for \(from), or relax the policy to p=none until one of these is in place."))
            case .unknown(let problem):
                status = max(status, .unknown)
                findings.append(Finding(code: "DMARC_TEMPERROR", severity: .error, target: from,
                    message: "The DMARC record of \(from) could not be read: \(problem).",
                    remediation: "Check that the name servers of \(from) answer; the check is repeated on the next run."))
            }
        }
        return (strictest?.rawValue, status, findings, byDomain)
    }

    // MARK: Relay

    private func checkRelay(_ relay: RelayConfiguration, institution: Institution) async throws -> (RelaySummary, ComplianceStatus, [Finding]) {
        var findings: [Finding] = []
        var password: String?
        var passwordProblem: String?
        switch relay.credential {
        case .environment(let name)?:
            password = environment[name]
            if password == nil { passwordProblem = "the environment variable \(name) is not set" }
        case .file(let path)?:
            if let data = FileManager.default.contents(atPath: path) {
                password = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            } else {
                passwordProblem = "the credentials file \(path) cannot be read"
            }
        case nil:
            break
        }
        let target = "\(relay.host):\(relay.port)"
        let result = try await probe.probe(host: relay.host, port: relay.port, security: relay.security, username: relay.username, password: password)
        let summary = RelaySummary(
            host: relay.host, port: relay.port, security: relay.security.rawValue, status: result.status, detail: result.detail,
            tlsVersion: result.tls?.version, certificateExpires: result.tls?.certificate?.notAfter.map { ISO8601DateFormatter().string(from: $0) },
            authMechanisms: result.authMechanisms)
        var status: ComplianceStatus
        switch result.status {
        case .ok: status = .compliant
        case .timeout: status = .unknown
        case .dnsError where result.isTemporary: status = .unknown
        case .rejected where result.isTemporary: status = .unknown
        default: status = .noncompliant
        }
        if result.status != .ok {
            findings.append(Finding(
                code: "RELAY_\(result.status.rawValue.uppercased())", severity: .error, target: target,
                message: "The relay \(target) (\(relay.security.rawValue)): \(result.detail ?? result.status.rawValue).",
                remediation: Self.remediation(for: result.status, relay: relay)))
        }
        if let passwordProblem, result.status == .ok {
            status = max(status, .unknown)
            findings.append(Finding(code: "RELAY_PASSWORD_UNAVAILABLE", severity: .error, target: target,
                message: "The login to \(target) could not be tested: \(passwordProblem).",
                remediation: "Provide the relay password to the scan (see the inventory's password_env or credentials_file)."))
        }
        for warning in result.warnings {
            findings.append(Finding(code: warning.code.rawValue, severity: .warning, target: target, message: warning.message,
                remediation: warning.code == .certificateExpiringSoon ? "Renew the certificate of \(relay.host) before it expires." : warning.code == .port857 ? "Set the relay port to 587 in Alma and the inventory." : "Review the relay's TLS settings."))
        }
        return (summary, status, findings)
    }

    static func remediation(for status: RelayStatus, relay: RelayConfiguration) -> String {
        switch status {
        case .ok: ""
        case .refused: "Make sure the relay runs and that the campus firewall lets the Ex Libris relay addresses of your region reach \(relay.host) on port \(relay.port)."
        case .timeout: "Check that \(relay.host):\(relay.port) answers from outside the campus network (firewall dropping packets?)."
        case .dnsError: "Publish an A (or AAAA) record for \(relay.host), or correct the host name in Alma and in the inventory."
        case .tlsError: "Fix TLS on \(relay.host):\(relay.port): security '\(relay.security.rawValue)' expects \(relay.security == .tls ? "TLS from the first byte (port 465)" : "STARTTLS (port 587)")."
        case .certUntrusted: "Install a certificate for \(relay.host) from a public CA, with its intermediate certificates."
        case .certExpired: "Renew the certificate of \(relay.host)."
        case .certNameMismatch: "Install a certificate whose names include \(relay.host), or point Alma at the name the certificate carries."
        case .starttlsMissing: "Enable STARTTLS on \(relay.host):\(relay.port) (submission port 587)."
        case .authMissing:
            relay.security == .none
                ? "Use STARTTLS (security starttls, port 587) in Alma and in the inventory: relays offer AUTH only inside TLS. If \(relay.host) still offers no AUTH then, enable it for the Alma account."
                : "Enable SMTP AUTH (after STARTTLS) on \(relay.host) for the Alma account."
        case .authFailed: "Reset the Alma account's password on the relay, update it in Alma and in the scan's environment."
        case .rejected: "The relay refuses sessions; allow the Ex Libris relay addresses of your region to connect."
        case .protocolError: "\(relay.host):\(relay.port) does not speak SMTP; check the host and port in Alma and the inventory."
        }
    }
}
