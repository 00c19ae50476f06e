/// What one check (SPF of a sender domain, DMARC of a From domain, the relay) proved.
public enum CheckOutcome: Sendable, Equatable {
    /// Checked, and notices will authenticate as far as this check goes.
    case pass
    /// Proof that notices will not authenticate.
    case fail
    /// Could not prove either way.
    case unknown

    /// How bad it is: fail, then unknown, then pass (the worse of two readings is kept).
    var severity: Int {
        switch self {
        case .pass: 0
        case .unknown: 1
        case .fail: 2
        }
    }
}

/// How much the scanner knows of a region's relay set (../shared/domain.md, "Verdict rules").
public enum RelaySetKnowledge: Sendable, Equatable {
    /// The page and the include's expansion, which finished without a temporary DNS error.
    case complete
    /// Some addresses are known, but a temporary DNS error cut the include's expansion short.
    case incomplete
    /// Neither source gave an address.
    case empty
}
