import Synchronization
@testable import NoticeAudit

/// Answers from a zone but never has an answer at hand, like a cold cache: every answer must be
/// fetched with a suspension. Counts the questions asked.
final class FetchOnlyResolver: DNSResolver {
    let zone: InMemoryZone
    private let asked = Mutex<[String]>([])

    init(_ zone: InMemoryZone) {
        self.zone = zone
    }

    /// Every question asked so far, as "NAME TYPE", in order.
    var questions: [String] { asked.withLock { $0 } }

    func resolve(_ name: String, type: DNSRecordType) async throws -> DNSAnswer {
        asked.withLock { $0.append("\(name) \(type.rawValue)") }
        await Task.yield()
        return try await zone.resolve(name, type: type)
    }
}
