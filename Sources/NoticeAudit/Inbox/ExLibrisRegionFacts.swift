/// The receivers' rows about the Ex Libris relays of one region, checked once per run
/// (../shared/domain.md: "Rows about the Ex Libris relays ... are facts of the region"): the SPF
/// of `exlibrisgroup.com` (Alma's default envelope) from every relay address, and the relays'
/// reverse DNS and listings. Every institution whose notices go through them inherits the rows.
public struct ExLibrisRegionFacts: Sendable {
    public var region: AlmaRegion
    /// The SPF of exlibrisgroup.com over the region's relay set.
    public var spfStatus: InboxStatus
    public var spfDetail: String
    public var reputation: ReputationReport
    /// The run-level findings (`EXLIBRIS_SPF_NOT_PASSING`, `EXLIBRIS_RELAY_PTR_MISSING`,
    /// `EXLIBRIS_RELAY_PTR_SAMPLED`, `EXLIBRIS_RELAY_LISTED`), none the campus's to fix.
    public var findings: [Finding]

    /// Checks the region of `relays`.
    public static func check(_ relays: RegionRelaySet, resolver: any DNSResolver, reputation checker: ReputationChecker) async throws -> ExLibrisRegionFacts {
        let region = relays.region
        let path = SendingPath(fromDomains: [], envelopeFrom: SendingPath.almaDefaultEnvelope, envelopeAssumed: true,
                               sendingAddresses: relays.networks, addressSource: .exLibrisRelays)
        async let reputation = checker.report(for: relays.networks)
        var findings: [Finding] = []
        let spfStatus: InboxStatus
        let spfDetail: String
        if relays.networks.isEmpty {
            spfStatus = .unknown
            spfDetail = "no relay address of \(region.displayName) is known"
        } else {
            let spf = try await EnvelopeSPFCheck(resolver: resolver).check(path, knowledge: relays.knowledge)
            spfStatus = InboxStatus(spf.outcome)
            let count = relays.networks.count
            spfDetail = switch spf.outcome {
            case .pass: "\(SendingPath.exLibrisDomain) passes from the \(count) relay range\(count == 1 ? "" : "s") of \(region.code)"
            case .fail: "the SPF of \(SendingPath.exLibrisDomain) gives \(spf.worst?.rawValue ?? "no pass") for relays of \(region.displayName)"
            case .unknown: "the SPF of \(SendingPath.exLibrisDomain) could not be decided for \(region.displayName) (\(spf.findings.first?.message ?? "no definite answer"))"
            }
            if spf.outcome == .fail {
                findings.append(Finding(code: .exlibrisSPFNotPassing, severity: .error, target: region.code,
                    message: "Alma's default envelope sender \(SendingPath.almaDefaultEnvelope) does not pass SPF from the Ex Libris relays of \(region.displayName): \(spf.findings.first?.message ?? spfDetail) Receivers see notices of every institution on Alma's default envelope fail SPF.",
                    remediation: "Report it to Ex Libris support (the SPF record of exlibrisgroup.com must authorize its own relays). Meanwhile an institution can use a branded envelope sender in its own domain with the region's include, or DKIM signing in its own domain.",
                    campusCanFix: false))
            }
        }
        let report = await reputation
        let unconfirmed = report.ranges.filter { !$0.sampled }.flatMap(\.ptrFailures)
        if !unconfirmed.isEmpty {
            findings.append(Finding(code: .exlibrisRelayPTRMissing, severity: .error, target: region.code,
                message: "Ex Libris relay addresses of \(region.displayName) have no forward-confirmed PTR: " + unconfirmed.prefix(8).map { "\($0.address) (\(ReputationReport.words($0.ptr)))" }.joined(separator: ", ")
                    + (unconfirmed.count > 8 ? " and \(unconfirmed.count - 8) more" : "") + ". Gmail rejects such mail (5.7.25) or rate-limits it (4.7.23), and Yahoo requires reverse DNS.",
                remediation: "Report it to Ex Libris support: the relays' reverse DNS is theirs to publish. Nothing to change at the campuses.",
                campusCanFix: false))
        }
        for range in report.ranges where range.sampled && !range.ptrFailures.isEmpty {
            findings.append(Finding(code: .exlibrisRelayPTRSampled, severity: .warning, target: region.code,
                message: "Of the range \(range.network) of \(region.displayName), \(range.addresses.count) addresses spread over it were asked and \(range.ptrFailures.count) have no forward-confirmed PTR (first: \(range.ptrFailures[0].address)). Receivers see only the addresses that send, so a sample never decides.",
                remediation: "Ask Ex Libris support which addresses of \(range.network) send mail, and whether they have reverse DNS.",
                campusCanFix: false))
        }
        let listed = report.listings
        if !listed.isEmpty {
            findings.append(Finding(code: .exlibrisRelayListed, severity: .error, target: region.code,
                message: "Ex Libris relay addresses of \(region.displayName) are on DNS blocklists: " + listed.prefix(8).map { "\($0.address) on \($0.zone) (\($0.code))" }.joined(separator: ", ") + ". Receivers that use the list refuse the notices.",
                remediation: "Report it to Ex Libris support with the listing; delisting is theirs to request. Nothing to change at the campuses.",
                campusCanFix: false))
        }
        return ExLibrisRegionFacts(region: region, spfStatus: spfStatus, spfDetail: spfDetail, reputation: report, findings: findings)
    }
}
