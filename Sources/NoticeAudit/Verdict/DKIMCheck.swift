/// The DKIM keys of an institution: every From domain (sender domain) × every selector the
/// inventory names (../shared/domain.md, "DKIM"). Only where selectors are named.
public struct DKIMCheck: Sendable {
    public let resolver: any DNSResolver

    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    /// Every key of the From domains × `selectors`; empty when no selector is configured.
    public func check(fromDomains: [String], selectors: [String]) async throws -> [DKIMKeyCheck.Result] {
        let check = DKIMKeyCheck(resolver: resolver)
        var results: [DKIMKeyCheck.Result] = []
        for domain in fromDomains {
            for selector in selectors {
                results.append(try await check.check(domain: domain, selector: selector))
            }
        }
        return results
    }

    /// The findings of keys that are not `ok`, and of `t=y`. Severity `error` for the keys of a
    /// From domain whose DMARC needed DKIM and did not get it (`failing`); a warning elsewhere: DKIM
    /// problems decide the verdict only where DMARC needs DKIM.
    public static func findings(_ results: [DKIMKeyCheck.Result], failing: Set<String>) -> [Finding] {
        var findings: [Finding] = []
        for result in results {
            if let code = FindingCode.dkim(result.status) {
                let severity: Finding.Severity = failing.contains(result.domain) && !result.status.isUsable ? .error : .warning
                findings.append(Finding(code: code, severity: severity, target: result.name,
                                        message: "The DKIM key at \(result.name) is \(words(result.status)): \(result.problems.joined(separator: "; ")).",
                                        remediation: remediation(result)))
            }
            if result.testing {
                findings.append(Finding(code: .dkimTesting, severity: .warning, target: result.name,
                                        message: "The DKIM key at \(result.name) has t=y: the domain says it is testing DKIM, and some receivers ignore its signatures.",
                                        remediation: "Once notices verify (check a notice's Authentication-Results header), remove t=y from the record at \(result.name)."))
            }
        }
        return findings
    }

    static func words(_ status: DKIMKeyStatus) -> String {
        switch status {
        case .ok: "usable"
        case .weak: "weak"
        case .tooWeak: "too weak for verifiers"
        case .revoked: "revoked"
        case .invalid: "invalid"
        case .missing: "missing"
        case .temperror: "unreadable for now"
        }
    }

    static func remediation(_ result: DKIMKeyCheck.Result) -> String {
        switch result.status {
        case .ok: ""
        case .weak, .tooWeak:
            "Rotate to a 2048-bit RSA key: ask Ex Libris for a new key pair in the DKIM set-up of the institution and publish the new public key at \(result.name)."
        case .missing:
            "Publish the TXT record \(result.name) with the public key from Ex Libris's DKIM set-up for the institution (v=DKIM1; k=rsa; p=…), or correct the selector in the inventory."
        case .revoked:
            "The key at \(result.name) is revoked (empty p=): publish the current public key from Ex Libris's DKIM set-up, or remove the selector from Alma and the inventory if it is retired."
        case .invalid:
            "Publish exactly one valid record at \(result.name), as Ex Libris's DKIM set-up gives it (v=DKIM1; k=rsa; p=<base64 key>)."
        case .temperror:
            "Check that the name servers of \(result.domain) answer; the check runs again on the next scan."
        }
    }
}
