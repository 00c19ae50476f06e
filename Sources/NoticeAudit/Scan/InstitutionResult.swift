/// One institution's result in one run.
public struct InstitutionResult: Sendable, Equatable, Codable {
    public var institutionID: String
    public var name: String
    public var method: DeliveryMethod
    public var status: ComplianceStatus
    /// The worst `check_host()` result over every relay address and sender domain (SPF institutions).
    public var spfResult: SPFResult?
    /// The strictest DMARC policy among the From domains.
    public var dmarcPolicy: DMARCRecord.Policy?
    public var relayStatus: RelayStatus?
    /// The worst DKIM key status over the configured selectors and From domains; nil when no
    /// selector is configured.
    public var dkimStatus: DKIMKeyStatus?
    public var change: StatusChange
    /// Consecutive unknown runs up to this one (scan.json `unknown_runs`); nil in history written
    /// before it was counted.
    public var unknownRuns: Int?
    /// For a consortium run: the ad-hoc rescan that saw this change first; nil otherwise.
    public var changeFirstSeen: ChangeSighting?
    /// True when this run brings the institution to three or more consecutive unknown runs for the
    /// first time in the streak (the webhook tells once per streak); nil otherwise.
    public var unknownAlert: Bool?
    public var findings: [Finding]
    /// Per sender domain: the result per range, for the report.
    public var domains: [DomainResult]
    public var relay: RelaySummary?
    /// The DKIM keys read (From domain × selector); nil in history written before they were kept.
    public var dkimKeys: [DKIMKeyCheck.Result]?
    /// Both DMARC readings per From domain (scan.json `dmarc`); nil in history written before.
    public var dmarc: [String: DMARCDiscovery]?
    /// Each From domain's whole SPF tree (scan.json `spf_tree`); null when the checks did not get
    /// that far, absent in history written before.
    @NullWhenAbsent public var spfTree: [String: SPFTree]? = nil
    /// The institution's Alma region; nil in history written before it was kept.
    public var region: AlmaRegion?
    /// The sending path the checks used; nil in history written before it was kept.
    public var sendingPath: SendingPath?
    /// The receivers' rules (scan.json `inbox`); nil when the checks did not get that far, or in older history.
    public var inbox: InboxMatrix?
    /// What receivers reported of the notices in the last days (scan.json `observed`, null without reports).
    @NullWhenAbsent public var observed: ObservedNotices? = nil
    public var durationMilliseconds: Int

    /// The finding that decides a verdict that is not compliant (``Finding/decisive``).
    public var decisiveFinding: Finding? { findings.first(where: \.decisive) }

    public init(institutionID: String, name: String, method: DeliveryMethod, status: ComplianceStatus, spfResult: SPFResult?, dmarcPolicy: DMARCRecord.Policy?,
                relayStatus: RelayStatus?, dkimStatus: DKIMKeyStatus? = nil, change: StatusChange, findings: [Finding], domains: [DomainResult], relay: RelaySummary?, durationMilliseconds: Int) {
        self.institutionID = institutionID
        self.name = name
        self.method = method
        self.status = status
        self.spfResult = spfResult
        self.dmarcPolicy = dmarcPolicy
        self.relayStatus = relayStatus
        self.dkimStatus = dkimStatus
        self.change = change
        self.unknownRuns = nil
        self.findings = findings
        self.domains = domains
        self.relay = relay
        self.durationMilliseconds = durationMilliseconds
    }
}

/// A sender domain's SPF and DMARC outcome.
public struct DomainResult: Sendable, Equatable, Codable {
    public var domain: String
    public var worstResult: SPFResult?
    /// Result → sub-ranges with that result (scan.json: an object keyed by the result's name).
    public var results: [SPFResult: [String]]
    public var record: String?
    public var dnsLookups: Int?
    public var dmarcPolicy: DMARCRecord.Policy?
    public var dmarcAligned: Bool?
    /// The DMARC record as published and where it was found; nil when none was (or in older history).
    public var dmarcRecord: String?
    public var dmarcRecordName: String?
}

/// What the relay probe found, for the report.
public struct RelaySummary: Sendable, Equatable, Codable {
    public var host: String
    public var port: Int
    public var security: RelaySecurity
    public var status: RelayStatus
    public var detail: String?
    public var tlsVersion: String?
    public var certificateExpires: String?
    public var authMechanisms: [String]
    /// The relay's greeting as received (remote-controlled text); nil when there was none or in older history.
    public var banner: String?
}

