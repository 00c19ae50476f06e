import Foundation
import Synchronization

/// Checks one institution: its sending path first (``SendingPath``), then one checker per concern
/// (SPF of each From domain, the envelope domain's SPF, DMARC of the From domains, the
/// institution's own relay). Each decided check goes to the ``CheckLedger`` at once, so a deadline
/// keeps what was proved; the verdict is ``VerdictRules/institution(_:)`` of the outcomes.
public struct InstitutionChecker: Sendable {
    public let resolver: any DNSResolver
    public let spf: SPFCheck
    public let envelopeSPF: EnvelopeSPFCheck
    public let dmarc: DMARCCheck
    public let dkim: DKIMCheck
    public let relay: RelayCheck
    /// Reverse DNS and blocklists of sending addresses, each address asked once per run.
    public let reputation: ReputationChecker
    /// What receivers reported in the last days (DMARC aggregate reports); nil: none read.
    public let observations: ReceiverObservations?
    /// The consortium's report address (`feedback.rua_address`): each member's DMARC should list it.
    public let reportAddress: EmailAddress?
    private let regionFacts = RegionFactsMemo()

    public init(resolver: any DNSResolver, probe: SMTPProbe, scannerAddresses: [IPNetwork] = [], blocklistZones: [String] = ReputationChecker.defaultZones,
                observations: ReceiverObservations? = nil, reportAddress: EmailAddress? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.resolver = resolver
        self.observations = observations
        self.reportAddress = reportAddress
        self.reputation = ReputationChecker(resolver: resolver, zones: blocklistZones)
        self.spf = SPFCheck(resolver: resolver)
        self.envelopeSPF = EnvelopeSPFCheck(resolver: resolver)
        self.dmarc = DMARCCheck(resolver: resolver)
        self.dkim = DKIMCheck(resolver: resolver)
        self.relay = RelayCheck(probe: probe, credentials: RelayCredentials(environment: environment), scannerAddresses: scannerAddresses)
    }

    /// Checks `institution` to the end and returns its result.
    public func check(_ institution: Institution, relays: RegionRelaySet) async throws -> InstitutionResult {
        let start = ContinuousClock.now
        let ledger = CheckLedger()
        try await check(institution, relays: relays, into: ledger)
        return ledger.result(for: institution, durationMilliseconds: Int((ContinuousClock.now - start).milliseconds))
    }

