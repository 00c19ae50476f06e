import Foundation

/// `index.html`: the coordinator's page for one run. One self-contained file (inline style, inline
/// SVG, a small script; no request leaves it, as its Content Security Policy says) that works from
/// `file://` and any static web server, and without JavaScript as plain tables.
///
/// Every remote-controlled text (records, banners, messages quoting them) goes through
/// ``UntrustedText/html(_:)``.
public enum DashboardRenderer {
    /// The page of a report in memory, as one string of HTML; ``ReportWriter`` streams the same
    /// text: ``head(_:)``, each result's ``row(_:history:report:)``, ``between``, each result's
    /// ``details(_:history:report:)``, ``tail(_:)``.
    public static func render(_ report: ScanReport) -> String {
        var rows = "", details = ""
        for result in report.results {
            rows += row(result, history: report.histories[result.institutionID], report: report)
            details += self.details(result, history: report.histories[result.institutionID], report: report)
        }
        return head(report) + rows + between + details + tail(report)
    }

    /// The page up to the first row of the institutions' table.
    static func head(_ report: ScanReport) -> String {
        var page = Page(report: report)
        page.head()
        return page.out
    }

    /// One institution's row of the table.
    static func row(_ result: InstitutionResult, history: InstitutionHistory?, report: ScanReport) -> String {
        var page = Page(report: report)
        page.row(result, history: history)
        return page.out
    }

    /// Between the table and the first institution's details.
    static let between = "</tbody>\n</table>\n</section>\n<section aria-labelledby=\"details\">\n<h2 id=\"details\">Each institution: findings, records seen, history</h2>\n"
        + "<p class=\"small\">Open an institution to see what was found, how to fix it, the records as published and its last runs.</p>\n"

    /// One institution's details (``DashboardInstitutionSection``).
    static func details(_ result: InstitutionResult, history: InstitutionHistory?, report: ScanReport) -> String {
        var section = DashboardInstitutionSection(report: report)
        section.render(result, history: history)
        return section.out
    }

    /// The page after the last institution's details.
    static func tail(_ report: ScanReport) -> String {
        var page = Page(report: report)
        page.tail()
        return page.out
    }

    /// The anchor of an institution's details: ids are `[a-z0-9_-]` (the inventory's rule).
    static func anchor(_ id: String) -> String { "i-" + id }

    static let statusSymbol: [ComplianceStatus: String] = [.compliant: "✓", .noncompliant: "✗", .unknown: "?"]

    /// A status as its word with a symbol (never colour alone).
    static func badge(_ status: ComplianceStatus) -> String {
        "<span class=\"st st-\(status.rawValue)\"><span aria-hidden=\"true\">\(statusSymbol[status]!)</span> \(status.rawValue)</span>"
    }

    static func h(_ text: String) -> String { UntrustedText.html(text) }

    /// A finding as an item of a list: what, the fix, the record to publish, whose verdict it explains.
    static func findingItem(_ finding: Finding) -> String {
        var item = "<li><strong>\(finding.code.rawValue)</strong> <span class=\"sev-\(finding.severity.rawValue)\">\(finding.severity.rawValue)</span>, <code>\(h(finding.target))</code>: \(h(finding.message))"
        if !finding.remediation.isEmpty { item += "<br>Fix: \(h(finding.remediation))" }
        if let record = finding.facts?.recommendedRecord { item += "<br>Record to publish:<pre>\(h(record))</pre>" }
        if let institutions = finding.institutions, !institutions.isEmpty {
            // One cause, said once (../shared/domain.md): the institutions whose verdict it explains.
            // CATALOG_DRIFT names whose mail it concerns; it decides no verdict (ScanReport.explained).
            let verb = finding.code == .catalogDrift ? "Concerns" : "Explains the verdict of"
            item += "<br>\(verb) \(institutions.count) institution\(institutions.count == 1 ? "" : "s"): "
                + institutions.map { "<a href=\"#\(anchor($0))\">\(h($0))</a>" }.joined(separator: ", ")
        }
        if finding.decisive { item += "<br><em>This finding decides the verdict.</em>" }
        return item + "</li>\n"
    }

