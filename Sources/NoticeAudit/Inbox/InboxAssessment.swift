/// The receivers' rules applied to one institution (../shared/domain.md, "The receivers' rules"):
/// every row from what the other checks already saw (the envelope's SPF, the DKIM keys, both DMARC
/// readings) and from the sending addresses' reputation, the matrix, its findings and the one
/// that decides.
public struct InboxAssessment: Sendable {
    /// What the rows are read from.
    public struct Evidence: Sendable {
        public var institution: Institution
        public var path: SendingPath
        /// The envelope domain's SPF from every sending address.
        public var envelopeSPF: InboxStatus
        public var envelopeSPFDetail: String
        /// Who can fix the envelope's SPF.
        public var envelopeParty: InboxParty
        /// The finding that already says why the envelope's SPF does not pass (ENVELOPE_SPF_NOT_PASSING,
        /// an SPF finding of a From domain, EXLIBRIS_SPF_NOT_PASSING); nil: the assessment says it.
        public var envelopeFinding: Finding?
        public var keys: [DKIMKeyCheck.Result]
        public var dmarc: DMARCCheck.Result
        public var reputation: ReputationReport
        /// `ex_libris` for the region's relays, `campus_relay` for a campus relay's egress.
        public var reputationParty: InboxParty
        /// The region's SPF include entry, when confirmed (for the fix).
        public var regionInclude: String?
        /// What receivers reported of the notices; it settles the `dkim` row when they saw DKIM.
        public var observed: ObservedNotices? = nil
        /// The From domains that do not exist (``DomainExistence``): the rows about them refer
        /// to `FROM_DOMAIN_NOT_FOUND`, never to a record they would publish.
        public var missingFromDomains: Set<String> = []
    }

    public var matrix: InboxMatrix
    /// The findings the matrix adds (rows that fail or cannot be decided, not said elsewhere).
    public var findings: [Finding]
    /// The finding that decides the matrix's outcome; nil when it passes.
    public var reason: Finding?

    public var outcome: CheckOutcome { matrix.outcome }

    /// Builds the matrix from `evidence`: each row by its rule (``InboxRowRules``), then the
    /// findings of the rows that decide and the one that decides.
    public init(_ evidence: Evidence) {
        let senderClass = evidence.institution.senderClass
        let verdicts = InboxRowRules.all.map { $0(evidence) }
        let rows = verdicts.map { InboxRequirement(row: $0.row, status: $0.status, party: $0.party, detail: $0.detail) }
        var rowFindings: [InboxRow: Finding] = [:]
        for verdict in verdicts where verdict.status == .fail || verdict.status == .unknown {
            if let finding = verdict.finding { rowFindings[verdict.row] = finding }
        }
        let path = evidence.path
        let matrix = InboxMatrix(senderClass: senderClass, envelopeDomain: path.envelopeDomain, envelopeAssumed: path.envelopeAssumed,
                                 sendingAddresses: path.sendingAddresses, requirements: rows)
        self.matrix = matrix
        // The rows that decide: those some provider requires, and a failing blocklists row.
        let deciding = rows.filter { row in
            row.row == .blocklists || ReceivingProvider.allCases.contains { $0.requires(row.row, of: senderClass) }
        }
        let candidates = deciding.compactMap { row -> Finding? in
            guard row.status == .fail || row.status == .unknown else { return nil }
            return rowFindings[row.row]
        }
        // The findings it was handed (the envelope's SPF, the DMARC rule) are listed by their checks.
        let policyFinding = verdicts.first { $0.row == .dmarcPolicy }?.finding
        let handed = Set([evidence.envelopeFinding, policyFinding].compactMap { $0?.cause })
        var added: [Finding] = []
        for finding in candidates where !handed.contains(finding.cause) && !added.contains(where: { $0.cause == finding.cause }) {
            added.append(finding)
        }
        self.findings = added
        let failing = matrix.outcome
        let decidingStatus: InboxStatus = failing == .fail ? .fail : .unknown
        let reasons = deciding.filter { $0.status == decidingStatus }.compactMap { rowFindings[$0.row] }
        self.reason = failing == .pass ? nil : (reasons.first(where: \.campusCanFix) ?? reasons.first)
    }

    /// "Gmail: 5.7.32 (4.7.32); Yahoo: required; Outlook.com: 550 5.7.515": what each provider
    /// that requires `row` of the class answers a failing notice.
    public static func replyWords(_ row: InboxRow, senderClass: SenderClass) -> String {
        let parts = ReceivingProvider.allCases.compactMap { provider -> String? in
            guard provider.requires(row, of: senderClass), let codes = provider.replies(for: row) else { return nil }
            return "\(provider.displayName) \(codes.isEmpty ? "requires it" : "answers " + codes.map(provider.printed).joined(separator: " or "))"
        }
        return parts.isEmpty ? "" : parts.joined(separator: "; ") + "."
    }
}
