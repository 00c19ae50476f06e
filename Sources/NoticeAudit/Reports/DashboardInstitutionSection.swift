import Foundation

/// One institution's part of the dashboard, folded: its findings, the receivers' rules, what
/// receivers saw, the records seen, the relay dialogue and its last runs.
struct DashboardInstitutionSection {
    let report: ScanReport
    var out = ""

    init(report: ScanReport) {
        self.report = report
    }

    private func h(_ text: String) -> String { DashboardRenderer.h(text) }
    private func badge(_ status: ComplianceStatus) -> String { DashboardRenderer.badge(status) }
    private func anchor(_ id: String) -> String { DashboardRenderer.anchor(id) }
    private func time(_ date: Date?) -> String { DashboardRenderer.time(date) }
    private var statusSymbol: [ComplianceStatus: String] { DashboardRenderer.statusSymbol }

    mutating func render(_ result: InstitutionResult, history: InstitutionHistory?) {
        let errors = result.findings.filter { $0.severity != .info }.map(\.code.rawValue)
        out += "<details class=\"institution\" id=\"\(anchor(result.institutionID))\"><summary>\(badge(result.status)) \(h(result.name)) <span class=\"id\">(\(result.institutionID))</span>"
        if !errors.isEmpty { out += " — <span class=\"codes\">\(errors.joined(separator: ", "))</span>" }
        out += "</summary>\n"
        if result.status != .compliant {
            out += "<p>Letter to campus IT: <a href=\"institutions/\(result.institutionID).md\">institutions/\(result.institutionID).md</a></p>\n"
        }
        if !result.findings.isEmpty {
            out += "<h3>Findings</h3>\n<ul>\n"
            for finding in result.findings { out += DashboardRenderer.findingItem(finding) }
            out += "</ul>\n"
        }
        if let inbox = result.inbox { receiversRules(inbox) }
        if let observed = result.observed { receiversSaw(observed) }
        records(result)
        if let relay = result.relay { relaySummary(relay) }
        self.history(result, history)
        out += "</details>\n"
    }

