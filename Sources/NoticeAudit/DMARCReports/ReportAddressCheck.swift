/// Whether receivers will send a member's reports to the consortium (../shared/domain.md, "What
/// receivers report"): where the consortium collects them at its own address
/// (`feedback.rua_address`), each member's DMARC record should list it (`RUA_NOT_LISTED`), and a
/// member domain outside the consortium's own needs the consortium to publish
/// `MEMBER._report._dmarc.CONSORTIUM-DOMAIN` starting with `v=DMARC1` (RFC 9990 §4, formerly
/// RFC 7489 §7.1; "external" compares organizational domains, by both readings), else receivers
/// do not send there (`RUA_AUTHORIZATION_MISSING`). Both are warnings.
public struct ReportAddressCheck: Sendable {
    public let resolver: any DNSResolver
    public let address: EmailAddress

    public init(resolver: any DNSResolver, address: EmailAddress) {
        self.resolver = resolver
        self.address = address
    }

    /// The findings for the From domains' discoveries (both readings each).
    public func findings(for discoveries: [String: DMARCDiscovery]) async throws -> [Finding] {
        let discoverer = DMARCDiscoverer(resolver: resolver)
        let destination = address.domain.name
        let wanted = address.description.lowercased()
        var findings: [Finding] = []
        for (from, discovery) in discoveries.sorted(by: { $0.key < $1.key }) {
            // The record each reading applies; its domain is the one that authors the reports.
            let applied = [discovery.rfc9989, discovery.rfc7489].filter { $0.status == .found }
            guard let reading = applied.first, let recordDomain = reading.recordDomain, let text = reading.record,
                  let record = DMARCRecord(text) else { continue }
            guard record.reportAddresses.contains(wanted) else {
                findings.append(Finding(code: .ruaNotListed, severity: .warning, target: from,
                    message: "The DMARC record at _dmarc.\(recordDomain) does not send aggregate reports to the consortium's \(wanted)" + (record.reportAddresses.isEmpty ? " (it has no rua)." : " (rua: \(record.reportAddresses.joined(separator: ", "))).") + " What receivers saw of the notices cannot be read.",
                    remediation: "Add mailto:\(wanted) to the rua tag of _dmarc.\(recordDomain) (rua URIs are separated by commas).",
                    facts: FindingFacts(changedRecord: "_dmarc.\(recordDomain)")))
                continue
            }
            var external = false
            for standard in DMARCStandard.allCases {
                guard let authorOrg = try await discoverer.organizationalDomain(recordDomain, by: standard),
                      let destinationOrg = try await discoverer.organizationalDomain(destination, by: standard) else { continue }
                if authorOrg != destinationOrg { external = true }
            }
            guard external else { continue }
            let name = "\(recordDomain)._report._dmarc.\(destination)"
            let authorized: Bool
            do {
                authorized = try await resolver.resolve(name, type: .txt).records.contains { record in
                    if case .txt(let strings) = record {
                        return String(decoding: strings.joined(), as: UTF8.self).lowercased().replacingOccurrences(of: " ", with: "").hasPrefix("v=dmarc1")
                    }
                    return false
                }
            } catch {
                continue  // no definite answer: said next run, never guessed
            }
            if !authorized {
                findings.append(Finding(code: .ruaAuthorizationMissing, severity: .warning, target: from,
                    message: "_dmarc.\(recordDomain) sends reports to \(wanted), outside its organizational domain, and \(name) has no v=DMARC1 record: receivers do not send reports there (RFC 9990 §4).",
                    remediation: "Consortium: publish a TXT record \"v=DMARC1\" at \(name).", campusCanFix: false))
            }
        }
        return findings
    }
}