    /// Checks `institution`, recording each decided check in `ledger` as it is decided.
    public func check(_ institution: Institution, relays: RegionRelaySet, into ledger: CheckLedger) async throws {
        let path = try await SendingPath.of(institution, relays: relays, resolver: resolver)
        ledger.setPath(path)
        ledger.note(path.assumptionFindings(institution: institution))
        // The DKIM keys, the DMARC records and the sending addresses' reputation are read while SPF
        // is evaluated: their lookups then add no wall time. The Ex Libris relays' facts are asked once per run.
        async let dkimKeys = dkim.check(fromDomains: path.fromDomains, selectors: institution.dkimSelectors)
        async let dmarcDiscoveries = dmarc.discover(path)
        async let campusReputation = institution.delivery == .relay ? reputation.report(for: path.sendingAddresses) : nil
        async let exLibris = institution.delivery == .spf ? exLibrisFacts(for: relays) : nil
        // Whether each From domain exists, decided once (the TXT answer SPF reads first, cached).
        async let missingFromDomains = DomainExistence.missing(path.fromDomains, resolver: resolver)
        async let spfTrees = spfTrees(path, institution: institution)
        var envelopeFindings: [String: Finding] = [:]

        var spfOutcomes: [String: CheckOutcome] = [:]
        if institution.delivery == .spf {
            // Every sender domain at once; recorded in the inventory's order (the reports' order),
            // each as soon as it and the ones before it are decided (a deadline keeps what was proved).
            let domains = path.fromDomains
            try await withThrowingTaskGroup(of: (Int, SPFCheck.Result, Bool).self) { group in
                for (index, domain) in domains.enumerated() {
                    let sender = Self.sender(for: domain, of: institution)
                    group.addTask {
                        let checked = try await spf.check(domain: domain, sender: sender, relays: relays, proved: ledger.prove)
                        return (index, checked, try await DomainExistence.isMissing(domain, resolver: resolver))
                    }
                }
                var decided: [Int: (SPFCheck.Result, Bool)] = [:]
                var next = 0
                for try await (index, checked, missing) in group {
                    decided[index] = (checked, missing)
                    while let (checked, missing) = decided.removeValue(forKey: next) {
                        ledger.update { $0.domains.append(checked.domain) }
                        // A From domain that does not exist is said once, never as "publishes no SPF record".
                        let findings = missing ? [DomainExistence.finding(domains[next])] : checked.findings
                        let outcome = missing ? CheckOutcome.fail : checked.outcome
                        ledger.record(outcome, reason: outcome == .pass ? nil : findings.first, findings: findings, settling: domains[next])
                        spfOutcomes[domains[next]] = outcome
                        envelopeFindings[domains[next]] = outcome == .pass ? nil : findings.first
                        next += 1
                    }
                }
            }
        }
        // The envelope domain's SPF: receivers evaluate it, not the From domain's. Alma's default
        // (exlibrisgroup.com) is a vendor-side fact, not the campus's; a From domain's SPF is
        // already known above; any other campus envelope domain is one more SPF check.
        if !path.envelopeIsExLibris, spfOutcomes[path.envelopeDomain] == nil {
            let checked = try await envelopeSPF.check(path, knowledge: institution.delivery == .spf ? relays.knowledge : .complete)
            ledger.record(checked.outcome, reason: checked.findings.first, findings: checked.findings)
            spfOutcomes[path.envelopeDomain] = checked.outcome
            envelopeFindings[path.envelopeDomain] = checked.findings.first
        }

        let missing = try await missingFromDomains
        let trees = try await spfTrees
        ledger.update { $0.spfTrees = trees }
        if institution.delivery != .spf {
            for domain in path.fromDomains where missing.contains(domain) {
                let finding = DomainExistence.finding(domain)
                ledger.record(.fail, reason: finding, findings: [finding])
            }
        }
        let keys = try await dkimKeys
        ledger.update { $0.dkimKeys = keys }
        var dmarcResult = try await dmarc.check(path, envelopeSPF: spfOutcomes, selectors: institution.dkimSelectors, dkim: keys, discovered: try await dmarcDiscoveries)
        // Of a From domain that does not exist nothing is said to be missing: FROM_DOMAIN_NOT_FOUND says why.
        dmarcResult.findings.removeAll { $0.code == .dmarcMissing && missing.contains(DomainName.normalized($0.target)) }
        let dkimFindings = DKIMCheck.findings(keys.filter { !missing.contains($0.domain) }, failing: dmarcResult.needingDKIM)
        for outcome in dmarcResult.perDomain {
            let said = outcome.finding.flatMap { $0.severity == .info || ($0.code == .dmarcMissing && missing.contains(outcome.domain)) ? nil : $0 }
            ledger.record(outcome.outcome, reason: said
                ?? dkimFindings.first { $0.severity == .error && DomainName.normalized($0.target).hasSuffix(outcome.domain) }, findings: [])
        }
        ledger.note(dmarcResult.findings + dkimFindings)
        if let reportAddress {
            ledger.note(try await ReportAddressCheck(resolver: resolver, address: reportAddress).findings(for: dmarcResult.discoveries))
        }
        ledger.update { state in
            state.dmarcPolicy = dmarcResult.strictestPolicy
            state.dmarc = dmarcResult.discoveries
            for index in state.domains.indices {
                let evaluation = dmarcResult.evaluations[state.domains[index].domain]
                state.domains[index].dmarcPolicy = evaluation?.effectivePolicy
                state.domains[index].dmarcAligned = evaluation?.aligned
                state.domains[index].dmarcRecord = evaluation?.record?.text
                state.domains[index].dmarcRecordName = evaluation?.record == nil ? nil : evaluation?.recordName
            }
        }

        if institution.delivery == .relay, let configuration = institution.relay {
            let checked = try await relay.check(configuration)
            ledger.update { $0.relay = checked.summary }
            ledger.record(checked.outcome, reason: checked.outcome == .pass ? nil : checked.findings.first, findings: checked.findings)
        }

        // What receivers reported of these notices: it settles the dkim row (seen by receivers).
        let observed = observations?.observed(fromDomains: path.fromDomains, sendingAddresses: path.sendingAddresses)
        ledger.update { $0.observed = observed }

        // The receivers' rules, from what the checks above saw.
        var evidence = InboxAssessment.Evidence(
            institution: institution, path: path, envelopeSPF: .unknown, envelopeSPFDetail: "", envelopeParty: .institution, envelopeFinding: nil,
            keys: keys, dmarc: dmarcResult, reputation: ReputationReport(ranges: [], zones: reputation.zones, unusableZones: [:]), reputationParty: .exLibris,
            regionInclude: relays.includeConfirmed ? relays.include : nil, observed: observed, missingFromDomains: missing)
        if let facts = try await exLibris {
            evidence.reputation = facts.reputation
            if path.envelopeIsExLibris {
                evidence.envelopeParty = .exLibris
                evidence.envelopeSPF = facts.spfStatus
                evidence.envelopeSPFDetail = facts.spfDetail
                evidence.envelopeFinding = facts.spfStatus == .pass ? nil : Self.inherited(facts, institution: institution)
                if let inherited = evidence.envelopeFinding, facts.spfStatus == .fail { ledger.note([inherited]) }
            }
        } else if let campus = await campusReputation {
            evidence.reputation = campus
            evidence.reputationParty = .campusRelay
            if path.envelopeIsExLibris {
                // A campus relay that keeps Alma's default envelope: receivers check exlibrisgroup.com's SPF against the relay's addresses.
                let checked = try await envelopeSPF.check(path)
                evidence.envelopeParty = .campusRelay
                evidence.envelopeSPF = InboxStatus(checked.outcome)
                evidence.envelopeSPFDetail = checked.outcome == .pass
                    ? "the SPF of \(path.envelopeDomain) passes from the campus relay's addresses"
                    : "the SPF of \(path.envelopeDomain) gives \(checked.worst?.rawValue ?? "no pass") for the campus relay's addresses \(path.sendingAddresses.map(\.description).joined(separator: ", ").ifEmpty("(none known)"))"
            }
        }
        if !path.envelopeIsExLibris {
            let outcome = spfOutcomes[path.envelopeDomain] ?? .unknown
            evidence.envelopeSPF = InboxStatus(outcome)
            evidence.envelopeFinding = outcome == .pass ? nil : envelopeFindings[path.envelopeDomain]
            evidence.envelopeSPFDetail = outcome == .pass
                ? "the SPF of \(path.envelopeDomain) passes from every sending address"
                : evidence.envelopeFinding?.message ?? "the SPF of \(path.envelopeDomain) does not pass from every sending address"
        }
        let assessment = InboxAssessment(evidence)
        ledger.update { $0.inbox = assessment.matrix }
        ledger.record(assessment.outcome, reason: assessment.reason, findings: assessment.findings)
    }