    /// What receivers reported of the notices (DMARC aggregate reports): the last days' counts,
    /// by reporting organization, and a 30-day strip of the share that passed DMARC.
    private mutating func receiversSaw(_ observed: ObservedNotices) {
        out += "<h3>What receivers saw</h3>\n"
        out += "<p>Last \(observed.days) days: <strong>\(observed.messages)</strong> notices in \(observed.reports) report\(observed.reports == 1 ? "" : "s"); "
        out += "DMARC pass \(observed.percent(observed.dmarcPass)) %, aligned DKIM \(observed.percent(observed.dkimAlignedPass)) %, aligned SPF \(observed.percent(observed.spfAlignedPass)) %; "
        out += "quarantined \(observed.quarantined), rejected \(observed.rejected).</p>\n"
        if !observed.organizations.isEmpty {
            out += "<table class=\"observed\"><caption class=\"visually-hidden\">Notices per reporting organization</caption><thead><tr><th scope=\"col\">Reporting organization</th><th scope=\"col\">Notices</th></tr></thead><tbody>\n"
            for (organization, count) in observed.organizations.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
                out += "<tr><th scope=\"row\">\(h(organization))</th><td class=\"num\">\(count)</td></tr>\n"
            }
            out += "</tbody></table>\n"
        }
        if !observed.daily.isEmpty {
            let described = observed.daily.filter { $0.messages > 0 }.map { "\($0.day): \($0.dmarcPass) of \($0.messages) passed" }
            out += "<p>30 days, oldest first: <span class=\"strip\" role=\"img\" aria-label=\"\(h(described.joined(separator: "; ")))\">"
            for day in observed.daily {
                let (symbol, style) = day.messages == 0 ? ("·", "small") : day.dmarcPass == day.messages ? ("●", "inbox-pass") : day.dmarcPass == 0 ? ("✕", "inbox-fail") : ("◐", "inbox-unknown")
                out += "<span class=\"\(style)\" title=\"\(day.day): \(day.dmarcPass) of \(day.messages) passed DMARC\">\(symbol)</span>"
            }
            out += "</span></p>\n"
        }
    }

    /// The receivers' rules of one institution (../shared/domain.md): one row per requirement,
    /// its status, who can fix it and the reply a failing notice gets at each provider.
    private mutating func receiversRules(_ inbox: InboxMatrix) {
        out += "<h3>\(ReceivingProvider.allCases.map(\.displayName).joined(separator: ", "))</h3>\n"
        let verdicts = ReceivingProvider.allCases.map { provider in
            "\(provider.displayName): <strong>\(inbox.verdict(provider)?.status.rawValue ?? "—")</strong>"
        }
        out += "<p>\(verdicts.joined(separator: "; ")). A \(inbox.senderClass.rawValue) sender; envelope <code>\(h(inbox.envelopeDomain))</code>\(inbox.envelopeAssumed ? " (Alma's default, assumed)" : ""); sent from \(inbox.sendingAddresses.prefix(6).map { "<code>\(h($0))</code>" }.joined(separator: ", "))\(inbox.sendingAddresses.count > 6 ? " and \(inbox.sendingAddresses.count - 6) more" : "").</p>\n"
        out += "<table class=\"inbox\"><caption class=\"visually-hidden\">The receivers' rules: each requirement, its status, who can fix it and the reply a failing notice gets</caption>\n"
        out += "<thead><tr><th scope=\"col\">Requirement</th><th scope=\"col\">Status</th><th scope=\"col\">Who fixes it</th><th scope=\"col\">Reply of a failing notice</th><th scope=\"col\">Why, where not passing</th></tr></thead>\n<tbody>\n"
        for requirement in inbox.requirements {
            let replies = ReceivingProvider.allCases.compactMap { provider -> String? in
                guard provider.requires(requirement.row, of: inbox.senderClass), let codes = provider.replies(for: requirement.row) else { return nil }
                return "\(provider.displayName) \(codes.isEmpty ? "required" : codes.joined(separator: " / "))"
            }
            let party = switch requirement.party {
            case .institution: "the institution"
            case .exLibris: "Ex Libris"
            case .campusRelay: "the campus relay"
            }
            out += "<tr><th scope=\"row\"><code>\(requirement.row.rawValue)</code> <span class=\"small\">\(h(requirement.row.requirement))</span></th>"
            out += "<td><span class=\"inbox-\(requirement.status.rawValue)\">\(String(requirement.status.rawValue.map { $0 == "_" ? " " : $0 }))</span></td>"
            out += "<td>\(party)</td><td>\(replies.isEmpty ? "not required of this sender" : replies.joined(separator: "; "))</td><td class=\"small\">\(requirement.status == .pass ? "" : h(requirement.detail))</td></tr>\n"
        }
        out += "</tbody></table>\n"
    }

    private mutating func records(_ result: InstitutionResult) {
        guard !result.domains.isEmpty || !(result.dkimKeys ?? []).isEmpty || !(result.dmarc ?? [:]).isEmpty else { return }
        out += "<h3>Records seen</h3>\n<ul>\n"
        for domain in result.domains {
            out += "<li><code>\(h(domain.domain))</code> SPF: " + (domain.record.map { "<code>\(h($0))</code>" } ?? "no SPF record")
            if let lookups = domain.dnsLookups { out += " (\(lookups) DNS lookups)" }
            if let record = domain.dmarcRecord {
                out += "<br>DMARC at <code>\(h(domain.dmarcRecordName ?? "_dmarc." + domain.domain))</code>: <code>\(h(record))</code>"
            }
            if let aligned = domain.dmarcAligned { out += aligned ? " (envelope aligned)" : " (envelope not aligned)" }
            if !domain.results.isEmpty {
                let ranges = domain.results.keys.sorted { $0.rawValue < $1.rawValue }.map { key in
                    let list = domain.results[key]!
                    return "\(key.rawValue): \(list.prefix(12).map(h).joined(separator: ", "))\(list.count > 12 ? " and \(list.count - 12) more" : "")"
                }
                out += "<br>Per relay range: \(ranges.joined(separator: "; "))"
            }
            out += "</li>\n"
        }
        for (domain, discovery) in (result.dmarc ?? [:]).sorted(by: { $0.key < $1.key }) {
            // Both DMARC readings (../shared/domain.md, "DMARC: two readings").
            out += "<li>DMARC of <code>\(h(domain))</code>" + (discovery.differ ? " (<strong>the readings differ</strong>)" : "") + ":"
            for standard in DMARCStandard.allCases {
                let reading = discovery.reading(standard)
                let applied = reading.status == .found
                    ? "\(reading.policy?.rawValue ?? "none") from <code>_dmarc.\(h(reading.recordDomain ?? ""))</code>\(reading.testing ? " (t=y)" : "")"
                    : reading.status == .temperror ? "no definite answer" : "no DMARC applies"
                out += "<br>\(standard == .rfc9989 ? "RFC 9989 (tree walk)" : "RFC 7489 (Public Suffix List)"): \(applied); organizational domain <code>\(h(reading.orgDomain))</code>"
            }
            out += "</li>\n"
        }
        for key in result.dkimKeys ?? [] {
            out += "<li>DKIM <code>\(h(key.name))</code>: \(key.status.rawValue)"
            if let type = key.keyType { out += ", \(h(type))" + (key.keyBits.map { " \($0) bits" } ?? "") }
            if key.testing { out += ", t=y" }
            if let record = key.record { out += "<br><code>\(h(Self.shortened(record)))</code>" }
            out += "</li>\n"
        }
        out += "</ul>\n"
    }

    /// A long DKIM key record: its `p=` value cut to its first characters and its length.
    static func shortened(_ record: String) -> String {
        guard record.count > 120 else { return record }
        return String(record.prefix(100)) + "… (\(record.count) characters)"
    }

    private mutating func relaySummary(_ relay: RelaySummary) {
        out += "<h3>Relay dialogue</h3>\n<ul>\n<li><code>\(h(relay.host)):\(relay.port)</code>, \(relay.security.rawValue): \(relay.status.rawValue)</li>\n"
        if let banner = relay.banner { out += "<li>Greeting: <code>\(h(banner))</code></li>\n" }
        if let version = relay.tlsVersion { out += "<li>TLS \(h(version))" + (relay.certificateExpires.map { ", certificate valid until \(h($0))" } ?? "") + "</li>\n" }
        if !relay.authMechanisms.isEmpty { out += "<li>AUTH offered: \(h(relay.authMechanisms.joined(separator: " ")))</li>\n" }
        if let detail = relay.detail { out += "<li>\(h(detail))</li>\n" }
        out += "</ul>\n"
    }

    private mutating func history(_ result: InstitutionResult, _ history: InstitutionHistory?) {
        guard let history, !history.recent.isEmpty else { return }
        let counts = ComplianceStatus.allCases.compactMap { status -> String? in
            let n = history.recent.filter { $0.status == status }.count
            return n == 0 ? nil : "\(n) \(status.rawValue)"
        }
        out += "<h3>Last \(history.recent.count) runs</h3>\n<p><span class=\"strip\" role=\"img\" aria-label=\"oldest to newest: \(counts.joined(separator: ", "))\">"
        var index = 0
        while index < history.recent.count {
            let status = history.recent[index].status
            var end = index
            while end + 1 < history.recent.count, history.recent[end + 1].status == status { end += 1 }
            let first = history.recent[index], last = history.recent[end]
            let runs = first.run == last.run ? "run \(first.run)" : "runs \(first.run)–\(last.run)"
            out += "<span class=\"h-\(status.rawValue)\" title=\"\(runs): \(status.rawValue)\">\(String(repeating: statusSymbol[status]!, count: end - index + 1))</span>"
            index = end + 1
        }
        out += "</span>"
        if let since = history.since {
            out += " \(result.status.rawValue) since run \(since.run) (\(time(since.startedAt)))"
            if let days = report.daysInState(history) { out += ", \(days) day\(days == 1 ? "" : "s")" }
        }
        out += "</p>\n"
    }
}
