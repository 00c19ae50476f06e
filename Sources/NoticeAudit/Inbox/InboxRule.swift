/// Whether a domain counts as a bulk sender at the receivers (../shared/domain.md, "Sender class"):
/// Gmail counts every message of a primary domain and its subdomains, and Outlook.com's rules
/// start at 5,000 a day, so a university's domain is `bulk` unless the coordinator knows better.
public enum SenderClass: String, Sendable, Codable, CaseIterable {
    /// 5,000 or more messages a day to Gmail or Outlook.com, ever (the default).
    case bulk
    /// Known to stay under 5,000 a day to each of them.
    case standard
}

/// The state of one requirement of the receivers' rules.
public enum InboxStatus: String, Sendable, Codable, Comparable {
    case pass
    case fail
    case unknown
    /// Cannot be seen from a scanner (outbound TLS, spam rate, a sampled range): listed, never deciding.
    case notObservable = "not_observable"

    /// fail, then unknown, then pass; `not_observable` decides nothing and ranks with pass.
    var rank: Int {
        switch self {
        case .fail: 2
        case .unknown: 1
        case .pass, .notObservable: 0
        }
    }

    public static func < (lhs: InboxStatus, rhs: InboxStatus) -> Bool { lhs.rank < rhs.rank }

    /// A check's outcome as a row status.
    init(_ outcome: CheckOutcome) {
        switch outcome {
        case .pass: self = .pass
        case .fail: self = .fail
        case .unknown: self = .unknown
        }
    }

    /// The status as a check outcome.
    var outcome: CheckOutcome {
        switch self {
        case .fail: .fail
        case .unknown: .unknown
        case .pass, .notObservable: .pass
        }
    }

    /// The worse of several statuses; `pass` for none.
    static func worst(_ statuses: [InboxStatus]) -> InboxStatus {
        if statuses.contains(.fail) { return .fail }
        if statuses.contains(.unknown) { return .unknown }
        if !statuses.isEmpty, statuses.allSatisfy({ $0 == .notObservable }) { return .notObservable }
        return .pass
    }
}

/// Who can make a requirement pass.
public enum InboxParty: String, Sendable, Codable {
    /// The institution's DNS administrator (its records, its Alma profile).
    case institution
    /// Ex Libris (its relays, its envelope domain).
    case exLibris = "ex_libris"
    /// Whoever runs the campus relay.
    case campusRelay = "campus_relay"
}

/// One requirement of the receivers' rules: one row of an institution's matrix.
public enum InboxRow: String, Sendable, Codable, CaseIterable {
    case spfOrDKIM = "spf_or_dkim"
    case spf
    case dkim
    case dmarcRecord = "dmarc_record"
    case alignment
    case dmarcPolicy = "dmarc_policy"
    case ptr
    case tls
    case blocklists
    case spamRate = "spam_rate"

    /// Rows that every sender must meet; the others only bulk senders.
    var appliesToEveryone: Bool {
        switch self {
        case .spf, .dkim, .dmarcRecord, .alignment: false
        case .spfOrDKIM, .dmarcPolicy, .ptr, .tls, .blocklists, .spamRate: true
        }
    }

    /// True when the row applies to a sender of `senderClass`.
    func applies(to senderClass: SenderClass) -> Bool {
        senderClass == .bulk || appliesToEveryone
    }

    /// What the row asks, in words.
    public var requirement: String {
        switch self {
        case .spfOrDKIM: "SPF passes for the envelope domain, or a usable DKIM key is seen"
        case .spf: "SPF passes for the envelope domain from every sending address"
        case .dkim: "a usable DKIM key at a named selector of every From domain"
        case .dmarcRecord: "a DMARC record for the From domain (p=none is enough)"
        case .alignment: "the From domain aligned with the passing SPF domain or a usable DKIM key's domain"
        case .dmarcPolicy: "the From domain's DMARC policy is met"
        case .ptr: "every sending address has a forward-confirmed PTR"
        case .tls: "the sending side uses TLS to the receiver"
        case .blocklists: "no sending address on the configured DNS blocklists"
        case .spamRate: "spam rate under 0.3 %"
        }
    }
}

/// A mailbox provider whose published sender rules the notices must meet.
public enum ReceivingProvider: String, Sendable, Codable, CaseIterable, Comparable {
    case gmail
    case yahoo
    case outlook
    /// Apple's iCloud Mail (icloud.com, me.com, mac.com), the newest: its postmaster page says what
    /// bulk mail must meet, "If not, the email will be rejected", and publishes no reply codes.
    case icloud

    public var displayName: String {
        switch self {
        case .gmail: "Gmail"
        case .yahoo: "Yahoo"
        case .outlook: "Outlook.com"
        case .icloud: "iCloud"
        }
    }

    /// The providers' names in words: "Gmail, Yahoo, Outlook.com and iCloud".
    public static var allNames: String {
        let names = allCases.map(\.displayName)
        return names.dropLast().joined(separator: ", ") + " and " + names.last!
    }

    /// False for a provider that publishes no reply codes: a failing notice's reply reads `required`.
    public var publishesReplyCodes: Bool { self != .icloud }

    public static func < (lhs: ReceivingProvider, rhs: ReceivingProvider) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The replies a notice failing `row` gets from this provider, as the provider publishes them
    /// (../shared/realworld/policy-texts/: Google's SMTP error list, Microsoft's high-volume sender
    /// requirements; Yahoo publishes the rules without reply codes); nil when the provider does
    /// not require the row. An empty list: required, with no published code.
    public func replies(for row: InboxRow) -> [String]? {
        switch (self, row) {
        case (.gmail, .spfOrDKIM): ["5.7.26", "4.7.26"]
        case (.gmail, .spf): ["5.7.27", "4.7.27"]
        case (.gmail, .dkim): ["4.7.30"]
        case (.gmail, .dmarcRecord): ["4.7.40"]
        case (.gmail, .alignment): ["5.7.32", "4.7.32"]
        case (.gmail, .dmarcPolicy): ["5.7.26"]
        case (.gmail, .ptr): ["5.7.25", "4.7.23"]
        case (.gmail, .tls): ["4.7.29"]
        case (.gmail, .spamRate): []
        case (.gmail, .blocklists): nil  // advised, not required
        case (.yahoo, .tls), (.yahoo, .blocklists): nil
        case (.yahoo, _): []
        case (.outlook, .spf), (.outlook, .dkim), (.outlook, .dmarcRecord), (.outlook, .alignment): ["5.7.515"]
        case (.outlook, .dmarcPolicy): []
        case (.outlook, _): nil
        // Apple's postmaster page (support.apple.com/102322): SPF and DKIM, a published DMARC policy,
        // reverse DNS; no reply codes.
        case (.icloud, .spf), (.icloud, .dkim), (.icloud, .dmarcRecord), (.icloud, .ptr), (.icloud, .dmarcPolicy): []
        case (.icloud, _): nil
        }
    }

    /// A reply code as the provider writes it in its reply (Outlook.com: `550 5.7.515`).
    public func printed(_ code: String) -> String {
        self == .outlook ? "550 \(code)" : code
    }

    /// True when this provider requires `row` of a sender of `senderClass`. Apple states
    /// requirements for bulk mail only; of a standard sender iCloud "honors the domain's policy":
    /// its column holds `dmarc_policy` alone (../shared/domain.md).
    public func requires(_ row: InboxRow, of senderClass: SenderClass) -> Bool {
        if self == .icloud && senderClass == .standard { return row == .dmarcPolicy }
        return row.applies(to: senderClass) && replies(for: row) != nil
    }
}
