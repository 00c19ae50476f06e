import Foundation

/// `institutions/ID.md`: a letter to an institution's campus IT, written to be forwarded as it is.
/// Plain words: what is wrong, since when, why the library's notices suffer, the exact steps, and
/// how to check the fix themselves. Remote-controlled text is escaped (``UntrustedText``).
public enum CampusLetterRenderer {
    /// The institutions that get a letter: those not compliant with something the campus can
    /// change. A verdict that a run-level cause explains (the catalog, the scanner's DNS) or that
    /// only the vendor or the coordinator can settle gets none (../shared/domain.md, "One cause,
    /// said once").
    public static func addressees(_ report: ScanReport) -> [InstitutionResult] {
        report.results.filter { isAddressee($0, report: report) }
    }

    /// Whether `result` gets a letter (``addressees(_:)``).
    static func isAddressee(_ result: InstitutionResult, report: ScanReport) -> Bool {
        report.explainingCause(of: result) == nil && needsLetter(result)
    }

    /// Whether `result` gets a letter unless a run-level cause explains it.
    static func needsLetter(_ result: InstitutionResult) -> Bool {
        guard result.status != .compliant else { return false }
        return result.status == .noncompliant || result.decisiveFinding.map(\.campusCanFix) ?? true
    }

    /// The letter for `result`, an institution of `report` that is not compliant, as Markdown
    /// (its history from the report in memory).
    public static func render(_ result: InstitutionResult, report: ScanReport) -> String {
        render(result, history: report.histories[result.institutionID], report: report)
    }

