/// Reads `SELECTOR._domainkey.DOMAIN` through a ``DNSResolver`` and judges the key record there.
public struct DKIMKeyCheck: Sendable {
    /// The outcome for one selector (kept in history and scan.json as `dkim_keys`).
    public struct Result: Sendable, Equatable, Codable {
        public var selector: String
        /// The signing domain whose key was read.
        public var domain: String
        /// The name looked up.
        public var name: String
        public var status: DKIMKeyStatus
        public var keyType: String?
        public var keyBits: Int?
        public var testing: Bool
        /// The record as published (several joined by " | "), nil when there is none.
        public var record: String?
        public var problems: [String]
    }

    public let resolver: any DNSResolver

    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    /// Checks one selector of `domain`. Only cancellation is thrown; DNS trouble is `temperror`.
    public func check(domain: String, selector: String) async throws -> Result {
        let domain = DomainName.normalized(domain)
        let name = "\(selector)._domainkey.\(domain)"
        var result = Result(selector: selector, domain: domain, name: name, status: .missing, keyType: nil, keyBits: nil, testing: false, record: nil, problems: [])
        let answer: DNSAnswer
        do {
            answer = try await resolver.resolve(name, type: .txt)
        } catch let error as DNSLookupError {
            result.status = .temperror
            result.problems = ["no definite DNS answer: \(error)"]
            return result
        }
        // The resolver follows CNAMEs; a record split into several strings is one record (RFC 6376 §3.6.2.2).
        let records = answer.records.compactMap { record -> String? in
            guard case .txt(let strings) = record else { return nil }
            return String(decoding: strings.flatMap { $0 }, as: UTF8.self)
        }
        switch records.count {
        case 0:
            result.problems = ["no TXT record at \(name)"]
        case 1:
            let judged = DKIMKeyRecord(text: records[0])
            result.record = records[0]
            result.status = judged.status
            result.keyType = judged.keyType
            result.keyBits = judged.keyBits
            result.testing = judged.testing
            result.problems = judged.problems
        default:
            result.record = records.joined(separator: " | ")
            result.status = .invalid
            result.problems = ["\(records.count) TXT records at \(name); verifiers need exactly one"]
        }
        return result
    }

    /// RFC 6376 §3.1: a selector is one or more dot-separated labels of letters, digits and
    /// hyphens, neither starting nor ending with a hyphen.
    public static func isValidSelector(_ selector: String) -> Bool {
        let labels = selector.split(separator: ".", omittingEmptySubsequences: false)
        return !labels.isEmpty && selector.utf8.count <= 253 && labels.allSatisfy { label in
            guard let first = label.unicodeScalars.first, let last = label.unicodeScalars.last, label.utf8.count <= 63 else { return false }
            let allowed = label.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "-" }
            return allowed && first != "-" && last != "-"
        }
    }
}
