/// What a receiver learns of one sending address from DNS: its reverse name and its listings.
public struct AddressReputation: Sendable, Equatable {
    /// The forward-confirmed reverse DNS of an address (Gmail: "the sending IP address ... doesn't
    /// have a PTR record, or the PTR record's forward DNS entry doesn't match the sending IP address").
    public enum PTRStatus: Sendable, Equatable {
        /// A PTR name that resolves back to the address.
        case confirmed(String)
        /// No PTR record (NXDOMAIN or no data).
        case missing
        /// PTR names of which none resolves back to the address.
        case mismatch([String])
        /// No definite answer.
        case temperror(String)

        var status: InboxStatus {
            switch self {
            case .confirmed: .pass
            case .missing, .mismatch: .fail
            case .temperror: .unknown
            }
        }
    }

    /// One DNS blocklist's answer for an address.
    public enum BlocklistAnswer: Sendable, Equatable {
        case notListed
        /// Listed, with the return code (`127.0.0.2`).
        case listed(String)
        /// The list would not answer (a refusal code or no answer), with why.
        case unusable(String)
    }

    public var address: IPAddress
    public var ptr: PTRStatus
    /// Blocklist zone → its answer.
    public var blocklists: [String: BlocklistAnswer]
}

/// The reputation of a set of sending addresses (a region's relays or a campus relay's egress),
/// as the receivers' `ptr` and `blocklists` rows need it (../shared/domain.md, "Reverse DNS of a
/// range"): every address of a range of up to 16, 64 spread over a larger one (sampled: that
/// range's part of the `ptr` row is `not_observable`, never deciding).
public struct ReputationReport: Sendable, Equatable {
    /// One range and what its checked addresses gave.
    public struct Range: Sendable, Equatable {
        public var network: IPNetwork
        public var sampled: Bool
        public var addresses: [AddressReputation]

        /// The addresses without a forward-confirmed PTR (missing or mismatched).
        public var ptrFailures: [AddressReputation] { addresses.filter { $0.ptr.status == .fail } }

        /// This range's part of the `ptr` row.
        var ptrStatus: InboxStatus {
            let statuses = addresses.map(\.ptr.status)
            if sampled { return statuses.allSatisfy { $0 == .pass } ? .pass : .notObservable }
            if statuses.contains(.fail) { return .fail }
            return statuses.contains(.unknown) ? .unknown : .pass
        }
    }

    public var ranges: [Range]
    /// The blocklist zones asked.
    public var zones: [String]
    /// The zones that would not answer, with why (`DNSBL_UNUSABLE`, once per run).
    public var unusableZones: [String: String]

    /// The `ptr` row: fail, then unknown, then not_observable (a sampled range), then pass.
    public var ptrStatus: InboxStatus {
        let parts = ranges.map(\.ptrStatus)
        if parts.contains(.fail) { return .fail }
        if parts.contains(.unknown) { return .unknown }
        if parts.contains(.notObservable) { return .notObservable }
        return ranges.isEmpty ? .unknown : .pass
    }

    /// Every listing: address, zone, return code.
    public var listings: [(address: IPAddress, zone: String, code: String)] {
        ranges.flatMap(\.addresses).flatMap { reputation in
            reputation.blocklists.sorted { $0.key < $1.key }.compactMap { zone, answer in
                if case .listed(let code) = answer { return (reputation.address, zone, code) }
                return nil
            }
        }
    }

    /// The `blocklists` row: fail when a usable list lists an address; else not_observable when
    /// a list was unusable or none is configured; else pass.
    public var blocklistStatus: InboxStatus {
        if !listings.isEmpty { return .fail }
        if zones.isEmpty || !unusableZones.isEmpty { return .notObservable }
        return ranges.isEmpty ? .unknown : .pass
    }

    /// How many addresses were checked.
    public var checkedCount: Int { ranges.reduce(0) { $0 + $1.addresses.count } }

    /// The `ptr` row's evidence in words.
    public var ptrDetail: String {
        let failures = ranges.filter { !$0.sampled }.flatMap(\.ptrFailures)
        if !failures.isEmpty {
            return failures.prefix(6).map { "\($0.address): \(Self.words($0.ptr))" }.joined(separator: "; ") + (failures.count > 6 ? "; and \(failures.count - 6) more" : "")
        }
        if let unknown = ranges.flatMap(\.addresses).first(where: { $0.ptr.status == .unknown }) {
            return "\(unknown.address): \(Self.words(unknown.ptr))"
        }
        let sampled = ranges.filter(\.sampled)
        let sampledFailures = sampled.flatMap(\.ptrFailures).count
        var words = "\(checkedCount) address\(checkedCount == 1 ? "" : "es"), each forward-confirmed"
        if sampledFailures > 0 {
            words = "\(sampledFailures) of the \(sampled.reduce(0) { $0 + $1.addresses.count }) sampled addresses of \(sampled.map(\.network.description).joined(separator: ", ")) have no forward-confirmed PTR (a sample never decides)"
        } else if !sampled.isEmpty {
            words += " (\(sampled.map(\.network.description).joined(separator: ", ")) sampled)"
        }
        return ranges.isEmpty ? "no sending address is known" : words
    }

    /// The `blocklists` row's evidence in words.
    public var blocklistDetail: String {
        if zones.isEmpty { return "no DNS blocklist is configured (reputation.dnsbl is empty)" }
        let listed = listings
        if !listed.isEmpty {
            return listed.prefix(6).map { "\($0.address) is listed on \($0.zone) (\($0.code))" }.joined(separator: "; ")
        }
        if !unusableZones.isEmpty {
            return "unusable this run: " + unusableZones.keys.sorted().joined(separator: ", ") + " (DNSBL_UNUSABLE)"
        }
        return "\(checkedCount) address\(checkedCount == 1 ? "" : "es"), not listed"
    }

    /// A PTR status in words.
    static func words(_ status: AddressReputation.PTRStatus) -> String {
        switch status {
        case .confirmed(let name): "PTR \(name), confirmed"
        case .missing: "no PTR record"
        case .mismatch(let names): "PTR \(names.joined(separator: ", ")) does not resolve back to it"
        case .temperror(let problem): "no definite answer (\(problem))"
        }
    }
}
