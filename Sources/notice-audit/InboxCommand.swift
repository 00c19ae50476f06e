import ArgumentParser
import Foundation
import NoticeAudit

/// `notice-audit inbox DOMAIN`: the receivers' rules (Gmail, Yahoo, Outlook.com, iCloud) for one From domain.
struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "What Gmail, Yahoo, Outlook.com and iCloud do with notices from a domain: the receivers' rules, row by row.",
        discussion: """
            Sent by the Ex Libris relays of --region (default NA, Alma's own delivery; the catalog is \
            the last good snapshot in --db, else the embedded default) or from --sending-address \
            (a campus relay's egress, repeatable). Without --envelope-from, Alma's default \
            alma@exlibrisgroup.com is assumed. Each row says its status (pass, fail, unknown, \
            not_observable), who can fix it, and what each provider answers a failing notice. \
            Exit status 0 when every provider passes, 1 otherwise, 2 for a usage error, 3 when it \
            could not run.
            """
    )

    @Argument(help: "The From domain of the notices.")
    var domain: String

    @Option(name: .customLong("envelope-from"), help: ArgumentHelp("The envelope sender (Return-Path) Alma uses. Default: alma@exlibrisgroup.com.", valueName: "address"))
    var envelopeFrom: String?

    @Option(name: .customLong("selector"), help: ArgumentHelp("A DKIM selector the notices are signed with (repeatable).", valueName: "selector"))
    var selectors: [String] = []

    @Option(help: ArgumentHelp("The Alma region whose Ex Libris relays send the notices (NA, EU, AP, CA, CN).", valueName: "region"))
    var region: String?

    @Option(name: .customLong("sending-address"), help: ArgumentHelp("An address or range the notices are sent from, instead of --region (repeatable).", valueName: "ip"))
    var sendingAddresses: [String] = []

    @Option(name: .customLong("class"), help: ArgumentHelp("bulk (5,000 or more messages a day to Gmail or Outlook.com, the default) or standard.", valueName: "class"))
    var senderClass: String = "bulk"

    @Option(name: .customLong("dnsbl"), help: ArgumentHelp("A DNS blocklist zone (repeatable). Default: zen.spamhaus.org and bl.spamcop.net.", valueName: "zone"))
    var blocklists: [String] = []

    @Flag(name: .customLong("no-dnsbl"), help: "Ask no DNS blocklist.")
    var noBlocklists = false

    @Option(name: .customLong("db"), help: ArgumentHelp("The history database whose last catalog gives the region's relays (read only, never created).", valueName: "path"))
    var database = "history.sqlite"

    @OptionGroup var network: NetworkOptions

    func validate() throws {
        if case .failure(let problem) = DomainName.parse(domain) { throw ValidationError("\(domain) is not a domain name: \(problem)") }
        if let envelopeFrom, case .failure(let problem) = EmailAddress.parse(envelopeFrom) { throw ValidationError("--envelope-from \(envelopeFrom) is not a mail address: \(problem)") }
        if region != nil && !sendingAddresses.isEmpty { throw ValidationError("give either --region or --sending-address, not both") }
        if let region, AlmaRegion(rawValue: region.uppercased()) == nil {
            throw ValidationError("unknown region \(region): use one of \(AlmaRegion.allCases.map(\.code).joined(separator: ", "))")
        }
        for address in sendingAddresses where Self.network(address) == nil {
            throw ValidationError("--sending-address \(address) is not an IP address or CIDR range")
        }
        if SenderClass(rawValue: senderClass.lowercased()) == nil { throw ValidationError("--class must be bulk or standard") }
        if noBlocklists && !blocklists.isEmpty { throw ValidationError("give either --dnsbl or --no-dnsbl, not both") }
        for zone in blocklists {
            if case .failure(let problem) = DomainName.parse(zone) { throw ValidationError("--dnsbl \(zone) is not a domain name: \(problem)") }
        }
    }

    static func network(_ text: String) -> IPNetwork? {
        IPNetwork(cidr: text) ?? IPAddress(text).map(IPNetwork.init(host:))
    }

    func run() async throws {
        let resolver = try network.makeResolver()
        defer { resolver.shutdown() }
        let zones = noBlocklists ? [] : blocklists.isEmpty ? ReputationChecker.defaultZones : blocklists
        let sending: InboxQuestion.Sending
        var source: String?
        if sendingAddresses.isEmpty {
            let region = AlmaRegion(rawValue: (region ?? "NA").uppercased()) ?? .northAmerica
            let catalog = try LastGoodCatalog.load(database: database)
            source = catalog.source
            let set = try await RegionRelaySet.build(region: region, catalog: catalog.catalog, expander: IncludeExpander(resolver: resolver))
            try await Self.trust(resolver, includes: set.includeConfirmed ? [set.include].compactMap { $0 } : [])
            if set.networks.isEmpty { throw CommandFailure.operational("error: no relay address of \(region.displayName) is known (\(set.problems.joined(separator: "; ")))") }
            sending = .region(set)
        } else {
            try await Self.trust(resolver, includes: [])
            sending = .addresses(sendingAddresses.compactMap(Self.network))
        }
        // validate() has parsed it: a failure here would be a defect, not an assumed default envelope.
        let envelope = try envelopeFrom.map { try EmailAddress.parse($0).get() }
        let question = InboxQuestion(fromDomain: DomainName.normalized(domain), envelopeFrom: envelope,
                                     selectors: selectors, senderClass: SenderClass(rawValue: senderClass.lowercased()) ?? .bulk, sending: sending)
        let assessment = try await question.answer(resolver: resolver, blocklistZones: zones)
        let matrix = assessment.matrix
        if network.json {
            try JSONOutput.print(matrix)
        } else {
            printHuman(matrix, findings: assessment.findings, source: source)
        }
        if !ReceivingProvider.allCases.allSatisfy({ matrix.verdict($0)?.status == .pass }) { throw CommandFailure.silent(1) }
    }

    /// The resolver check the scan runs first (``ResolverTrustCheck``): a resolver that lies proves
    /// nothing, so the command stops with the reason (exit 3).
    static func trust(_ resolver: CAresResolver, includes: [String]) async throws {
        let outcome = try await ResolverTrustCheck(resolver: resolver).check(includes: includes)
        if let untrusted = outcome.finding {
            throw CommandFailure.operational("error: \(untrusted.code.rawValue): \(untrusted.message) Fix: \(untrusted.remediation)")
        }
    }

    private func printHuman(_ matrix: InboxMatrix, findings: [Finding], source: String?) {
        TerminalText.print("\(DomainName.normalized(domain)), \(matrix.senderClass.rawValue) sender, envelope \(matrix.envelopeDomain)\(matrix.envelopeAssumed ? " (Alma's default, assumed)" : ""), from \(matrix.sendingAddresses.joined(separator: ", "))")
        if let source { TerminalText.print("  relays from \(source)") }
        for provider in ReceivingProvider.allCases {
            guard let verdict = matrix.verdict(provider) else { continue }
            let replies = verdict.replies.isEmpty ? "" : ", replies \(verdict.replies.joined(separator: ", "))"
            TerminalText.print("\(provider.displayName): \(verdict.status.rawValue)\(verdict.rows.isEmpty ? "" : " (\(verdict.rows.map(\.rawValue).joined(separator: ", ")))")\(replies)")
        }
        for requirement in matrix.requirements {
            TerminalText.print("  \(requirement.row.rawValue): \(requirement.status.rawValue) [\(requirement.party.rawValue)] \(requirement.detail)")
        }
        for finding in findings {
            TerminalText.print("\(finding.severity.rawValue): \(finding.code.rawValue): \(finding.message)")
            TerminalText.print("  fix: \(finding.remediation)")
        }
    }
}
