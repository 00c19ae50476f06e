// Probes many relays at once through the one curl thread and compares the wall time with the
// slowest single probe. Usage: relay-benchmark DNS_SERVER CA_FILE HOST PORT[,PORT...] [COUNT] [TIMEOUT_S]
// (the lab: 127.0.10.1:5300 Tests/Lab/run/pki/ca.pem smtp.lab.test 2587,2591,2588,2593,2592 100 5).
import Foundation
import NoticeAudit

let arguments = CommandLine.arguments
guard arguments.count >= 5 else {
    FileHandle.standardError.write(Data("usage: relay-benchmark DNS_SERVER CA_FILE HOST PORT[,PORT...] [COUNT]\n".utf8))
    exit(2)
}
let resolver = try CAresResolver(servers: [try DNSServerAddress(parsing: arguments[1])], timeout: .seconds(2))
let stepTimeout = arguments.count > 6 ? Double(arguments[6])! : 5
let probe = try SMTPProbe(resolver: resolver, timeout: .milliseconds(Int64(stepTimeout * 1000)), extraCAFile: arguments[2])
let host = arguments[3]
let ports = arguments[4].split(separator: ",").compactMap { Int($0) }
let count = arguments.count > 5 ? Int(arguments[5])! : 100

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

var slowest = 0.0
for port in ports {
    let start = ContinuousClock.now
    let result = try await probe.probe(host: host, port: port, security: .starttls)
    let elapsed = seconds(ContinuousClock.now - start)
    slowest = max(slowest, elapsed)
    print(String(format: "single probe of port %d: %@ in %.3f s", port, result.status.rawValue, elapsed))
}
let start = ContinuousClock.now
let statuses = try await withThrowingTaskGroup(of: RelayStatus.self) { group in
    for index in 0..<count {
        group.addTask { try await probe.probe(host: host, port: ports[index % ports.count], security: .starttls).status }
    }
    var counts: [RelayStatus: Int] = [:]
    for try await status in group { counts[status, default: 0] += 1 }
    return counts
}
let total = seconds(ContinuousClock.now - start)
resolver.shutdown()
print(String(format: "%d probes at once: %.3f s (slowest single probe %.3f s, ratio %.2f); statuses %@", count, total, slowest, total / slowest,
             statuses.map { "\($0.key.rawValue)=\($0.value)" }.sorted().joined(separator: " ")))
