/// What the run-wide parts of the reports need of one institution's result (counts, what changed,
/// the digest's line, the webhook, the metrics, the causes said once): a few hundred bytes, so that
/// a run of 100,000 institutions is summarised in memory while its results stream from history.
public struct ResultSummary: Sendable, Equatable {
    public var institutionID: String
    /// The institution's name where a run-wide part names it (a change, an alert); nil otherwise,
    /// so that 100,000 unchanged institutions cost no name each.
    public var name: String?
    public var status: ComplianceStatus
    public var change: StatusChange
    public var region: AlmaRegion?
    public var unknownRuns: Int?
    public var unknownAlert: Bool
    public var changeFirstSeen: ChangeSighting?
    /// The code of the finding that decides the verdict and whether the campus can fix it.
    public var decisiveCode: FindingCode?
    public var decisiveCampusCanFix: Bool
    /// The finding the digest shows (``ScanDigest/topFinding(_:)``) of an institution that is not
    /// compliant: its code and first sentence, on one line.
    public var topCode: FindingCode?
    public var topSentence: String?
    /// The providers that refuse or junk the notices of an institution that is not compliant, with
    /// their replies (``InboxMatrix/failingProviders``).
    public var failingProviders: String?
    /// The messages of `PREDICTION_CONTRADICTED` findings (what receivers reported against the prediction).
    public var contradictions: [String]

    public init(_ result: InstitutionResult) {
        institutionID = result.institutionID
        name = result.change != .unchanged || result.unknownAlert == true ? result.name : nil
        status = result.status
        change = result.change
        region = result.region
        unknownRuns = result.unknownRuns
        unknownAlert = result.unknownAlert == true
        changeFirstSeen = result.changeFirstSeen
        let decisive = result.decisiveFinding
        decisiveCode = decisive?.code
        decisiveCampusCanFix = decisive?.campusCanFix ?? true
        let top = result.status == .compliant ? nil : ScanDigest.topFinding(result)
        topCode = top?.code
        topSentence = top.map { ScanDigest.firstSentence(UntrustedText.singleLine($0.message)) }
        failingProviders = result.status == .compliant ? nil : result.inbox?.failingProviders
        contradictions = result.findings.filter { $0.code == .predictionContradicted }.map(\.message)
    }

    /// The name where there is one, else the id.
    public var displayName: String { name ?? institutionID }

    /// Worst first, then by institution id: the order of every report.
    static func reportOrder(_ a: ResultSummary, _ b: ResultSummary) -> Bool {
        (b.status, a.institutionID) < (a.status, b.institutionID)
    }
}
