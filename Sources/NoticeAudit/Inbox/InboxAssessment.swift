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

    /// Builds the matrix from `evidence`.
    public init(_ evidence: Evidence) {
        let institution = evidence.institution
        let path = evidence.path
        let senderClass = institution.senderClass
        var rows: [InboxRequirement] = []
        var rowFindings: [InboxRow: Finding] = [:]
        func add(_ row: InboxRow, _ status: InboxStatus, _ party: InboxParty, _ detail: String, finding: Finding? = nil) {
            rows.append(InboxRequirement(row: row, status: status, party: party, detail: detail))
            if let finding, status == .fail || status == .unknown { rowFindings[row] = finding }
        }
        let replies = { (row: InboxRow) in Self.replyWords(row, senderClass: senderClass) }
        let campus = evidence.reputationParty == .exLibris ? InboxParty.institution : .campusRelay

        // spf_or_dkim and spf: the envelope domain's SPF, or a usable DKIM key in a From domain.
        let usableKeys = evidence.keys.filter { $0.status.isUsable && path.fromDomains.contains($0.domain) }
        let keyUnknown = evidence.keys.contains { $0.status == .temperror }
        let spfFinding = evidence.envelopeFinding ?? Finding(code: .inboxSPFNotPassing, severity: .error, target: path.envelopeDomain,
            message: "Receivers check SPF for the envelope sender \(path.envelopeFrom): \(evidence.envelopeSPFDetail). \(replies(.spf))",
            remediation: evidence.envelopeParty == .campusRelay
                ? "Have the campus relay send with an envelope sender in the institution's domain (set \"envelope_from\" in Alma's Mail Handling profile and the inventory) whose SPF authorizes the relay's addresses."
                : "Authorize the sending addresses in the SPF record of \(path.envelopeDomain).",
            campusCanFix: evidence.envelopeParty != .exLibris)
        let eitherStatus: InboxStatus = evidence.envelopeSPF == .pass || !usableKeys.isEmpty ? .pass
            : evidence.envelopeSPF == .fail && !keyUnknown ? .fail : .unknown
        add(.spfOrDKIM, eitherStatus, evidence.envelopeParty,
            usableKeys.isEmpty ? evidence.envelopeSPFDetail : "a usable DKIM key is seen at \(usableKeys[0].name)", finding: spfFinding)
        add(.spf, evidence.envelopeSPF, evidence.envelopeParty, evidence.envelopeSPFDetail, finding: spfFinding)

        // dkim: a usable key at a named selector of every From domain.
        var dkim = Self.dkimRow(institution: institution, path: path, keys: evidence.keys)
        if let observed = evidence.observed, observed.dkimSeen, dkim.status != .pass {
            dkim = (.pass, "seen by receivers: \(observed.percent(observed.dkimAlignedPass)) % of \(observed.messages) notices carried an aligned DKIM pass in the last \(observed.days) days")
        }
        // A failing row refers to the DKIM check's finding of the first From domain without a usable key.
        let keyless = path.fromDomains.first { from in !evidence.keys.contains { $0.domain == from && $0.status.isUsable } }
        let dkimFinding: Finding?
        if dkim.status == .fail, let checked = keyless.flatMap({ Self.checked(dkimOf: $0, evidence, replies: replies(.dkim)) }) {
            dkimFinding = checked
        } else if dkim.status == .fail || (institution.dkimSelectors.isEmpty && dkim.status != .pass) {
            dkimFinding = Finding(code: institution.dkimSelectors.isEmpty ? .inboxDKIMUnseen : .inboxDKIMMissing, severity: dkim.status == .fail ? .error : .warning,
                target: institution.id,
                message: (institution.dkimSelectors.isEmpty
                    ? "No DKIM selector is named in the inventory, so whether the notices carry a DKIM signature in \(path.fromDomains.joined(separator: ", ")) cannot be seen. "
                    : "\(dkim.detail). ") + replies(.dkim),
                remediation: institution.dkimSelectors.isEmpty
                    ? "Find out from Ex Libris support (or the campus relay's administrators) which DKIM selector signs the notices for \(path.fromDomains[0]) and tell the consortium office (it goes into the inventory's dkim_selectors); if none does, set up DKIM signing in \(path.fromDomains[0])."
                    : "Publish the DKIM key of selector \(institution.dkimSelectors[0]) at \(institution.dkimSelectors[0])._domainkey.\(path.fromDomains[0]) (RSA 2048 bits) as Ex Libris gives it, and check that the notices are signed with it.")
        } else {
            dkimFinding = nil
        }
        add(.dkim, dkim.status, campus, dkim.detail, finding: dkimFinding)

        // dmarc_record and alignment: each From domain by both readings, the worse kept.
        var recordStatuses: [InboxStatus] = [], alignmentStatuses: [InboxStatus] = []
        var unrecorded: [String] = [], unaligned: [String] = []
        for from in path.fromDomains {
            let facts = evidence.dmarc.alignment[from] ?? []
            let record = InboxStatus.worst(facts.map(\.recordStatus))
            let aligned = InboxStatus.worst(facts.map { $0.alignmentStatus(envelopeSPF: evidence.envelopeSPF) })
            recordStatuses.append(facts.isEmpty ? .unknown : record)
            alignmentStatuses.append(facts.isEmpty ? .unknown : aligned)
            if record == .fail { unrecorded.append(from) }
            if aligned == .fail { unaligned.append(from) }
        }
        let recordStatus = InboxStatus.worst(recordStatuses)
        add(.dmarcRecord, recordStatus, .institution,
            unrecorded.isEmpty ? (recordStatus == .pass ? "found by both readings" : "the DMARC record could not be read")
                : "no DMARC record applies to \(unrecorded.joined(separator: ", ")) by \(Self.readingsWithout(unrecorded[0], evidence.dmarc))",
            finding: recordStatus == .fail ? Self.checked(unrecorded[0], [.dmarcMissing, .dmarcMultipleRecords], evidence, replies: replies(.dmarcRecord))
                ?? Finding(code: .dmarcMissing, severity: .error, target: unrecorded[0],
                    message: "No DMARC record applies to \(unrecorded.joined(separator: ", ")) for \(Self.readingsWithout(unrecorded[0], evidence.dmarc)). \(replies(.dmarcRecord))",
                    remediation: "Publish one TXT record at _dmarc.\(unrecorded[0]): v=DMARC1; p=none; rua=mailto:dmarc-reports@\(unrecorded[0]) (p=none is enough for the receivers' rule).")
            : nil)
        let alignmentStatus = InboxStatus.worst(alignmentStatuses)
        let alignmentDetail = unaligned.isEmpty
            ? (alignmentStatus == .pass ? Self.alignedWords(path: path, keys: usableKeys, envelopeSPF: evidence.envelopeSPF) : "alignment could not be decided")
            : "\(unaligned.joined(separator: ", ")) aligns with neither the envelope domain \(path.envelopeDomain)\(evidence.envelopeSPF == .pass ? "" : " (whose SPF does not pass)") nor a usable DKIM key's domain"
        add(.alignment, alignmentStatus, .institution, alignmentDetail,
            finding: alignmentStatus == .fail ? Self.checked(unaligned[0], [.dmarcMisaligned], evidence, replies: replies(.alignment)) ?? Finding(code: .inboxUnaligned, severity: .error, target: unaligned[0],
                message: "The notices' From: \(unaligned.joined(separator: ", ")) is aligned with neither the authenticated SPF domain (the envelope \(path.envelopeFrom)) nor a DKIM key's domain. \(replies(.alignment))",
                remediation: Self.alignmentFix(institution: institution, path: path, from: unaligned[0], include: evidence.regionInclude))
            : nil)

        // dmarc_policy: the DMARC rule, both readings.
        let policyOutcomes = evidence.dmarc.perDomain
        let policyStatus = InboxStatus.worst(policyOutcomes.map { InboxStatus($0.outcome) })
        let policyFinding = policyOutcomes.first { $0.outcome != .pass }?.finding
        add(.dmarcPolicy, policyOutcomes.isEmpty ? .unknown : policyStatus, .institution,
            policyFinding?.message ?? "met by both readings", finding: policyFinding)

        // ptr, tls, blocklists, spam_rate: the sending addresses, as receivers see them.
        let reputation = evidence.reputation
        add(.ptr, reputation.ptrStatus, evidence.reputationParty, reputation.ptrDetail,
            finding: Self.ptrFinding(evidence, replies: replies(.ptr)))
        add(.tls, .notObservable, evidence.reputationParty, evidence.reputationParty == .exLibris
            ? "not visible to a scanner (Ex Libris says its relays support TLS)"
            : "not visible to a scanner")
        add(.blocklists, reputation.blocklistStatus, evidence.reputationParty, reputation.blocklistDetail,
            finding: Self.listingFinding(evidence))
        add(.spamRate, .notObservable, .institution, "seen only by the providers")

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

    /// The finding another check already made of the fact a failing row is about, at `from` (one of
    /// `codes`; for a From domain that does not exist, `FROM_DOMAIN_NOT_FOUND`), raised to the row's
    /// severity with the providers' replies: one cause, one finding (../shared/domain.md). Nil when
    /// no check said it, and the row says it itself.
    static func checked(_ from: String, _ codes: Set<FindingCode>, _ evidence: Evidence, replies: String) -> Finding? {
        if evidence.missingFromDomains.contains(from) { return DomainExistence.finding(from) }
        guard var finding = evidence.dmarc.findings.first(where: { codes.contains($0.code) && DomainName.normalized($0.target) == from }) else { return nil }
        return raised(&finding, replies: replies)
    }

    /// The DKIM check's finding of the first key of `from` that is not usable, raised like ``checked(_:_:_:replies:)``.
    static func checked(dkimOf from: String, _ evidence: Evidence, replies: String) -> Finding? {
        if evidence.missingFromDomains.contains(from) { return DomainExistence.finding(from) }
        let own = evidence.keys.filter { $0.domain == from && !$0.status.isUsable }
        guard var finding = DKIMCheck.findings(own, failing: [from]).first(where: { $0.code != .dkimTesting }) else { return nil }
        return raised(&finding, replies: replies)
    }

    private static func raised(_ finding: inout Finding, replies: String) -> Finding {
        finding.severity = .error
        if !replies.isEmpty { finding.message += " " + replies }
        return finding
    }

    /// The `dkim` row: a usable key at a named selector of every From domain (`weak` passes; RSA
    /// under 1024 bits fails: Gmail requires 1024); unknown without a named selector.
    static func dkimRow(institution: Institution, path: SendingPath, keys: [DKIMKeyCheck.Result]) -> (status: InboxStatus, detail: String) {
        if institution.dkimSelectors.isEmpty {
            return (.unknown, "no DKIM selector is named in the inventory: name the selector Alma signs with")
        }
        var statuses: [InboxStatus] = []
        var words: [String] = []
        for from in path.fromDomains {
            let own = keys.filter { $0.domain == from }
            if let usable = own.first(where: \.status.isUsable) {
                statuses.append(.pass)
                words.append("\(usable.name): \(DKIMCheck.words(usable.status))")
            } else if own.contains(where: { $0.status == .temperror }) {
                statuses.append(.unknown)
                words.append("\(from): a key lookup got no definite answer")
            } else {
                statuses.append(.fail)
                words.append("\(from) has no usable DKIM key (" + own.map { "\($0.name) is \(DKIMCheck.words($0.status))" }.joined(separator: ", ") + ")")
            }
        }
        return (InboxStatus.worst(statuses), words.joined(separator: "; "))
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

    private static func readingsWithout(_ from: String, _ dmarc: DMARCCheck.Result) -> String {
        let missing = (dmarc.alignment[from] ?? []).filter { $0.record == .none }.map(\.standard)
        return missing.count == 2 ? "either reading" : missing.first.map { $0 == .rfc9989 ? "receivers that follow RFC 9989" : "receivers still on RFC 7489" } ?? "either reading"
    }

    private static func alignedWords(path: SendingPath, keys: [DKIMKeyCheck.Result], envelopeSPF: InboxStatus) -> String {
        if let key = keys.first { return "by the DKIM key at \(key.name)" }
        return "by SPF of \(path.envelopeDomain)"
    }

    /// The one change that fixes most: DKIM with the named selector, else a branded envelope.
    static func alignmentFix(institution: Institution, path: SendingPath, from: String, include: String?) -> String {
        if let selector = institution.dkimSelectors.first {
            return "Publish the DKIM key of selector \(selector) at \(selector)._domainkey.\(from) so that the notices are signed in \(from) (this aligns them at every provider); or have Alma send with an envelope sender in \(from) whose SPF includes the region's entry."
        }
        if institution.delivery == .relay {
            return "Have the campus relay send the notices with an envelope sender in \(from) (set envelope_from in Alma's Mail Handling profile) and sign them with DKIM in \(from)."
        }
        return "Set up DKIM signing in \(from) with Ex Libris and tell the consortium office the selector (the inventory's dkim_selectors); or have Alma send with an envelope sender in \(from) (e.g. alma@\(from), set in the Mail Handling profile) whose SPF record includes the region's entry\(include.map { " (include:\($0))" } ?? "")."
    }

    private static func ptrFinding(_ evidence: Evidence, replies: String) -> Finding? {
        let report = evidence.reputation
        let region = evidence.institution.region
        switch report.ptrStatus {
        case .fail where evidence.reputationParty == .exLibris:
            return Finding(code: .exlibrisRelayPTRMissing, severity: .error, target: region.code,
                message: "The Ex Libris relays of \(region.displayName) lack forward-confirmed reverse DNS (\(report.ptrDetail)). \(replies)",
                remediation: "Nothing to change at the campus: Ex Libris must publish the relays' PTR records.", campusCanFix: false)
        case .fail:
            let failures = report.ranges.filter { !$0.sampled }.flatMap(\.ptrFailures)
            let mismatch = failures.allSatisfy { if case .mismatch = $0.ptr { true } else { false } }
            return Finding(code: mismatch ? .senderPTRMismatch : .senderPTRMissing, severity: .error, target: failures.first.map { "\($0.address)" } ?? evidence.institution.id,
                message: "The campus relay sends from addresses without forward-confirmed reverse DNS: \(report.ptrDetail). \(replies)",
                remediation: mismatch
                    ? "Make each PTR name resolve back to its address (an A/AAAA record for the name), or change the PTR to a name that does."
                    : "Ask the holder of the address block to publish a PTR record for each sending address, naming a host whose A/AAAA record gives the address back.")
        case .unknown:
            return Finding(code: evidence.reputationParty == .exLibris ? .exlibrisRelayPTRMissing : .senderPTRMissing, severity: .warning,
                target: evidence.reputationParty == .exLibris ? region.code : evidence.institution.id,
                message: "The reverse DNS of the sending addresses could not be decided: \(report.ptrDetail).",
                remediation: "Nothing to change; the check runs again on the next scan.", campusCanFix: evidence.reputationParty != .exLibris)
        default:
            return nil
        }
    }

    private static func listingFinding(_ evidence: Evidence) -> Finding? {
        let listed = evidence.reputation.listings
        guard let first = listed.first else { return nil }
        let words = listed.prefix(6).map { "\($0.address) on \($0.zone) (\($0.code))" }.joined(separator: ", ")
        if evidence.reputationParty == .exLibris {
            let region = evidence.institution.region
            return Finding(code: .exlibrisRelayListed, severity: .error, target: region.code,
                message: "Ex Libris relays of \(region.displayName) are listed: \(words). Receivers that use these lists refuse the notices.",
                remediation: "Nothing to change at the campus: Ex Libris must request the delisting.", campusCanFix: false)
        }
        return Finding(code: .senderListed, severity: .error, target: "\(first.address)",
            message: "The campus relay's sending address is listed: \(words). Receivers that use these lists refuse the notices.",
            remediation: "Find why the address is listed (the list's lookup page for \(first.address) says), stop the cause, and request delisting from \(first.zone).")
    }
}
