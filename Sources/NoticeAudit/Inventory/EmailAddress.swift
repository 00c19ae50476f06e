/// A mail address `local@domain` as used in a letter's `From:` header or an envelope sender.
///
/// The local part is checked as an RFC 5322 §3.2.3 dot-atom (quoted local parts are not accepted:
/// no Alma letter uses them); the domain as a ``DomainName``.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    public let localPart: String
    public let domain: DomainName

    /// Why a text is not a usable mail address.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case missingAt
        case emptyLocalPart
        case invalidLocalPart(String)
        case invalidDomain(DomainName.Problem)

        public var description: String {
            switch self {
            case .missingAt: "there is no single '@' separating the local part from the domain"
            case .emptyLocalPart: "the part before '@' is empty"
            case .invalidLocalPart(let local):
                "the local part '\(local)' is not a dot-atom (RFC 5322 §3.2.3)"
            case .invalidDomain(let problem): "the domain is invalid: \(problem)"
            }
        }
    }

    private static let atomSpecials = Set("!#$%&'*+-/=?^_`{|}~")

    /// Validates `text` and returns the address or the first problem found.
    public static func parse(_ text: String) -> Result<EmailAddress, Problem> {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .failure(.missingAt) }
        let local = String(parts[0])
        guard !local.isEmpty else { return .failure(.emptyLocalPart) }
        let atoms = local.split(separator: ".", omittingEmptySubsequences: false)
        let validLocal = local.utf8.count <= 64 && atoms.allSatisfy { atom in
            !atom.isEmpty && atom.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || atomSpecials.contains($0)) }
        }
        guard validLocal else { return .failure(.invalidLocalPart(local)) }
        switch DomainName.parse(String(parts[1])) {
        case .success(let domain): return .success(EmailAddress(localPart: local, domain: domain))
        case .failure(let problem): return .failure(.invalidDomain(problem))
        }
    }

    /// Returns the address when `text` is valid, else nil.
    public init?(_ text: String) {
        guard case .success(let address) = Self.parse(text) else { return nil }
        self = address
    }

    private init(localPart: String, domain: DomainName) {
        self.localPart = localPart
        self.domain = domain
    }

    public var description: String { "\(localPart)@\(domain)" }
}