    static func time(_ date: Date?) -> String {
        guard let date else { return "—" }
        return "<time datetime=\"\(UTCTime.iso8601(date))\">\(UTCTime.iso8601(date))</time>"
    }

    /// The page being written, section by section.
    struct Page {
        let report: ScanReport
        var out = ""

        init(report: ScanReport) {
            self.report = report
        }

        mutating func head() {
            let run = report.run
            out += DashboardAssets.pageStart(title: "Alma notice delivery: \(h(run.consortium)), run \(run.id)",
                                             policy: DashboardAssets.contentSecurityPolicy, style: DashboardAssets.style)
            header()
            out += "<main>\n"
            changes()
            runFindings()
            matrix()
        }

        mutating func tail() {
            out += "</section>\n"
            trend()
            catalog()
            out += "</main>\n<script>\(DashboardAssets.script)</script>\n</body>\n</html>\n"
        }

        private func h(_ text: String) -> String { DashboardRenderer.h(text) }

        /// Unverified and new institutions listed by name under "What changed"; the rest are counted.
        static let changesListed = 50

        private mutating func header() {
            let run = report.run
            out += "<header>\n<h1>Alma notice delivery: \(h(run.consortium)), run \(run.id)</h1>\n"
            out += "<p class=\"meta\">Started \(time(run.startedAt)), finished \(time(run.finishedAt)); \(run.status.rawValue), \(run.trigger.rawValue) run; notice-audit \(h(run.toolVersion)).</p>\n"
            if let selection = run.selection {
                out += "<p><strong>Ad-hoc rescan covering only \(h(selection.joined(separator: ", "))).</strong> Other institutions were not checked in this run.</p>\n"
            }
            if run.status == .aborted { out += "<p><strong>This run was aborted:</strong> only the institutions below were checked.</p>\n" }
            out += "<p class=\"meta\">Ex Libris relay catalog: "
            if let snapshot = report.catalog?.snapshot {
                out += "\(h(snapshot.url)), fetched \(time(snapshot.fetchedAt)) (\(Self.age(run.startedAt.timeIntervalSince(snapshot.fetchedAt))) before this run)"
                    + (snapshot.catalog.lastEdited.map { ", article last edited \(h($0))" } ?? "")
            } else {
                out += h(run.catalogSource ?? "unknown")
            }
            out += run.catalogStale ? " — <strong>stale: the last fetch failed</strong>.</p>\n" : " — fresh.</p>\n"
            out += "<ul class=\"cards\" aria-label=\"Institutions by status\">\n"
            for status in [ComplianceStatus.noncompliant, .unknown, .compliant] {
                out += "<li>\(badge(status))<span class=\"n\">\(report.count(status))</span></li>\n"
            }
            out += "<li>total<span class=\"n\">\(report.summaries.count)</span></li>\n</ul>\n</header>\n"
        }

        /// A duration in words: minutes, hours or days.
        static func age(_ seconds: TimeInterval) -> String {
            let seconds = max(0, seconds)
            if seconds < 3600 { return "\(Int(seconds / 60)) min" }
            if seconds < 172_800 { return "\(Int(seconds / 3600)) h" }
            return "\(Int(seconds / 86_400)) days"
        }

        private func link(_ id: String, _ name: String) -> String {
            "<a href=\"#\(anchor(id))\">\(h(name))</a> <span class=\"id\">(\(id))</span>"
        }

