/// What a finding is about, as data: the SPF record as published, the record to publish (one that
/// was evaluated and passes), the relay addresses concerned, the terms to add, and the DNS name
/// whose record the fix changes when that is not the one its code implies.
public struct FindingFacts: Sendable, Equatable, Codable {
    public var publishedRecord: String?
    public var recommendedRecord: String?
    public var networks: [String]?
    public var terms: [String]?
    /// The name whose TXT record the fix changes (`_dmarc.ufl.edu` for a record found at the
    /// organizational domain); nil: the one ``Finding/changedRecord`` derives from the code.
    public var changedRecord: String?

    public init(publishedRecord: String? = nil, recommendedRecord: String? = nil, networks: [String]? = nil, terms: [String]? = nil, changedRecord: String? = nil) {
        self.publishedRecord = publishedRecord
        self.recommendedRecord = recommendedRecord
        self.networks = networks
        self.terms = terms
        self.changedRecord = changedRecord
    }
}

extension Finding {
    /// The DNS name whose TXT record the fix changes, when the fix is a DNS change: the SPF record
    /// at the target domain, the DMARC record at `_dmarc.` of it, a DKIM key record at its name. A
    /// letter gives two fixes of the same record as one step (../shared/domain.md, "One cause, one
    /// finding"); nil for a fix that is not a record (a setting, a relay, a report to Ex Libris).
    public var changedRecord: String? {
        if let named = facts?.changedRecord { return named }
        let target = DomainName.normalized(self.target)
        switch code {
        case .spfNotAuthorized, .spfNoRecord, .spfPermerror, .spfLookupLimit, .spfPtrUsed, .spfPassAll, .spfRecordTooLong, .spfAnswerTooLong,
             .exlibrisIncludeIncomplete, .envelopeSPFNotPassing, .inboxSPFNotPassing:
            return campusCanFix ? target : nil
        case .dmarcMissing, .dmarcMultipleRecords, .dmarcInvalid, .dmarcPctIgnored, .dmarcTesting, .dmarcReadingsDiffer, .ruaNotListed:
            return "_dmarc.\(target)"
        case .dkimMissing, .dkimRevoked, .dkimInvalid, .dkimKeyTooWeak, .dkimWeakKey, .dkimTesting:
            return target
        default:
            return nil
        }
    }
}
