/// The receivers' rules, one row each (../shared/domain.md, "The receivers' rules"): a pure
/// function of what the other checks saw (``InboxAssessment/Evidence``) giving the row's status, who
/// can fix it, why, and the finding a failing or undecided row refers to (the check's own when one
/// said the fact: one cause, one finding).
enum InboxRowRules {
    typealias Evidence = InboxAssessment.Evidence

    /// Every rule, in the matrix's order.
    static let all: [@Sendable (Evidence) -> InboxRowVerdict] = [spfOrDKIM, spf, dkim, dmarcRecord, alignment, dmarcPolicy, ptr, tls, blocklists, spamRate]

    private static func replies(_ row: InboxRow, _ evidence: Evidence) -> String {
        InboxAssessment.replyWords(row, senderClass: evidence.institution.senderClass)
    }

    /// The DKIM keys that are usable, in a From domain.
    private static func usableKeys(_ evidence: Evidence) -> [DKIMKeyCheck.Result] {
        evidence.keys.filter { $0.status.isUsable && evidence.path.fromDomains.contains($0.domain) }
    }

    /// The envelope's SPF finding: the one the checks made, else the row's own.
    private static func spfFinding(_ evidence: Evidence) -> Finding {
        let path = evidence.path
        return evidence.envelopeFinding ?? Finding(code: .inboxSPFNotPassing, severity: .error, target: path.envelopeDomain,
            message: "Receivers check SPF for the envelope sender \(path.envelopeFrom): \(evidence.envelopeSPFDetail). \(replies(.spf, evidence))",
            remediation: evidence.envelopeParty == .campusRelay
                ? "Have the campus relay send with an envelope sender in the institution's domain (set \"envelope_from\" in Alma's Mail Handling profile and the inventory) whose SPF authorizes the relay's addresses."
                : "Authorize the sending addresses in the SPF record of \(path.envelopeDomain).",
            campusCanFix: evidence.envelopeParty != .exLibris)
    }

    /// `spf_or_dkim`: the envelope domain's SPF, or a usable DKIM key in a From domain.
    static func spfOrDKIM(_ evidence: Evidence) -> InboxRowVerdict {
        let usable = usableKeys(evidence)
        let keyUnknown = evidence.keys.contains { $0.status == .temperror }
        let status: InboxStatus = evidence.envelopeSPF == .pass || !usable.isEmpty ? .pass
            : evidence.envelopeSPF == .fail && !keyUnknown ? .fail : .unknown
        return InboxRowVerdict(row: .spfOrDKIM, status: status, party: evidence.envelopeParty,
                               detail: usable.isEmpty ? evidence.envelopeSPFDetail : "a usable DKIM key is seen at \(usable[0].name)", finding: spfFinding(evidence))
    }

    /// `spf`: the envelope domain's SPF from every sending address.
    static func spf(_ evidence: Evidence) -> InboxRowVerdict {
        InboxRowVerdict(row: .spf, status: evidence.envelopeSPF, party: evidence.envelopeParty, detail: evidence.envelopeSPFDetail, finding: spfFinding(evidence))
    }

