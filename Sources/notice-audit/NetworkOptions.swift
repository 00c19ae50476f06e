import ArgumentParser
import Foundation
import NoticeAudit

/// Options shared by every subcommand that touches the network.
struct NetworkOptions: ParsableArguments {
    @Option(name: .customLong("dns-server"), help: ArgumentHelp("A DNS server as HOST[:PORT] (repeatable). Default: the nameservers of /etc/resolv.conf.", valueName: "host[:port]"))
    var dnsServers: [String] = []

    @Option(help: ArgumentHelp("The limit in seconds of one network step, for every command: one DNS query, one connection, one SMTP step, one HTTP transfer (an IMAP session gets four). Fractions allowed.", valueName: "seconds"))
    var timeout: Double = NetworkTimeout.standard.stepSeconds

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("Extra trust anchors (PEM) for HTTPS and SMTP TLS, on top of the system store.", valueName: "path"))
    var caFile: String?

    @Flag(help: "Machine-readable output on stdout; logs go to stderr.")
    var json = false

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
        for server in dnsServers {
            do { _ = try DNSServerAddress(parsing: server) } catch { throw ValidationError(error.description) }
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ValidationError("--ca-file \(caFile) cannot be read")
        }
    }

    /// The limit of every network step (shared/interface.md), for each client.
    var timeouts: NetworkTimeout { NetworkTimeout(step: .milliseconds(Int64((timeout * 1000).rounded()))) }

    /// An HTTPS client with these options' timeouts, trust anchors and resolver.
    func makeHTTPClient(resolver: any DNSResolver) throws -> CurlHTTPClient {
        try CurlHTTPClient(timeout: timeouts.step, connectTimeout: timeouts.step, extraCAFile: caFile, resolver: resolver)
    }

    /// An SMTP probe with these options' timeout and trust anchors.
    func makeSMTPProbe(resolver: any DNSResolver) throws -> SMTPProbe {
        try SMTPProbe(resolver: resolver, timeout: timeouts.step, extraCAFile: caFile)
    }

    /// A c-ares resolver for these options; the caller shuts it down.
    func makeResolver() throws -> CAresResolver {
        do {
            return try CAresResolver(servers: try dnsServers.map { try DNSServerAddress(parsing: $0) }, timeout: timeouts.step)
        } catch let error as DNSResolverSetupError {
            throw CommandFailure.operational("error: \(error.description)")
        }
    }
}
