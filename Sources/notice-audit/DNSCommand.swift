import ArgumentParser
import Foundation
import NoticeAudit

/// `notice-audit dns`: the scanner's resolver, as the scan sees it.
struct DNSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns",
        abstract: "The scanner's own view of DNS.",
        subcommands: [DNSCheckCommand.self]
    )
}

/// `notice-audit dns check`: the resolver check that `scan` and `inbox` run first, for the person
/// setting up the cron job (../shared/domain.md, "The scanner's own view of DNS").
struct DNSCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Ask the resolver for names that must exist and one that cannot, and say whether it can be trusted.",
        discussion: """
            The names that must exist are the SPF include entries of the catalog (the page at \
            --catalog-url when given, else the last good snapshot in --db, else the embedded \
            default) and exlibrisgroup.com, each with its v=spf1 TXT record; the name that cannot \
            exist is a random label under an include entry. Prints each name asked, what came back, \
            and the verdict: trusted; untrusted (it denies every name that must exist, or answers \
            the one that cannot: the scan would then check nothing and exit 3); or unreachable (no \
            definite answer at all). Exit status 0 trusted, 1 untrusted or unreachable, 2 usage, 3 \
            could not run.
            """
    )

    @Option(name: .customLong("catalog-url"), help: ArgumentHelp("An Ex Libris page to read the include entries from (fetched, not stored).", valueName: "url"))
    var catalogURL: String?

    @Option(name: .customLong("db"), help: ArgumentHelp("The history database whose last catalog names the include entries (read only, never created).", valueName: "path"))
    var database = "history.sqlite"

    @OptionGroup var network: NetworkOptions

    /// `--json`: the resolver, the verdict, why (null when trusted), and every query.
    struct Output: Encodable {
        var resolver: String
        var verdict: ResolverTrustCheck.Verdict
        @NullWhenAbsent var reason: String?
        var catalog: String
        var queries: [ResolverTrustCheck.Query]
    }

    func run() async throws {
        let resolver = try network.makeResolver()
        defer { resolver.shutdown() }
        let (catalog, source) = try await self.catalog(resolver: resolver)
        let includes = catalog.regions.keys.sorted().compactMap { region in
            catalog.regions[region].flatMap { $0.includeConfirmed ? $0.spfInclude : nil }
        }
        let outcome = try await ResolverTrustCheck(resolver: resolver).check(includes: includes)
        let output = Output(resolver: resolverDescription(), verdict: outcome.verdict, reason: outcome.reason, catalog: source, queries: outcome.queries)
        if network.json {
            try JSONOutput.print(output)
        } else {
            TerminalText.print("resolver: \(output.resolver)")
            TerminalText.print("include entries from \(source)")
            for query in outcome.queries {
                let answers = query.answers.isEmpty ? "" : ": \(query.answers.joined(separator: ", "))"
                TerminalText.print("  \(query.name) \(query.type.rawValue) (must \(query.expect == .exists ? "exist" : "not exist")): \(query.rcode)\(answers)")
            }
            TerminalText.print("\(outcome.verdict.rawValue)\(outcome.reason.map { ": \($0)" } ?? "")")
            if outcome.verdict == .untrusted {
                TerminalText.print("fix: fix the resolver in /etc/resolv.conf or pass --dns-server with one that answers for the internet; a scan through this one checks nothing and exits 3")
            }
        }
        if outcome.verdict != .trusted { throw CommandFailure.silent(1) }
    }

    /// The servers asked: `--dns-server`, else the nameservers of /etc/resolv.conf.
    private func resolverDescription() -> String {
        if !network.dnsServers.isEmpty { return network.dnsServers.joined(separator: ", ") }
        // Only words for the output: c-ares reads the file itself, and says so when it cannot.
        guard let text = try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8) else { return "/etc/resolv.conf (unreadable)" }
        let servers = text.split(whereSeparator: \.isNewline).compactMap { line -> String? in
            let fields = line.split(whereSeparator: \.isWhitespace)
            return fields.count >= 2 && fields[0] == "nameserver" ? String(fields[1]) : nil
        }
        return "/etc/resolv.conf (\(servers.isEmpty ? "no nameserver line" : servers.joined(separator: ", ")))"
    }

    /// The catalog whose include entries are asked: the page at `--catalog-url`, else the last good
    /// snapshot of the history, else the embedded default. A page that cannot be read is said, and
    /// the next source used: the check is about DNS, not the page.
    private func catalog(resolver: CAresResolver) async throws -> (RelayCatalog, String) {
        if let catalogURL {
            do {
                let client = try network.makeHTTPClient(resolver: resolver)
                let response = try await client.get(catalogURL)
                return (try RelayPageParser.parse(response.body, source: catalogURL), catalogURL)
            } catch {
                StandardError.write("notice-audit: the page \(catalogURL) could not be read (\(error)); using the last good catalog")
            }
        }
        return try LastGoodCatalog.load(database: database)
    }
}
