/// What a domain publishes as SPF: the record selection of RFC 7208 §4.4 and §4.5.
public enum SPFRecordLookup: Sendable {
    /// Exactly one `v=spf1` record, parsed.
    case record(SPFRecord)
    /// No `v=spf1` record (also for NXDOMAIN); `nxdomain` tells which.
    case none(nxdomain: Bool)
    /// More than one `v=spf1` record: permerror.
    case multiple(Int)
    /// One record that does not parse: permerror.
    case invalid(text: String, error: SPFSyntaxError)

    /// Selects and parses the SPF record among the TXT records of a DNS answer. TXT
    /// character-strings are joined without separator (RFC 7208 §3.3).
    public init(answer: DNSAnswer) {
        // One pass, no intermediate array: most answers hold a single record.
        var first: [UInt8]?
        var count = 0
        for record in answer.records {
            guard case .txt(let strings) = record else { continue }
            let joined = strings.count == 1 ? strings[0] : strings.flatMap { $0 }
            guard SPFRecord.isVersion1(joined) else { continue }
            count += 1
            if first == nil { first = joined }
        }
        guard let first else {
            self = .none(nxdomain: answer == .nxdomain)
            return
        }
        guard count == 1 else {
            self = .multiple(count)
            return
        }
        let text = String(decoding: first, as: UTF8.self)
        do {
            self = .record(try SPFParser.parse(text))
        } catch {
            self = .invalid(text: text, error: error)
        }
    }

    /// The size in bytes of the TXT answer's record data (each character-string plus its length
    /// byte), which RFC 7208 §3.4 asks to keep under 512 bytes with the rest of the answer.
    public static func txtDataSize(_ answer: DNSAnswer) -> Int {
        answer.records.reduce(0) { total, record in
            guard case .txt(let strings) = record else { return total }
            return total + strings.reduce(0) { $0 + $1.count + 1 }
        }
    }
}
