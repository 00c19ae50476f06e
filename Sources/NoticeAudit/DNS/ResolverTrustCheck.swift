/// The scanner's own view of DNS (../shared/domain.md, "The scanner's own view of DNS"). Before any
/// institution is checked, the resolver is asked for names that must exist (the SPF include entries
/// of the regions scanned and `exlibrisgroup.com`, each holding its `v=spf1` TXT record) and for one
/// that cannot (a random 16-character label directly under an include entry: a wildcard at a zone's
/// apex does not reach it, RFC 4592 §2.2.1). A resolver that answers, yet denies every name that must
/// exist, or that answers the name that cannot exist, is lying (a sandbox, a split-horizon office, a
/// captive network), and nothing it says is proof. Timeouts and SERVFAIL are not lies: a resolver
/// that gives no definite answer is `unreachable`, and the temporary-error rules apply.
///
/// The names are those the include expansion asks anyway: through a caching resolver the check
/// adds the `exlibrisgroup.com` TXT query (which the Ex Libris facts of the run ask later) and the
/// random name.
public struct ResolverTrustCheck: Sendable {
    /// What the check concludes of the resolver.
    public enum Verdict: String, Sendable, Codable {
        /// It confirmed a name that must exist and denied the one that cannot.
        case trusted
        /// It answered, yet denied every name that must exist, or answered the name that cannot.
        case untrusted
        /// It gave no definite answer at all (timeouts, SERVFAIL, REFUSED): the existing
        /// temporary-error rules apply (`DNS_UNREACHABLE`).
        case unreachable
    }

    /// What a name is expected to be.
    public enum Expectation: String, Sendable, Codable {
        case exists
        case absent
    }

    /// One name asked and what came back.
    public struct Query: Sendable, Codable, Equatable {
        public var name: String
        public var type: DNSRecordType
        public var expect: Expectation
        /// `NOERROR` or `NXDOMAIN` for a definite answer; for none, what happened
        /// (`TIMEOUT`, `SERVFAIL`, `REFUSED`, `MALFORMED`, `NETWORK`, `ERROR`).
        public var rcode: String
        /// The records of the asked type, as text (a TXT record's strings joined, an address).
        public var answers: [String]

        /// True when the answer was definite (NOERROR or NXDOMAIN).
        var isDefinite: Bool { rcode == "NOERROR" || rcode == "NXDOMAIN" }

        /// What came back, in words: `NXDOMAIN`, `NOERROR, no TXT record`, `198.51.100.250`.
        var outcome: String {
            if rcode == "NOERROR" {
                return answers.isEmpty ? "NOERROR, no \(type.rawValue) record" : answers.joined(separator: ", ")
            }
            return rcode
        }
    }

    /// The verdict, why, and every query.
    public struct Outcome: Sendable, Codable, Equatable {
        public var verdict: Verdict
        /// Why the resolver is untrusted or unreachable; nil when trusted.
        public var reason: String?
        public var queries: [Query]

        /// The run-level `DNS_UNTRUSTED` finding of an untrusted resolver; nil otherwise.
        public var finding: Finding? {
            guard verdict == .untrusted, let reason else { return nil }
            let asked = queries.map { "\($0.name) \($0.type.rawValue) → \($0.outcome)" }.joined(separator: "; ")
            return Finding(code: .dnsUntrusted, severity: .error, target: "dns",
                message: "The scanner's resolver cannot be trusted: \(reason). Asked: \(asked). Nothing it said is proof of anything, so no institution was checked.",
                remediation: "Fix the resolver in /etc/resolv.conf or pass --dns-server with a resolver that answers for the internet, then scan again. Nothing to change at the campuses.",
                campusCanFix: false)
        }
    }

    /// `exlibrisgroup.com`, which must exist wherever Alma's notices are checked.
    public static let vendorDomain = "exlibrisgroup.com"

    public let resolver: any DNSResolver

    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    /// A label no zone holds: 16 characters of `a`–`z` and `0`–`9`, starting with a letter.
    public static func randomLabel() -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz"), alphabet = letters + Array("0123456789")
        return String(letters.randomElement()!) + String((0..<15).map { _ in alphabet.randomElement()! })
    }

    /// Asks `includes` (and `exlibrisgroup.com`) for their `v=spf1` TXT record and a random label
    /// under the first include for an A record, and judges the answers. Throws only cancellation.
    public func check(includes: [String], randomLabel: String = Self.randomLabel()) async throws -> Outcome {
        var names = includes.map(DomainName.normalized)
        if !names.contains(Self.vendorDomain) { names.append(Self.vendorDomain) }
        var asked: [(name: String, type: DNSRecordType, expect: Expectation)] = names.map { ($0, .txt, .exists) }
        // Only under an include: `exlibrisgroup.com` itself may have a wildcard at its apex.
        if let include = names.first, include != Self.vendorDomain {
            asked.append(("\(randomLabel).\(include)", .a, .absent))
        }
        // All at once, listed in the order asked.
        let queries = try await withThrowingTaskGroup(of: (Int, Query).self) { group in
            for (index, question) in asked.enumerated() {
                group.addTask { (index, try await ask(question.name, type: question.type, expect: question.expect)) }
            }
            var answered: [Int: Query] = [:]
            for try await (index, query) in group { answered[index] = query }
            return asked.indices.map { answered[$0]! }
        }
        return Self.judge(queries)
    }

    /// The verdict of `queries` (../shared/domain.md): untrusted when the name that cannot exist got
    /// a record, or when every name that must exist got a definite denial (NXDOMAIN, or no `v=spf1`
    /// record); unreachable when nothing was answered; trusted otherwise.
    static func judge(_ queries: [Query]) -> Outcome {
        guard queries.contains(where: \.isDefinite) else {
            return Outcome(verdict: .unreachable, reason: "it gave no definite answer to any of the \(queries.count) queries", queries: queries)
        }
        if let answered = queries.first(where: { $0.expect == .absent && $0.rcode == "NOERROR" && !$0.answers.isEmpty }) {
            return Outcome(verdict: .untrusted, reason: "it answered \(answered.name), which cannot exist, with \(answered.answers.joined(separator: ", "))", queries: queries)
        }
        let mustExist = queries.filter { $0.expect == .exists }
        if !mustExist.isEmpty, mustExist.allSatisfy({ $0.isDefinite && !hasSPFRecord($0) }) {
            let denials = mustExist.map { "\($0.name) (\($0.outcome))" }.joined(separator: ", ")
            return Outcome(verdict: .untrusted, reason: "it denied every name that must exist: \(denials)", queries: queries)
        }
        return Outcome(verdict: .trusted, reason: nil, queries: queries)
    }

    /// True when a TXT answer holds a `v=spf1` record.
    private static func hasSPFRecord(_ query: Query) -> Bool {
        query.rcode == "NOERROR" && query.answers.contains { SPFRecord.isVersion1(Array($0.utf8)) }
    }

    private func ask(_ name: String, type: DNSRecordType, expect: Expectation) async throws -> Query {
        do {
            let answer = try await resolver.resolve(name, type: type)
            let rcode = answer == .nxdomain ? "NXDOMAIN" : "NOERROR"
            return Query(name: name, type: type, expect: expect, rcode: rcode, answers: answer.records.compactMap { $0.text(ifOf: type) })
        } catch let error as DNSLookupError {
            return Query(name: name, type: type, expect: expect, rcode: error.rcode, answers: [])
        }
    }
}