    /// `dkim`: a usable key at a named selector of every From domain, or DKIM seen by receivers.
    static func dkim(_ evidence: Evidence) -> InboxRowVerdict {
        let institution = evidence.institution, path = evidence.path
        var dkim = dkimRow(institution: institution, path: path, keys: evidence.keys)
        if let observed = evidence.observed, observed.dkimSeen, dkim.status != .pass {
            dkim = (.pass, "seen by receivers: \(observed.percent(observed.dkimAlignedPass)) % of \(observed.messages) notices carried an aligned DKIM pass in the last \(observed.days) days")
        }
        // A failing row refers to the DKIM check's finding of the first From domain without a usable key.
        let keyless = path.fromDomains.first { from in !evidence.keys.contains { $0.domain == from && $0.status.isUsable } }
        let finding: Finding?
        if dkim.status == .fail, let checked = keyless.flatMap({ checked(dkimOf: $0, evidence, replies: replies(.dkim, evidence)) }) {
            finding = checked
        } else if dkim.status == .fail || (institution.dkimSelectors.isEmpty && dkim.status != .pass) {
            finding = Finding(code: institution.dkimSelectors.isEmpty ? .inboxDKIMUnseen : .inboxDKIMMissing, severity: dkim.status == .fail ? .error : .warning,
                target: institution.id,
                message: (institution.dkimSelectors.isEmpty
                    ? "No DKIM selector is named in the inventory, so whether the notices carry a DKIM signature in \(path.fromDomains.joined(separator: ", ")) cannot be seen. "
                    : "\(dkim.detail). ") + replies(.dkim, evidence),
                remediation: institution.dkimSelectors.isEmpty
                    ? "Find out from Ex Libris support (or the campus relay's administrators) which DKIM selector signs the notices for \(path.fromDomains[0]) and tell the consortium office (it goes into the inventory's dkim_selectors); if none does, set up DKIM signing in \(path.fromDomains[0])."
                    : "Publish the DKIM key of selector \(institution.dkimSelectors[0]) at \(institution.dkimSelectors[0])._domainkey.\(path.fromDomains[0]) (RSA 2048 bits) as Ex Libris gives it, and check that the notices are signed with it.")
        } else {
            finding = nil
        }
        let campus = evidence.reputationParty == .exLibris ? InboxParty.institution : .campusRelay
        return InboxRowVerdict(row: .dkim, status: dkim.status, party: campus, detail: dkim.detail, finding: finding)
    }

    /// Each From domain by both DMARC readings, the worse kept: the record's status and the
    /// alignment's, and the From domains that fail each.
    private static func dmarcFacts(_ evidence: Evidence) -> (record: InboxStatus, unrecorded: [String], alignment: InboxStatus, unaligned: [String]) {
        var recordStatuses: [InboxStatus] = [], alignmentStatuses: [InboxStatus] = []
        var unrecorded: [String] = [], unaligned: [String] = []
        for from in evidence.path.fromDomains {
            let facts = evidence.dmarc.alignment[from] ?? []
            let record = InboxStatus.worst(facts.map(\.recordStatus))
            let aligned = InboxStatus.worst(facts.map { $0.alignmentStatus(envelopeSPF: evidence.envelopeSPF) })
            recordStatuses.append(facts.isEmpty ? .unknown : record)
            alignmentStatuses.append(facts.isEmpty ? .unknown : aligned)
            if record == .fail { unrecorded.append(from) }
            if aligned == .fail { unaligned.append(from) }
        }
        return (InboxStatus.worst(recordStatuses), unrecorded, InboxStatus.worst(alignmentStatuses), unaligned)
    }

    /// `dmarc_record`: a DMARC record applies to every From domain by both readings.
    static func dmarcRecord(_ evidence: Evidence) -> InboxRowVerdict {
        let (recordStatus, unrecorded, _, _) = dmarcFacts(evidence)
        return InboxRowVerdict(row: .dmarcRecord, status: recordStatus, party: .institution,
            detail: unrecorded.isEmpty ? (recordStatus == .pass ? "found by both readings" : "the DMARC record could not be read")
                : "no DMARC record applies to \(unrecorded.joined(separator: ", ")) by \(readingsWithout(unrecorded[0], evidence.dmarc))",
            finding: recordStatus == .fail ? checked(unrecorded[0], [.dmarcMissing, .dmarcMultipleRecords], evidence, replies: replies(.dmarcRecord, evidence))
                ?? Finding(code: .dmarcMissing, severity: .error, target: unrecorded[0],
                    message: "No DMARC record applies to \(unrecorded.joined(separator: ", ")) for \(readingsWithout(unrecorded[0], evidence.dmarc)). \(replies(.dmarcRecord, evidence))",
                    remediation: "Publish one TXT record at _dmarc.\(unrecorded[0]): v=DMARC1; p=none; rua=mailto:dmarc-reports@\(unrecorded[0]) (p=none is enough for the receivers' rule).")
            : nil)
    }