    /// The letter for `result` with its `history`.
    static func render(_ result: InstitutionResult, history: InstitutionHistory?, report: ScanReport) -> String {
        let text = UntrustedText.markdown
        let name = text(result.name)
        // Info findings stay out, except where DMARC readings differ: its fix makes receivers agree.
        let problems = result.findings.filter { ($0.severity != .info || $0.code == .dmarcReadingsDiffer) && $0.campusCanFix }
        var out: [String] = []
        out.append("# Library patron notices of \(name): \(result.status == .noncompliant ? "action needed" : "please help us check")")
        out.append("")
        out.append("To the IT staff of \(name) (\(result.institutionID)), from the \(text(report.run.consortium)) consortium's nightly check of Alma patron notices (run \(report.run.id), \(day(report.run.startedAt))).")
        out.append("")
        out.append("Your library's system, Ex Libris Alma, e-mails patrons their overdue, hold and fine notices. " + (result.method == .spf
            ? "Alma sends them from Ex Libris mail servers in your name, so the receiving mail servers check your domain's DNS records (SPF, DMARC, DKIM) before they accept them."
            : "Alma hands them to your own mail relay, \(text(result.relay.map { "\($0.host) port \($0.port)" } ?? "your relay")), which delivers them."))
        out.append("")
        out.append("## What is wrong")
        out.append("")
        if let envelope = consortiumRuleOnly(result) {
            // The verdict stays (the consortium's rule); the words follow what the matrix shows.
            out.append("Our check found that your domain does not meet the consortium's rule for Alma notices: the SPF record of each From domain must authorize the Ex Libris mail relays of your region. \(ReceivingProvider.allNames) still take the notices today (below): with Alma's envelope sender \(text(envelope.from)) they check the SPF record of \(text(envelope.domain)), not yours. Your record starts to matter when Alma sends with an envelope sender in your domain, the set-up that aligns SPF for DMARC:")
        } else if result.status == .noncompliant {
            out.append("Our check found a problem that makes notices land in spam, bounce, or not leave Alma at all:")
        } else {
            out.append("Our check could not tell whether notices get through: it could not see enough to prove it either way. This is often temporary, but if it repeats it needs a look:")
        }
        out.append("")
        for finding in problems {
            out.append("- \(text(finding.message)) (`\(finding.code.rawValue)`)")
        }
        if problems.isEmpty { out.append("- The check ended without a definite answer (status \(result.status.rawValue)).") }
        out.append("")
        if let path = result.sendingPath, path.envelopeAssumed, problems.contains(where: { $0.code.concern == .dmarc || $0.code.concern == .dkim }) {
            out.append("We assumed that Alma sends with its default envelope sender, \(text(path.envelopeFrom)): the consortium's records do not say which one your library's Alma Mail Handling profile sets. If it sets another, tell the consortium office and we will check again with it.")
            out.append("")
        }
        if let inbox = result.inbox {
            out.append(contentsOf: receivers(inbox, problems: problems))
        }
        if let since = history?.since {
            let days = report.daysInState(history) ?? 0
            let age = since.run == report.run.id ? "first seen in this run" : days == 0 ? "earlier today" : "\(days) day\(days == 1 ? "" : "s") ago"
            out.append("**Since:** run \(since.run) on \(day(since.startedAt)) (\(age)).")
            out.append("")
        }
        out.append("## Why the notices suffer")
        out.append("")
        out.append(why(result, problems: problems))
        out.append("")
        out.append("## What to do")
        out.append("")
        var step = 1
        for fixes in steps(problems) {
            let finding = fixes[0]
            if let record = finding.facts?.recommendedRecord {
                let domain = UntrustedText.markdownCode(finding.target)
                let action = finding.facts?.publishedRecord == nil
                    ? "Publish this TXT record at \(domain)"
                    : "Replace the SPF record of \(domain) (the TXT record that starts with `v=spf1`) with this one"
                if finding.code == .exlibrisIncludeIncomplete {
                    // The gap is on the Ex Libris side: the record is a stopgap, and the cause is theirs to fix.
                    out.append("\(step). The Ex Libris entry your record includes does not cover every relay address Ex Libris publishes; that is for Ex Libris to fix: please report it to Ex Libris support. As a stopgap until they do: \(action.prefix(1).lowercased() + action.dropFirst()). We checked that it passes for every Ex Libris relay address of your region:")
                } else {
                    out.append("\(step). \(action). We checked that it passes for every Ex Libris relay address of your region:")
                }
                out.append("")
                out.append(UntrustedText.markdownBlock(record).split(separator: "\n", omittingEmptySubsequences: false).map { "   " + $0 }.joined(separator: "\n"))
            } else {
                out.append("\(step). \(text(finding.remediation))")
            }
            for more in fixes.dropFirst() {
                out.append("")
                out.append("   In the same record: \(text(more.remediation))")
            }
            step += 1
        }
        if step == 1 { out.append("Nothing specific yet: the next nightly run checks again. If the status stays unknown, reply and we will look together.") }
        out.append("")
        out.append("## Check it yourself")
        out.append("")
        out.append(result.method == .relay
            ? "From a machine outside your campus network if you can (Alma connects from Ex Libris' servers); the `notice-audit` line needs the consortium's tool:"
            : "From any machine with `dig`; the `notice-audit` lines need the consortium's tool:")
        out.append("")
        out.append(UntrustedText.markdownBlock(commands(result), info: "sh"))
        out.append("")
        for (domain, tree) in failingSPFTrees(result) {
            out.append("The SPF tree of \(domain) as receivers walk it, each DNS-querying term with the running counts (`notice-audit spf \(domain) --tree` shows every term and answer):")
            out.append("")
            out.append(UntrustedText.markdownBlock(SPFTreeText.compact(tree).joined(separator: "\n")))
            out.append("")
        }
        out.append("When it is fixed, tell the consortium office: we rescan \(name) at once (`notice-audit scan --institution \(result.institutionID)`) rather than waiting for the next night.")
        out.append("")
        return out.joined(separator: "\n")
    }

