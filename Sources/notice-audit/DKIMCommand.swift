import ArgumentParser
import Foundation
import NoticeAudit

/// `notice-audit dkim DOMAIN --selector S...`: reads each `S._domainkey.DOMAIN` key record.
struct DKIMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dkim",
        abstract: "Check the DKIM key records of a domain's selectors (RFC 6376 §3.6.1, RFC 8301, RFC 8463).",
        discussion: """
            For each selector, reads the TXT record at SELECTOR._domainkey.DOMAIN (CNAMEs followed) and \
            says whether a verifier can use its key: ok (RSA of 2048 bits or more, or Ed25519), weak \
            (RSA of 1024 to 2047 bits), too_weak, revoked, invalid, missing or temperror. Exit status 0 \
            when every selector is ok or weak, 1 otherwise, 2 for a usage error, 3 when DNS could not be set up.
            """
    )

    @Argument(help: "The signing domain (the From domain of the notices).")
    var domain: String

    @Option(name: .customLong("selector"), help: ArgumentHelp("A DKIM selector (repeatable).", valueName: "selector"))
    var selectors: [String] = []

    @OptionGroup var network: NetworkOptions

    func validate() throws {
        guard !selectors.isEmpty else { throw ValidationError("give at least one --selector") }
        for selector in selectors where !DKIMKeyCheck.isValidSelector(selector) {
            throw ValidationError("--selector \(selector) is not a DKIM selector (RFC 6376 §3.1: labels of letters, digits and hyphens, separated by dots)")
        }
        if case .failure(let problem) = DomainName.parse(domain) { throw ValidationError("\(domain) is not a domain name: \(problem)") }
    }

    func run() async throws {
        let resolver = try network.makeResolver()
        defer { resolver.shutdown() }
        let check = DKIMKeyCheck(resolver: resolver)
        var results: [DKIMKeyCheck.Result] = []
        for selector in selectors { results.append(try await check.check(domain: domain, selector: selector)) }
        if network.json {
            try JSONOutput.print(Output(domain: DomainName.normalized(domain), selectors: results.map(Output.Selector.init)))
        } else {
            for result in results {
                let key = result.keyType.map { " \($0)\(result.keyBits.map { " \($0) bits" } ?? "")" } ?? ""
                TerminalText.print("\(result.name): \(result.status.rawValue)\(key)\(result.testing ? " (t=y: testing)" : "")")
                for problem in result.problems { TerminalText.print("  \(problem)") }
                if let record = result.record { TerminalText.print("  record: \(record)") }
            }
        }
        if !results.allSatisfy(\.status.isUsable) { throw CommandFailure.silent(1) }
    }

    /// `--json`: `{domain, selectors: [{selector, name, status, key_type, key_bits, testing, record, problems}]}`.
    struct Output: Encodable {
        struct Selector: Encodable {
            var selector: String, name: String, status: String
            @NullWhenAbsent var keyType: String?
            @NullWhenAbsent var keyBits: Int?
            var testing: Bool
            @NullWhenAbsent var record: String?
            var problems: [String]

            init(_ result: DKIMKeyCheck.Result) {
                selector = result.selector
                name = result.name
                status = result.status.rawValue
                keyType = result.keyType
                keyBits = result.keyBits
                testing = result.testing
                record = result.record
                problems = result.problems
            }
        }

        var domain: String
        var selectors: [Selector]
    }
}
