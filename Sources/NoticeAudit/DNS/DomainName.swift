/// A fully qualified host or mail domain name in presentation form, lower-cased, without the
/// trailing dot.
///
/// Validation follows the host-name rules of RFC 1123 §2.1 (letters, digits and hyphens; labels of
/// 1–63 characters that neither start nor end with a hyphen; at most 253 characters) and requires
/// at least two labels and a non-numeric top-level label, as a sender or relay domain must have.
public struct DomainName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The lower-cased name without a trailing dot, e.g. `library.ufl.edu`.
    public let name: String

    /// Why a text is not a valid domain name.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case tooLong(Int)
        case emptyLabel
        case labelTooLong(String)
        case invalidCharacter(Character, label: String)
        case hyphenAtEdge(String)
        case singleLabel
        case numericTopLevelLabel(String)

        public var description: String {
            switch self {
            case .empty: "the name is empty"
            case .tooLong(let count): "the name is \(count) characters long (at most 253)"
            case .emptyLabel: "the name has an empty label (two dots in a row, or a leading dot)"
            case .labelTooLong(let label): "the label '\(label)' is longer than 63 characters"
            case .invalidCharacter(let character, let label):
                "the label '\(label)' contains '\(character)' (only letters, digits and hyphens are allowed)"
            case .hyphenAtEdge(let label): "the label '\(label)' starts or ends with a hyphen"
            case .singleLabel: "the name has a single label; a domain like 'library.ufl.edu' is expected"
            case .numericTopLevelLabel(let label): "the top-level label '\(label)' is all digits"
            }
        }
    }

    /// Validates `text` (one trailing dot allowed) and returns the name or the first problem found.
    public static func parse(_ text: String) -> Result<DomainName, Problem> {
        var text = text
        if text.hasSuffix(".") { text.removeLast() }
        guard !text.isEmpty else { return .failure(.empty) }
        guard text.utf8.count <= 253 else { return .failure(.tooLong(text.utf8.count)) }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty else { return .failure(.emptyLabel) }
            guard label.utf8.count <= 63 else { return .failure(.labelTooLong(String(label))) }
            if let bad = label.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")) }) {
                return .failure(.invalidCharacter(bad, label: String(label)))
            }
            if label.hasPrefix("-") || label.hasSuffix("-") { return .failure(.hyphenAtEdge(String(label))) }
        }
        guard labels.count >= 2 else { return .failure(.singleLabel) }
        if let last = labels.last, last.allSatisfy(\.isNumber) { return .failure(.numericTopLevelLabel(String(last))) }
        return .success(DomainName(uncheckedLowercased: text.lowercased()))
    }

    /// Returns the name when `text` is valid, else nil.
    public init?(_ text: String) {
        guard case .success(let domain) = Self.parse(text) else { return nil }
        self = domain
    }

    private init(uncheckedLowercased name: String) {
        self.name = name
    }

    public var description: String { name }

    public static func < (lhs: DomainName, rhs: DomainName) -> Bool { lhs.name < rhs.name }

    /// A name as DNS compares it (RFC 4343: case-insensitive; the root's trailing dot dropped):
    /// lower case, no final dot. Names already in that form are returned as they are, without a
    /// copy: the resolvers and the SPF evaluator call this for every lookup.
    public static func normalized(_ name: String) -> String {
        let alreadyKey = name.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard let last = bytes.last, last != UInt8(ascii: ".") else { return bytes.isEmpty }
            for byte in bytes where byte &- UInt8(ascii: "A") < 26 { return false }
            return true
        }
        if alreadyKey == true { return name }
        var key = name.lowercased()
        if key.hasSuffix(".") { key.removeLast() }
        return key
    }
}
