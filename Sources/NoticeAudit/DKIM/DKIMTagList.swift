/// A DKIM tag-list (RFC 6376 §3.2): `tag=value` pairs separated by `;`, white space (FWS)
/// allowed around names, `=` and values, a final `;` allowed. Tag names are case-sensitive.
public struct DKIMTagList: Sendable, Equatable {
    /// The tags in record order (names unique).
    public var tags: [(name: String, value: String)]

    public static func == (lhs: DKIMTagList, rhs: DKIMTagList) -> Bool {
        lhs.tags.map(\.name) == rhs.tags.map(\.name) && lhs.tags.map(\.value) == rhs.tags.map(\.value)
    }

    /// The value of `name`, nil when the tag is absent.
    public subscript(name: String) -> String? { tags.first { $0.name == name }?.value }

    /// Parses `text`; the error says what is wrong, in words for campus IT.
    public static func parse(_ text: String) -> Result<DKIMTagList, DKIMTagListError> {
        var tags: [(name: String, value: String)] = []
        var seen = Set<String>()
        let specs = text.split(separator: ";", omittingEmptySubsequences: false)
        for (index, spec) in specs.enumerated() {
            let trimmed = spec.trimmingFWS()
            if trimmed.isEmpty {
                // Only the last spec may be empty (a trailing ';'), or a record that is all blank.
                if index == specs.count - 1 { continue }
                return .failure(DKIMTagListError("an empty tag between two ';'"))
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                return .failure(DKIMTagListError("'\(trimmed.prefix(40))' is not of the form tag=value"))
            }
            let name = String(trimmed[..<equals]).trimmingFWS()
            let value = String(trimmed[trimmed.index(after: equals)...]).trimmingFWS()
            guard let first = name.unicodeScalars.first, first.isASCIILetter,
                  name.unicodeScalars.allSatisfy({ $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" }) else {
                return .failure(DKIMTagListError("'\(name.prefix(40))' is not a valid tag name"))
            }
            // tag-value: printable ASCII except ';', with FWS only between its parts.
            guard value.unicodeScalars.allSatisfy({ ($0.value >= 0x21 && $0.value <= 0x7E && $0 != ";") || $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }) else {
                return .failure(DKIMTagListError("the value of \(name)= has characters a tag value cannot have"))
            }
            guard seen.insert(name).inserted else {
                return .failure(DKIMTagListError("the tag \(name)= occurs twice, which makes the whole record invalid"))
            }
            tags.append((name, value))
        }
        return .success(DKIMTagList(tags: tags))
    }
}

/// Why a tag-list does not parse.
public struct DKIMTagListError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}

extension StringProtocol {
    /// Without leading and trailing folding white space (space, tab, CR, LF).
    func trimmingFWS() -> String {
        let isFWS: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let start = firstIndex(where: { !isFWS($0) }), let end = lastIndex(where: { !isFWS($0) }) else { return "" }
        return String(self[start...end])
    }
}
