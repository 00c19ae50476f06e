import ArgumentParser
import Foundation
import NoticeAudit

/// Options shared by every subcommand that touches the network.
struct NetworkOptions: ParsableArguments {
    @Option(name: .customLong("dns-server"), help: ArgumentHelp("A DNS server as HOST[:PORT] (repeatable). Default: the nameservers of /etc/resolv.conf.", valueName: "host[:port]"))
    var dnsServers: [String] = []

    @Option(help: ArgumentHelp("The limit in seconds for one network step (one DNS query, one SMTP step, one HTTP transfer). Fractions allowed.", valueName: "seconds"))
    var timeout: Double = 5

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

    var timeoutDuration: Duration { .milliseconds(Int64((timeout * 1000).rounded())) }

    /// A c-ares resolver for these options; the caller shuts it down.
    func makeResolver() throws -> CAresResolver {
        do {
            return try CAresResolver(servers: try dnsServers.map { try DNSServerAddress(parsing: $0) }, timeout: timeoutDuration)
        } catch let error as DNSResolverSetupError {
            throw CommandFailure.operational("error: \(error.description)")
        }
    }
}
