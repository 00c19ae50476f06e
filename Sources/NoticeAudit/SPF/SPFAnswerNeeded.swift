/// One DNS question of an evaluation: a name as queried and a type.
struct SPFQuery: Hashable, Sendable {
    var name: String
    var type: DNSRecordType
}

/// Stops an evaluation attempt that needs an answer the resolver does not have at hand; the
/// evaluator fetches it and starts the evaluation over. Never leaves the evaluator.
struct SPFAnswerNeeded: Error {
    var query: SPFQuery
}
