/// What one DMARC reading says of a From domain for the receivers' `dmarc_record` and `alignment`
/// rows: whether a record applies, whether the envelope domain aligns (its SPF is judged apart),
/// and whether a usable DKIM key is published at an aligned domain.
public struct DMARCAlignmentFacts: Sendable, Equatable {
    public var standard: DMARCStandard
    /// `found`, `none` or `temperror`: the `dmarc_record` row of this reading.
    public var record: DMARCReading.Status
    /// The envelope domain aligns with the From domain (relaxed, or as `aspf` says); nil: not decided.
    public var spfAligned: Bool?
    /// The name of a usable DKIM key at a domain aligned with the From domain, if one is seen.
    public var usableAlignedKey: String?
    /// A key's alignment or lookup had no definite answer.
    public var keyAlignmentUnknown: Bool

    /// The `dmarc_record` row by this reading.
    var recordStatus: InboxStatus {
        switch record {
        case .found: .pass
        case .none: .fail
        case .temperror: .unknown
        }
    }

    /// The `alignment` row by this reading, given whether the envelope's SPF passes.
    func alignmentStatus(envelopeSPF: InboxStatus) -> InboxStatus {
        if usableAlignedKey != nil { return .pass }
        if spfAligned == true, envelopeSPF == .pass { return .pass }
        if spfAligned == nil || keyAlignmentUnknown || (spfAligned == true && envelopeSPF == .unknown) { return .unknown }
        return .fail
    }
}
