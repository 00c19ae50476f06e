import Foundation

/// The Public Suffix List (https://publicsuffix.org/list/): the suffixes under which anyone can
/// register a name (`edu`, `ac.uk`, `*.ck` but not `www.ck`). DMARC finds a domain's
/// organizational domain with it (RFC 7489 §3.2).
///
/// Rules are matched on ASCII labels; the list's internationalized rules are written in Unicode
/// and so never match a name written in punycode (`xn--…`), which then falls back to the
/// default rule `*`.
public struct PublicSuffixList: Sendable {
    /// Where Debian's `publicsuffix` package installs the list.
    public static let systemPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    /// The system's list when it can be read, else ``fallback``: read once per process.
    public static let standard: PublicSuffixList = (try? PublicSuffixList(contentsOfFile: systemPath)) ?? fallback

    /// The few suffixes consortium members use most, for a machine without the list: every TLD
    /// through the default rule, plus the two-label academic suffixes.
    public static let fallback = PublicSuffixList(rules: [
        "ac.uk", "co.uk", "edu.au", "ac.nz", "edu.cn", "ac.jp", "edu.sg", "edu.hk", "k12.fl.us",
    ])

    /// Whether the rules came from a list file rather than ``fallback``.
    public let isComplete: Bool
    private let rules: Set<String>
    /// `*.ck` is kept as `ck`: any label directly under it is a public suffix.
    private let wildcards: Set<String>
    /// `!www.ck` is kept as `www.ck`: that name is not a public suffix after all.
    private let exceptions: Set<String>

    /// Reads the list in its published format: one rule per line, `//` comments, blank lines.
    public init(contentsOfFile path: String) throws {
        self.init(text: try String(contentsOfFile: path, encoding: .utf8), complete: true)
    }

    /// Parses rules in the list's format.
    public init(text: String, complete: Bool = true) {
        var rules: Set<String> = [], wildcards: Set<String> = [], exceptions: Set<String> = []
        for line in text.split(whereSeparator: \.isNewline) {
            // A rule is the line's first word; anything after whitespace is ignored.
            guard let word = line.split(whereSeparator: \.isWhitespace).first, !word.hasPrefix("//") else { continue }
            let rule = word.lowercased()
            if rule.hasPrefix("!") {
                exceptions.insert(String(rule.dropFirst()))
            } else if rule.hasPrefix("*.") {
                wildcards.insert(String(rule.dropFirst(2)))
            } else {
                rules.insert(rule)
            }
        }
        self.rules = rules
        self.wildcards = wildcards
        self.exceptions = exceptions
        isComplete = complete
    }

    private init(rules: Set<String>) {
        self.rules = rules
        wildcards = []
        exceptions = []
        isComplete = false
    }

    /// The public suffix of `domain` (lower case, no trailing dot), by the list's algorithm: the
    /// matching rule with the most labels prevails, an exception rule over any other, and with
    /// no match the default rule `*` makes the last label the suffix.
    public func publicSuffix(of domain: String) -> String {
        let labels = Self.labels(of: domain)
        guard !labels.isEmpty else { return "" }
        var length = 1
        for count in 1...labels.count {
            let suffix = labels.suffix(count).joined(separator: ".")
            if exceptions.contains(suffix) {
                length = count - 1
                break
            }
            let parent = labels.suffix(count - 1).joined(separator: ".")
            if rules.contains(suffix) || (count > 1 && wildcards.contains(parent)) { length = count }
        }
        return labels.suffix(max(length, 1)).joined(separator: ".")
    }

    /// The organizational domain (RFC 7489 §3.2): the public suffix and one more label; a name
    /// that is itself a public suffix is its own.
    public func organizationalDomain(of domain: String) -> String {
        let labels = Self.labels(of: domain)
        let suffixLabels = publicSuffix(of: domain).split(separator: ".").count
        return labels.suffix(min(labels.count, suffixLabels + 1)).joined(separator: ".")
    }

    private static func labels(of domain: String) -> [String] {
        DomainName.normalized(domain).split(separator: ".", omittingEmptySubsequences: true).map(String.init)
    }
}