        private mutating func changes() {
            out += "<section aria-labelledby=\"changes\">\n<h2 id=\"changes\">What changed since the last run</h2>\n"
            let groups: [(String, StatusChange)] = [
                ("Regressed", .regressed), ("Fixed", .fixed), ("Unverified (unknown now: neither a fix nor a regression)", .unverified), ("New (first checked)", .new),
            ]
            // Counted, and listed from the summaries without copying them (a first run: every institution is new).
            let counts = Dictionary(grouping: report.summaries.lazy.map(\.change), by: { $0 }).mapValues(\.count)
            if groups.allSatisfy({ counts[$0.1, default: 0] == 0 }) { out += "<p>No institution changed status.</p>\n" }
            for (title, change) in groups where counts[change, default: 0] > 0 {
                let total = counts[change, default: 0]
                out += "<h3>\(title): \(total)</h3>\n<ul class=\"changes\">\n"
                // Regressions and fixes are always listed whole; a first run or an outage can make
                // hundreds of the others, which the table's filter shows better.
                let all = report.summaries.lazy.filter { $0.change == change }
                let listed = change == .regressed || change == .fixed ? Array(all) : Array(all.prefix(Self.changesListed))
                for result in listed {
                    var line = "<li>\(link(result.institutionID, result.displayName)): now \(badge(result.status))"
                    if result.change == .unverified, let runs = result.unknownRuns { line += runs == 1 ? ", unknown in this run" : ", unknown for \(runs) runs in a row" }
                    if let seen = result.changeFirstSeen { line += " (first seen by the rescan of run \(seen.run) at \(ScanDigest.time(seen.startedAt)))" }
                    out += line + "</li>\n"
                }
                if listed.count < total { out += "<li>and \(total - listed.count) more: see the table below.</li>\n" }
                out += "</ul>\n"
            }
            out += "</section>\n"
        }

        private mutating func runFindings() {
            let findings = report.run.findings
            guard !findings.isEmpty || !report.run.notes.isEmpty else { return }
            out += "<section aria-labelledby=\"run-findings\">\n<h2 id=\"run-findings\">About this run</h2>\n<ul>\n"
            for note in report.run.notes { out += "<li>\(h(note))</li>\n" }
            for finding in findings { out += DashboardRenderer.findingItem(finding) }
            out += "</ul>\n</section>\n"
        }

        /// The institutions' table up to its first row.
        private mutating func matrix() {
            out += """
                <section aria-labelledby="institutions">
                <h2 id="institutions">Institutions, worst first</h2>
                <div id="controls" class="controls" hidden>
                <label for="filter-text">Filter (id, name, domain, finding code)<input id="filter-text" type="search"></label>
                <label for="filter-status">Status<select id="filter-status"><option value="">any</option><option value="noncompliant">noncompliant</option><option value="unknown">unknown</option><option value="compliant">compliant</option></select></label>
                <label for="filter-method">Method<select id="filter-method"><option value="">any</option><option value="spf">spf</option><option value="relay">relay</option></select></label>
                <p id="shown" role="status" aria-live="polite"></p>
                </div>
                <table id="matrix">
                <caption class="visually-hidden">Every institution and its checks; the column buttons sort</caption>
                <thead><tr>
                """
            let columns: [(String, Bool)] = [("Institution", false), ("Status", true), ("Method", false), ("SPF", false), ("DMARC", false), ("DKIM", false),
                                             ("Relay", false), ("Gmail", false), ("Yahoo", false), ("Outlook.com", false), ("iCloud", false), ("Change", false), ("Days in state", true)]
            for (title, numeric) in columns {
                out += "<th scope=\"col\"\(numeric ? " data-type=\"number\"" : "")><button type=\"button\">\(title)</button></th>"
            }
            out += "</tr></thead>\n<tbody>\n"
        }