    /// `alignment`: every From domain aligned with the envelope's SPF or a usable DKIM key.
    static func alignment(_ evidence: Evidence) -> InboxRowVerdict {
        let (_, _, alignmentStatus, unaligned) = dmarcFacts(evidence)
        let institution = evidence.institution, path = evidence.path
        let detail = unaligned.isEmpty
            ? (alignmentStatus == .pass ? alignedWords(path: path, keys: usableKeys(evidence), envelopeSPF: evidence.envelopeSPF) : "alignment could not be decided")
            : "\(unaligned.joined(separator: ", ")) aligns with neither the envelope domain \(path.envelopeDomain)\(evidence.envelopeSPF == .pass ? "" : " (whose SPF does not pass)") nor a usable DKIM key's domain"
        return InboxRowVerdict(row: .alignment, status: alignmentStatus, party: .institution, detail: detail,
            finding: alignmentStatus == .fail ? checked(unaligned[0], [.dmarcMisaligned], evidence, replies: replies(.alignment, evidence)) ?? Finding(code: .inboxUnaligned, severity: .error, target: unaligned[0],
                message: "The notices' From: \(unaligned.joined(separator: ", ")) is aligned with neither the authenticated SPF domain (the envelope \(path.envelopeFrom)) nor a DKIM key's domain. \(replies(.alignment, evidence))",
                remediation: alignmentFix(institution: institution, path: path, from: unaligned[0], include: evidence.regionInclude))
            : nil)
    }

    /// `dmarc_policy`: the DMARC rule, both readings; the finding is the DMARC check's.
    static func dmarcPolicy(_ evidence: Evidence) -> InboxRowVerdict {
        let outcomes = evidence.dmarc.perDomain
        let status = InboxStatus.worst(outcomes.map { InboxStatus($0.outcome) })
        let finding = outcomes.first { $0.outcome != .pass }?.finding
        return InboxRowVerdict(row: .dmarcPolicy, status: outcomes.isEmpty ? .unknown : status, party: .institution, detail: finding?.message ?? "met by both readings", finding: finding)
    }

    /// `ptr`: forward-confirmed reverse DNS of the sending addresses.
    static func ptr(_ evidence: Evidence) -> InboxRowVerdict {
        InboxRowVerdict(row: .ptr, status: evidence.reputation.ptrStatus, party: evidence.reputationParty, detail: evidence.reputation.ptrDetail,
                        finding: ptrFinding(evidence, replies: replies(.ptr, evidence)))
    }

    /// `tls`: not visible to a scanner.
    static func tls(_ evidence: Evidence) -> InboxRowVerdict {
        InboxRowVerdict(row: .tls, status: .notObservable, party: evidence.reputationParty, detail: evidence.reputationParty == .exLibris
            ? "not visible to a scanner (Ex Libris says its relays support TLS)"
            : "not visible to a scanner", finding: nil)
    }

    /// `blocklists`: the sending addresses on the DNS blocklists asked.
    static func blocklists(_ evidence: Evidence) -> InboxRowVerdict {
        InboxRowVerdict(row: .blocklists, status: evidence.reputation.blocklistStatus, party: evidence.reputationParty, detail: evidence.reputation.blocklistDetail,
                        finding: listingFinding(evidence))
    }

    /// `spam_rate`: seen only by the providers.
    static func spamRate(_ evidence: Evidence) -> InboxRowVerdict {
        InboxRowVerdict(row: .spamRate, status: .notObservable, party: .institution, detail: "seen only by the providers", finding: nil)
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

    static func raised(_ finding: inout Finding, replies: String) -> Finding {
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

    static func readingsWithout(_ from: String, _ dmarc: DMARCCheck.Result) -> String {
        let missing = (dmarc.alignment[from] ?? []).filter { $0.record == .none }.map(\.standard)
        return missing.count == 2 ? "either reading" : missing.first.map { $0 == .rfc9989 ? "receivers that follow RFC 9989" : "receivers still on RFC 7489" } ?? "either reading"
    }

    static func alignedWords(path: SendingPath, keys: [DKIMKeyCheck.Result], envelopeSPF: InboxStatus) -> String {
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

    static func ptrFinding(_ evidence: Evidence, replies: String) -> Finding? {
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

    static func listingFinding(_ evidence: Evidence) -> Finding? {
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

/// One row of the receivers' matrix as its rule decides it.
struct InboxRowVerdict: Sendable, Equatable {
    var row: InboxRow
    var status: InboxStatus
    var party: InboxParty
    var detail: String
    /// What a failing or undecided row refers to; ignored when the row passes.
    var finding: Finding?
}
