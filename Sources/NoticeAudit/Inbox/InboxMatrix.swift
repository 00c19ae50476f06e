/// One row of an institution's matrix: a requirement, its status, who can fix it and why.
public struct InboxRequirement: Sendable, Equatable, Codable {
    public var row: InboxRow
    public var status: InboxStatus
    public var party: InboxParty
    /// The evidence, in words ("SPF of exlibrisgroup.com passes from all 17 addresses of North America").
    public var detail: String

    public init(row: InboxRow, status: InboxStatus, party: InboxParty, detail: String) {
        self.row = row
        self.status = status
        self.party = party
        self.detail = detail
    }
}

/// What one provider does with today's notices: the worst of the rows it requires, and the
/// replies a failing notice gets there.
public struct ProviderVerdict: Sendable, Equatable, Codable {
    /// `pass`, `fail` or `unknown`.
    public var status: InboxStatus
    /// The published reply codes of the failing rows (`5.7.32`, `550 5.7.515` as `5.7.515`).
    public var replies: [String]
    /// The rows that fail (or, without a failure, are unknown) at this provider.
    public var rows: [InboxRow]
}

/// The receivers' rules for one institution (scan.json `inbox`, ../shared/domain.md "The
/// receivers' rules"): every row with its status, and per provider the worst of the rows it
/// requires of the institution's sender class.
public struct InboxMatrix: Sendable, Equatable, Codable {
    public var senderClass: SenderClass
    public var envelopeDomain: String
    public var envelopeAssumed: Bool
    public var sendingAddresses: [String]
    /// Keyed by ``ReceivingProvider`` raw value (`gmail`, `yahoo`, `outlook`, `icloud`).
    public var providers: [String: ProviderVerdict]
    public var requirements: [InboxRequirement]

    public init(senderClass: SenderClass, envelopeDomain: String, envelopeAssumed: Bool, sendingAddresses: [IPNetwork], requirements: [InboxRequirement]) {
        self.senderClass = senderClass
        self.envelopeDomain = envelopeDomain
        self.envelopeAssumed = envelopeAssumed
        self.sendingAddresses = sendingAddresses.map(\.description)
        self.requirements = requirements
        var providers: [String: ProviderVerdict] = [:]
        for provider in ReceivingProvider.allCases {
            let required = requirements.filter { provider.requires($0.row, of: senderClass) }
            var status = InboxStatus.worst(required.map(\.status))
            if status == .notObservable { status = .pass }
            let deciding = required.filter { $0.status == status && status != .pass }
            let replies = status != .fail ? [] : provider.publishesReplyCodes ? deciding.flatMap { provider.replies(for: $0.row) ?? [] } : ["required"]
            providers[provider.rawValue] = ProviderVerdict(status: status, replies: Self.unique(replies), rows: deciding.map(\.row))
        }
        self.providers = providers
    }

    /// The requirement of `row`, if listed.
    public func requirement(_ row: InboxRow) -> InboxRequirement? {
        requirements.first { $0.row == row }
    }

    /// The verdict of `provider`.
    public func verdict(_ provider: ReceivingProvider) -> ProviderVerdict? {
        providers[provider.rawValue]
    }

    /// The providers that refuse today's notices, each with its first published reply
    /// ("Gmail 5.7.32, Yahoo, Outlook.com 550 5.7.515"); nil when none fails.
    public var failingProviders: String? {
        let parts = ReceivingProvider.allCases.compactMap { provider -> String? in
            guard let verdict = verdict(provider), verdict.status == .fail else { return nil }
            guard let code = verdict.replies.first else { return provider.displayName }
            return "\(provider.displayName) \(provider.printed(code))"
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// What the matrix means for the institution: the worst provider, and a failing `blocklists`
    /// row too (no provider names it, but receivers that use the list refuse the mail).
    public var outcome: CheckOutcome {
        var statuses = providers.values.map(\.status)
        if requirement(.blocklists)?.status == .fail { statuses.append(.fail) }
        return InboxStatus.worst(statuses).outcome
    }

    private static func unique(_ codes: [String]) -> [String] {
        var seen: Set<String> = []
        return codes.filter { seen.insert($0).inserted }
    }
}
