/// A resolver that answers one name's TXT query with a proposed record and every other question
/// as `base` does: how a recommended SPF record is evaluated, with the rest of the zone as seen,
/// before it is shown to anyone.
public struct RecordOverlayResolver: DNSResolver {
    public let base: any DNSResolver
    public let name: String
    public let record: String

    public init(base: any DNSResolver, name: String, record: String) {
        self.base = base
        self.name = SPFEvaluationRun.normalized(name)
        self.record = record
    }

    private var answer: DNSAnswer { .records([.txt([Array(record.utf8)])]) }

    public func resolve(_ name: String, type: DNSRecordType) async throws -> DNSAnswer {
        if type == .txt, SPFEvaluationRun.normalized(name) == self.name { return answer }
        return try await base.resolve(name, type: type)
    }

    public func answerAtHand(_ name: String, type: DNSRecordType) throws -> DNSAnswer? {
        if type == .txt, SPFEvaluationRun.normalized(name) == self.name { return answer }
        return try base.answerAtHand(name, type: type)
    }
}
