/// What a finding is about, as data: the SPF record as published, the record to publish (one that
/// was evaluated and passes), the relay addresses concerned, the terms to add.
public struct FindingFacts: Sendable, Equatable, Codable {
    public var publishedRecord: String?
    public var recommendedRecord: String?
    public var networks: [String]?
    public var terms: [String]?

    public init(publishedRecord: String? = nil, recommendedRecord: String? = nil, networks: [String]? = nil, terms: [String]? = nil) {
        self.publishedRecord = publishedRecord
        self.recommendedRecord = recommendedRecord
        self.networks = networks
        self.terms = terms
    }
}
