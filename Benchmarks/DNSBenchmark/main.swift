// TXT queries through the c-ares resolver against the lab's latency proxy (20 ms added to every
// answer): wall time against the floor COUNT x LATENCY / CONCURRENCY, and queries per second.
// Usage: dns-benchmark SERVER [COUNT] [CONCURRENCY] [MAX_IN_FLIGHT]
import Foundation
import NoticeAudit

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: dns-benchmark SERVER [COUNT] [CONCURRENCY] [MAX_IN_FLIGHT]\n".utf8))
    exit(2)
}
let count = arguments.count > 2 ? Int(arguments[2])! : 5000
let concurrency = arguments.count > 3 ? Int(arguments[3])! : 200
let maximumInFlight = arguments.count > 4 ? Int(arguments[4])! : 200
let resolver = try CAresResolver(servers: [try DNSServerAddress(parsing: arguments[1])], timeout: .seconds(5), maximumInFlight: maximumInFlight)
let run = UInt64.random(in: 0..<UInt64.max)

let start = ContinuousClock.now
var answered = 0, failed = 0
try await withThrowingTaskGroup(of: Bool.self) { group in
    var next = 0
    func add() {
        let index = next
        next += 1
        group.addTask {
            do {
                _ = try await resolver.resolve("q\(index).r\(run).lab.test", type: .txt)
                return true
            } catch {
                return false
            }
        }
    }
    while next < min(concurrency, count) { add() }
    while let ok = try await group.next() {
        if ok { answered += 1 } else { failed += 1 }
        if next < count { add() }
    }
}
let elapsed = ContinuousClock.now - start
resolver.shutdown()
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(String(format: "%d queries (%d answered, %d failed) at concurrency %d, in flight at most %d: %.3f s, %.0f queries/s", count, answered, failed, concurrency, maximumInFlight, seconds, Double(count) / seconds))