    /// The steps of "What to do": one per change. Fixes of the same DNS record are one step (merged
    /// by the record they change, ``Finding/changedRecord``, not by their text), the first one's
    /// words leading; a fix that changes no record and says what an earlier one said is not repeated.
    static func steps(_ problems: [Finding]) -> [[Finding]] {
        var steps: [[Finding]] = []
        for finding in problems where !finding.remediation.isEmpty {
            if let record = finding.changedRecord, let index = steps.firstIndex(where: { $0[0].changedRecord == record }) {
                steps[index].append(finding)
                continue
            }
            let fix = finding.remediation.hasSuffix(".") ? String(finding.remediation.dropLast()) : finding.remediation
            if steps.joined().contains(where: { $0.remediation.hasPrefix(fix) }) { continue }
            steps.append([finding])
        }
        return steps
    }

    /// What Gmail, Yahoo, Outlook.com and iCloud do with today's notices, and the one change that fixes
    /// most. Rows that are Ex Libris's to fix are not asked of the campus.
    static func receivers(_ inbox: InboxMatrix, problems: [Finding]) -> [String] {
        var out: [String] = []
        out.append("## What \(ReceivingProvider.allNames) do with today's notices")
        out.append("")
        for provider in ReceivingProvider.allCases {
            guard let verdict = inbox.verdict(provider) else { continue }
            let rows = verdict.rows.map { "`\($0.rawValue)` (\($0.requirement))" }.joined(separator: "; ")
            let line = switch verdict.status {
            case .fail where !provider.publishesReplyCodes: "rejects them: \(rows) (no reply code is published)."
            case .fail: "refuses them or sends them to spam: \(rows)" + (verdict.replies.isEmpty ? "." : "; its reply: \(verdict.replies.map(provider.printed).joined(separator: " or ")).")
            case .unknown: "cannot be predicted yet: \(rows)."
            default: "accepts them as far as DNS can show."
            }
            out.append("- **\(provider.displayName)** \(line)")
        }
        out.append("")
        out.append("Your domain counts as a \(inbox.senderClass == .bulk ? "bulk sender (5,000 or more messages a day to Gmail or Outlook.com, counting all mail of the domain)" : "standard sender (under 5,000 messages a day)"), so these are the rules that apply.")
        let priority: [FindingCode] = [.fromDomainNotFound, .inboxUnaligned, .dmarcMisaligned, .inboxDKIMMissing, .dkimMissing, .dkimRevoked, .dkimInvalid,
                                       .dkimKeyTooWeak, .inboxSPFNotPassing, .envelopeSPFNotPassing, .inboxDMARCMissing, .dmarcMissing, .dmarcMultipleRecords,
                                       .senderPTRMissing, .senderPTRMismatch, .senderListed, .inboxDKIMUnseen]
        if let first = priority.lazy.compactMap({ code in problems.first { $0.code == code } }).first {
            out.append("")
            out.append("**The one change that fixes most:** \(UntrustedText.markdown(first.remediation))")
        }
        out.append("")
        return out
    }

    /// The codes of the consortium's own SPF rule: a From domain's record must authorize the region's relays.
    static let consortiumSPFCodes: Set<FindingCode> = [.spfNotAuthorized, .spfNoRecord, .spfPermerror, .spfLookupLimit, .exlibrisIncludeIncomplete]

    /// The envelope receivers check instead, when the verdict is the consortium's SPF rule alone and
    /// every provider's column passes: the From domain's record is not the one receivers check
    /// (../shared/domain.md, "A letter never contradicts its own matrix"); nil otherwise.
    static func consortiumRuleOnly(_ result: InstitutionResult) -> (from: String, domain: String)? {
        guard result.status == .noncompliant, let decisive = result.decisiveFinding, consortiumSPFCodes.contains(decisive.code),
              let path = result.sendingPath, let inbox = result.inbox,
              DomainName.normalized(decisive.target) != path.envelopeDomain,
              ReceivingProvider.allCases.allSatisfy({ inbox.verdict($0)?.status ?? .pass == .pass }) else { return nil }
        return (path.envelopeFrom, path.envelopeDomain)
    }

