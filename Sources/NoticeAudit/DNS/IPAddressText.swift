/// Lexical checks on textual IP addresses.
enum IPAddressText {
    /// True when `text` is a dotted-quad IPv4 address (RFC 791 notation, no leading zeros).
    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isNumber) && Int(part).map { $0 <= 255 } == true
                && !(part.count > 1 && part.hasPrefix("0"))
        }
    }
}
