import ArgumentParser
import Foundation
import NoticeAudit

/// `notice-audit spf DOMAIN --ip IP [--sender ADDR] [--helo NAME]`: one RFC 7208 check_host();
/// `--tree`: the whole record tree as a receiver walks it.
struct SPFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spf",
        abstract: "Evaluate RFC 7208 check_host() for a domain and an address (or every address of ranges), or show its whole SPF tree.",
        discussion: """
            --tree walks every record an include or redirect reaches, as a receiver checking --ip \
            (default 192.0.2.1) would, but on past the deciding term and past the limits of RFC 7208 \
            §4.6.4, so that the whole tree is seen: each record as published, each term, the DNS \
            queries it made and the running counts. Without --sender, the sender is postmaster@HELO when --helo is given (the HELO identity, \
            RFC 7208 §2.3), else postmaster@DOMAIN. Exit status 0 whatever the SPF result; 2 for a \
            usage error; 3 when DNS could not be set up.
            """
    )

    @Argument(help: "The domain whose SPF record is evaluated.")
    var domain: String

    @Option(help: ArgumentHelp("The client address.", valueName: "ip"))
    var ip: String?

    @Option(help: ArgumentHelp("Every address of this range instead of --ip (repeatable).", valueName: "cidr"))
    var range: [String] = []

    @Option(help: ArgumentHelp("The MAIL FROM address.", valueName: "address"))
    var sender: String?

    @Option(help: ArgumentHelp("The HELO/EHLO name.", valueName: "name"))
    var helo: String?

    @Flag(help: "Show the whole SPF record tree (every include and redirect, past the limits).")
    var tree = false

    @OptionGroup var network: NetworkOptions

    func validate() throws {
        if tree && !range.isEmpty { throw ValidationError("--tree walks for one address: give --ip, not --range") }
        if ip == nil && range.isEmpty && !tree { throw ValidationError("give --ip, at least one --range, or --tree") }
        if ip != nil && !range.isEmpty { throw ValidationError("give either --ip or --range, not both") }
        if let ip, IPAddress(ip) == nil { throw ValidationError("--ip \(ip) is not an IPv4 or IPv6 address") }
        for cidr in range where IPNetwork(cidr: cidr) == nil { throw ValidationError("--range \(cidr) is not a CIDR range such as 192.0.2.0/24") }
    }

    var effectiveSender: String {
        if let sender, !sender.isEmpty { return sender }
        return "postmaster@\(helo ?? domain)"
    }

    func run() async throws {
        let resolver = try network.makeResolver()
        defer { resolver.shutdown() }
        let evaluator = SPFEvaluator(resolver: resolver)
        if tree {
            let walked = try await evaluator.tree(of: domain, ip: ip.flatMap(IPAddress.init) ?? SPFEvaluator.treeAddress, sender: sender.flatMap { $0.isEmpty ? nil : $0 } ?? helo.map { "postmaster@\($0)" }, helo: helo)
            if network.json {
                try JSONOutput.print(walked)
            } else {
                for line in SPFTreeText.full(walked) { TerminalText.print(line) }
            }
        } else if let ip, let address = IPAddress(ip) {
            let outcome = try await evaluator.checkHost(ip: address, domain: domain, sender: effectiveSender, helo: helo)
            if network.json {
                try JSONOutput.print(SPFCheckOutput(domain: domain, ip: address.description, sender: effectiveSender, outcome: outcome))
            } else {
                printHuman(outcome, ip: address)
            }
        } else {
            let coverages = try await evaluator.coverage(ranges: range.compactMap { IPNetwork(cidr: $0) }, domain: domain, sender: effectiveSender, helo: helo)
            if network.json {
                try JSONOutput.print(SPFRangesOutput(domain: domain, sender: effectiveSender, ranges: coverages.map(SPFRangesOutput.Range.init)))
            } else {
                for coverage in coverages { printHuman(coverage) }
            }
        }
    }

    private func printHuman(_ outcome: SPFOutcome, ip: IPAddress) {
        TerminalText.print("\(domain) for \(ip) (sender \(effectiveSender)): \(outcome.result.rawValue)")
        if let term = outcome.decidingTerm { TerminalText.print("  deciding term: \(term)\(outcome.decidingDomain.map { " in \($0)" } ?? "")") }
        if let problem = outcome.problem { TerminalText.print("  problem: \(problem)") }
        if let explanation = outcome.explanation { TerminalText.print("  explanation: \(explanation)") }
        TerminalText.print("  DNS lookups: \(outcome.dnsLookups) of 10, void lookups: \(outcome.voidLookups) of 2")
        TerminalText.print("  trace:")
        for entry in outcome.trace { TerminalText.print("    \(entry)") }
    }

    private func printHuman(_ coverage: SPFCoverage) {
        TerminalText.print("\(domain) for \(coverage.range) (sender \(effectiveSender)): worst result \(coverage.worstResult.rawValue)")
        for part in coverage.parts {
            let networks = part.networks.map(\.description).joined(separator: " ")
            TerminalText.print("  \(part.result.rawValue)\(part.sampled ? " (sampled)" : ""): \(networks)\(part.outcome.decidingTerm.map { " — \($0)" } ?? "")")
        }
        TerminalText.print("  \(coverage.evaluations) evaluations; at most \(coverage.maximumDNSLookups) DNS lookups and \(coverage.maximumVoidLookups) void lookups")
    }
}

/// `spf --json` with `--ip`.
struct SPFCheckOutput: Encodable {
    var domain: String
    var ip: String
    var sender: String
    var result: String
    @NullWhenAbsent var explanation: String?
    @NullWhenAbsent var decidingTerm: String?
    @NullWhenAbsent var decidingDomain: String?
    @NullWhenAbsent var problem: String?
    var dnsLookups: Int
    var voidLookups: Int
    var trace: [String]

    init(domain: String, ip: String, sender: String, outcome: SPFOutcome) {
        self.domain = domain
        self.ip = ip
        self.sender = sender
        result = outcome.result.rawValue
        explanation = outcome.explanation
        decidingTerm = outcome.decidingTerm
        decidingDomain = outcome.decidingDomain
        problem = outcome.problem
        dnsLookups = outcome.dnsLookups
        voidLookups = outcome.voidLookups
        trace = outcome.trace.map(\.description)
    }

}

/// `spf --json` with `--range`: `ranges: [{cidr, results: {RESULT: [sub-CIDR]}}]`.
struct SPFRangesOutput: Encodable {
    struct Range: Encodable {
        var cidr: String
        var results: [String: [String]]
        var sampled: [String]
        var evaluations: Int
        var maxDNSLookups: Int
        var maxVoidLookups: Int

        init(_ coverage: SPFCoverage) {
            cidr = coverage.range.description
            results = Dictionary(uniqueKeysWithValues: coverage.networksByResult.map { ($0.key.rawValue, $0.value.map(\.description)) })
            sampled = coverage.sampledNetworks.map(\.description)
            evaluations = coverage.evaluations
            maxDNSLookups = coverage.maximumDNSLookups
            maxVoidLookups = coverage.maximumVoidLookups
        }

        enum CodingKeys: String, CodingKey {
            case cidr, results, sampled, evaluations
            case maxDNSLookups = "max_dns_lookups", maxVoidLookups = "max_void_lookups"
        }
    }

    var domain: String
    var sender: String
    var ranges: [Range]
}