    /// Why the finding hurts the notices, in one or two sentences per kind of problem.
    /// Only reasons the findings show: an info finding (DMARC readings that differ) gives none.
    static func why(_ result: InstitutionResult, problems: [Finding]) -> String {
        let concerns = Set(problems.filter { $0.severity != .info }.map(\.code.concern))
        var reasons: [String] = []
        if let envelope = consortiumRuleOnly(result) {
            reasons.append("Today receiving mail servers check the SPF record of \(UntrustedText.markdown(envelope.domain)), Alma's envelope sender, for these notices, so your record does not decide their delivery yet. The consortium requires it because aligning the notices with your domain for DMARC (an envelope sender in your domain, which your DMARC policy may come to need) depends on it: with such an envelope, a record without the Ex Libris relays sends the notices to spam or has them refused.")
        } else if concerns.contains(.spf) {
            reasons.append("Receiving mail servers (Gmail, Outlook and the rest) look up your SPF record to see whether the server handing them a notice may send for your domain. When the Ex Libris servers are not in it, the notices are marked as spam or refused.")
        }
        if concerns.contains(.dmarc) || concerns.contains(.dkim) {
            reasons.append("Your DMARC policy tells receivers what to do with mail that neither SPF nor a DKIM signature ties to your domain: with quarantine or reject, such notices go to spam or are refused.")
        }
        if concerns.contains(.inbox) {
            reasons.append("Since 2024 Gmail and Yahoo, and since May 2025 Outlook.com, require more of every sender, and more again of domains that send 5,000 or more messages a day: mail that breaks their rules is rate-limited, put in spam or refused, even when SPF passes. Apple's iCloud Mail (icloud.com, me.com, mac.com) rejects bulk mail that does not meet its rules.")
        }
        if concerns.contains(.relay) {
            reasons.append("Alma must connect to your relay, start TLS, trust its certificate and log in before it can hand over a notice; when any step fails, the notice is not sent and patrons are not told.")
        }
        if result.status == .unknown {
            reasons.append("An unknown result is not a failure: it means our check could not prove the notices get through (a DNS server that did not answer, a relay that refuses the consortium's scanner). We ask you to check so that a real problem does not hide behind it.")
        }
        return reasons.isEmpty ? "Notices that fail these checks are delayed, filtered as spam or lost." : reasons.joined(separator: " ")
    }

    /// Commands campus IT can run to see what the check saw.
    /// The trees of the From domains whose SPF does not pass for every sending address (or passes
    /// a limit of RFC 7208 §4.6.4 anywhere in the tree), in the inventory's order.
    static func failingSPFTrees(_ result: InstitutionResult) -> [(String, SPFTree)] {
        guard let trees = result.spfTree else { return [] }
        return result.domains.compactMap { domain in
            guard let tree = trees[domain.domain] else { return nil }
            let fails = domain.worstResult.map { $0 != .pass } ?? false
            return fails || tree.limitPassedAt != nil ? (domain.domain, tree) : nil
        }
    }

    static func commands(_ result: InstitutionResult) -> String {
        var lines: [String] = []
        for domain in result.domains {
            lines.append("dig +short TXT \(domain.domain)")
            let failing = domain.results.filter { $0.key != .pass }.flatMap(\.value).prefix(2)
            if let range = failing.first ?? domain.results.values.first?.first {
                lines.append("notice-audit spf \(domain.domain) --range \(range)")
            }
            lines.append("dig +short TXT _dmarc.\(domain.domain)")
        }
        for key in result.dkimKeys ?? [] where key.status != .ok {
            lines.append("notice-audit dkim \(key.domain) --selector \(key.selector)")
        }
        if let relay = result.relay {
            var line = "notice-audit relay \(relay.host):\(relay.port) --security \(relay.security.rawValue)"
            if relay.status == .authFailed || !relay.authMechanisms.isEmpty { line += " --user ALMA_LOGIN --password-env RELAY_PASSWORD" }
            lines.append(line)
            lines.append("openssl s_client -connect \(relay.host):\(relay.port)" + (relay.security == .starttls ? " -starttls smtp" : "") + " -brief </dev/null")
        }
        return UntrustedText.visible(lines.joined(separator: "\n"))
    }

    static func day(_ date: Date) -> String { TrendChart.day(date) }
}