    /// Each From domain's whole SPF tree (scan.json `spf_tree`), walked as a receiver checking the
    /// first address the notices come from: the evaluator's own walk, on the answers the checks ask.
    func spfTrees(_ path: SendingPath, institution: Institution) async throws -> [String: SPFTree] {
        let evaluator = SPFEvaluator(resolver: resolver)
        let address = path.sendingAddresses.first?.address ?? SPFEvaluator.treeAddress
        var trees: [String: SPFTree] = [:]
        for domain in path.fromDomains where trees[domain] == nil {
            trees[domain] = try await evaluator.tree(of: domain, ip: address, sender: Self.sender(for: domain, of: institution))
        }
        return trees
    }

    /// The receivers' rows about the Ex Libris relays of `relays`' region, checked once per run.
    public func exLibrisFacts(for relays: RegionRelaySet) async throws -> ExLibrisRegionFacts {
        let task = regionFacts.task(for: relays.region) {
            try await ExLibrisRegionFacts.check(relays, resolver: resolver, reputation: reputation)
        }
        return try await task.value
    }

    /// The institution's own finding for a failing Ex Libris SPF row: the run-level cause decides it.
    static func inherited(_ facts: ExLibrisRegionFacts, institution: Institution) -> Finding {
        Finding(code: .exlibrisSPFNotPassing, severity: facts.spfStatus == .fail ? .error : .warning, target: facts.region.code,
                message: "Notices go out with Alma's default envelope \(SendingPath.almaDefaultEnvelope), and \(facts.spfDetail).",
                remediation: "Nothing the campus must change: it is reported to Ex Libris once for the region. A branded envelope sender in the institution's own domain (with the region's include) avoids it.",
                campusCanFix: false)
    }

    /// The sender checked for a domain: its From address, else a mailbox of the domain.
    static func sender(for domain: String, of institution: Institution) -> String {
        institution.fromAddresses.first { $0.domain.name == domain }?.description ?? "alma-notices@\(domain)"
    }
}

/// The Ex Libris region facts of one run: each region checked once, whoever asks first.
final class RegionFactsMemo: Sendable {
    private let tasks = Mutex<[AlmaRegion: Task<ExLibrisRegionFacts, any Error>]>([:])

    func task(for region: AlmaRegion, _ body: @escaping @Sendable () async throws -> ExLibrisRegionFacts) -> Task<ExLibrisRegionFacts, any Error> {
        tasks.withLock { tasks in
            if let task = tasks[region] { return task }
            let task = Task { try await body() }
            tasks[region] = task
            return task
        }
    }
}
