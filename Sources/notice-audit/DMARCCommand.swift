import ArgumentParser
import Foundation
import NoticeAudit

/// `notice-audit dmarc DOMAIN`: the DMARC policy for mail whose `From:` is in DOMAIN, read both ways.
struct DMARCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dmarc",
        abstract: "The DMARC policy of a From domain, by RFC 9989's tree walk and by RFC 7489.",
        discussion: """
            RFC 9989 (May 2026) walks from _dmarc.DOMAIN up to the top-level domain (psd, np, several \
            records discarded); RFC 7489 asks _dmarc.DOMAIN, then only the organizational domain of the \
            Public Suffix List. Receivers move from one to the other one by one, so both are shown, and \
            where they differ, the change that makes them agree. Exit status 0 whatever was found, 2 for \
            a usage error, 3 when DNS could not be set up.
            """
    )

    @Argument(help: "The From domain of the notices.")
    var domain: String

    @OptionGroup var network: NetworkOptions

    func validate() throws {
        if case .failure(let problem) = DomainName.parse(domain) { throw ValidationError("\(domain) is not a domain name: \(problem)") }
    }

    func run() async throws {
        let resolver = try network.makeResolver()
        defer { resolver.shutdown() }
        let discovery = try await DMARCDiscoverer(resolver: resolver).discover(domain)
        let findings = DMARCCheck.findings(of: discovery)
        if network.json {
            try JSONOutput.print(Output(discovery: discovery, findings: findings))
            return
        }
        for standard in DMARCStandard.allCases {
            let reading = discovery.reading(standard)
            var line = "\(standard.rawValue): \(reading.status.rawValue)"
            if reading.status == .found {
                line += ", policy \(reading.policy?.rawValue ?? "none") from _dmarc.\(reading.recordDomain ?? "?")\(reading.testing ? " (t=y)" : "")"
            }
            line += "; organizational domain \(reading.orgDomain)"
            TerminalText.print(line)
            if let record = reading.record { TerminalText.print("  record: \(record)") }
            if let problem = reading.problem { TerminalText.print("  \(problem)") }
            TerminalText.print("  asked: \(reading.queries.joined(separator: ", "))")
        }
        TerminalText.print(discovery.differ ? "the readings differ" : "the readings agree")
        for finding in findings { TerminalText.print("\(finding.severity.rawValue): \(finding.code.rawValue): \(finding.message)") }
    }

    /// `--json`: `{domain, rfc9989, rfc7489, differ, findings: [{severity, code, message}]}`.
    struct Output: Encodable {
        struct Item: Encodable {
            var severity: String, code: String, message: String
        }

        var domain: String
        var rfc9989: DMARCReading
        var rfc7489: DMARCReading
        var differ: Bool
        var findings: [Item]

        init(discovery: DMARCDiscovery, findings: [Finding]) {
            domain = discovery.domain
            rfc9989 = discovery.rfc9989
            rfc7489 = discovery.rfc7489
            differ = discovery.differ
            self.findings = findings.map { Item(severity: $0.severity.rawValue, code: $0.code.rawValue, message: $0.message) }
        }
    }
}