        mutating func row(_ result: InstitutionResult, history: InstitutionHistory?) {
            let codes = result.findings.map(\.code.rawValue)
            let search = ([result.institutionID, result.name] + result.domains.map(\.domain) + codes + [result.relay?.host].compactMap { $0 }).joined(separator: " ")
            let change = result.change == .unverified && (result.unknownRuns ?? 0) > 1 ? "unverified (\(result.unknownRuns!) runs)" : result.change.rawValue
            let days = report.daysInState(history)
            out += "<tr data-id=\"\(result.institutionID)\" data-status=\"\(result.status.rawValue)\" data-method=\"\(result.method.rawValue)\" data-search=\"\(h(search))\">"
            out += "<th scope=\"row\">\(link(result.institutionID, result.name))</th>"
            out += "<td data-sort=\"\(result.status.rankForSort)\">\(badge(result.status))</td>"
            out += "<td>\(result.method.rawValue)</td><td>\(result.spfResult?.rawValue ?? "—")</td><td>\(h(result.dmarcPolicy?.rawValue ?? "—"))</td>"
            out += "<td>\(result.dkimStatus?.rawValue ?? "—")</td><td>\(result.relayStatus?.rawValue ?? "—")</td>"
            for provider in ReceivingProvider.allCases { out += "<td>\(providerCell(result.inbox?.verdict(provider)))</td>" }
            out += "<td>\(change)</td>"
            out += "<td class=\"num\" data-sort=\"\(days.map(String.init) ?? "")\">\(days.map(String.init) ?? "—")</td></tr>\n"
        }

        /// A provider's column: its status, and the replies a failing notice gets.
        private func providerCell(_ verdict: ProviderVerdict?) -> String {
            guard let verdict else { return "—" }
            let replies = verdict.replies.isEmpty ? "" : " <span class=\"small\">(\(verdict.replies.map(h).joined(separator: ", ")))</span>"
            return "<span class=\"inbox-\(verdict.status.rawValue)\">\(verdict.status.rawValue)</span>\(replies)"
        }

        private mutating func trend() {
            guard !report.trend.isEmpty else { return }
            out += "<section aria-labelledby=\"trend\">\n<h2 id=\"trend\">Trend: compliant institutions, last \(report.trend.count) runs</h2>\n"
            out += TrendChart(report.trend).svg()
            out += "</section>\n"
        }

        private mutating func catalog() {
            guard let catalog = report.catalog?.catalog else { return }
            out += "<section aria-labelledby=\"catalog\">\n<h2 id=\"catalog\">Ex Libris relay catalog</h2>\n"
            out += "<table><caption class=\"visually-hidden\">Relay addresses and SPF include per Alma region</caption>\n"
            out += "<thead><tr><th scope=\"col\">Region</th><th scope=\"col\">SPF include</th><th scope=\"col\">Relays and addresses</th><th scope=\"col\">Page against include</th></tr></thead>\n<tbody>\n"
            for region in catalog.regions.keys.sorted() {
                let entry = catalog.regions[region]!
                let relays = entry.relays.map { relay in
                    (relay.host.map { "<code>\(h($0))</code>: " } ?? "") + relay.addresses.map { h($0.description) }.joined(separator: ", ")
                }.joined(separator: "<br>")
                let concerns = report.run.findings.filter { $0.target == region.code && [.catalogDisagreement, .catalogIncomplete, .catalogNoAddress].contains($0.code) }
                // Only a region whose relay set this run built was compared (older history does not say).
                let checkedRegions = Set(report.summaries.lazy.compactMap(\.region))
                let check = !concerns.isEmpty
                    ? concerns.map(\.code.rawValue).joined(separator: ", ")
                    : !entry.includeConfirmed ? "include not confirmed"
                    : checkedRegions.contains(region) ? "agree" : "not checked in this run (no institution of the region)"
                out += "<tr><th scope=\"row\">\(region.code) (\(region.displayName))</th><td>\(entry.spfInclude.map { "<code>\(h($0))</code>" } ?? "—")</td><td>\(relays)</td><td>\(check)</td></tr>\n"
            }
            out += "</tbody>\n</table>\n</section>\n"
        }
    }
}

extension ComplianceStatus {
    /// Worst first when sorted ascending by this number.
    var rankForSort: Int { 2 - rank }
}
