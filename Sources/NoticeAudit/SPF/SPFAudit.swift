/// Something in an SPF record tree worth fixing, with a stable code for reports.
public struct SPFAuditWarning: Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, Codable {
        case noRecord = "SPF_NO_RECORD"
        case multipleRecords = "SPF_MULTIPLE_RECORDS"
        case syntaxError = "SPF_SYNTAX_ERROR"
        case dnsError = "SPF_DNS_ERROR"
        case ptrUsed = "SPF_PTR_USED"
        case passAll = "SPF_PASS_ALL"
        case neutralAll = "SPF_NEUTRAL_ALL"
        case noAll = "SPF_NO_ALL"
        case recordTooLong = "SPF_RECORD_TOO_LONG"
        case answerTooLong = "SPF_TXT_ANSWER_TOO_LONG"
        case includeWithoutSPF = "SPF_INCLUDE_WITHOUT_SPF"
        case redirectWithAll = "SPF_REDIRECT_WITH_ALL"
        case unknownModifier = "SPF_UNKNOWN_MODIFIER"
        case lookupLimit = "SPF_LOOKUP_LIMIT"
        case voidLimit = "SPF_VOID_LIMIT"
        case includeLoop = "SPF_INCLUDE_LOOP"
        case macroTarget = "SPF_MACRO_TARGET"
    }

    public var code: Code
    /// The domain whose record the warning is about.
    public var domain: String
    public var message: String

    public var description: String { "\(code.rawValue) \(domain): \(message)" }
}

/// The record with the region's include added, and what it costs.
public struct SPFRecommendation: Sendable, Hashable {
    /// The record to publish, or nil when none can be written automatically (see `message`).
    public var record: String?
    /// True when the current record already includes the entry and needs no change.
    public var alreadyIncluded: Bool
    /// The recommended record's worst-case DNS-querying terms (RFC 7208 §4.6.4).
    public var worstCaseDNSLookups: Int
    /// True when the recommended record would pass the limit of 10 lookups.
    public var exceedsLookupLimit: Bool
    /// What to do, for the campus DNS administrator.
    public var message: String
}

/// What checkdmarc gets wrong, done right: the whole include tree's worst-case lookup counts, the
/// counts actually spent for the relay addresses, warnings, and the record to publish.
public struct SPFRecordAudit: Sendable {
    public var domain: String
    /// The domain's SPF record as published, when there is exactly one valid one.
    public var record: String?
    /// What the domain publishes as SPF, as it is: the valid record, an invalid one as written,
    /// or several records joined by " | "; nil when there is none (or DNS gave no answer).
    public var published: String?
    /// The DNS lookups each term of the domain's own record costs, its includes' trees counted
    /// (RFC 7208 §4.6.4), in record order: what to flatten or drop when over the limit.
    public var termCosts: [(term: String, lookups: Int)] = []
    /// DNS-querying terms over the whole tree, every branch taken (RFC 7208 §4.6.4).
    public var worstCaseDNSLookups: Int
    /// Lookups in the tree that return no data or NXDOMAIN.
    public var worstCaseVoidLookups: Int
    /// The most lookups any evaluation for the relay addresses spent, when coverages were given.
    public var spentDNSLookups: Int?
    public var spentVoidLookups: Int?
    public var warnings: [SPFAuditWarning]
    /// The record with the required include, when one was asked for.
    public var recommendation: SPFRecommendation?
}

/// Audits SPF record trees through a ``DNSResolver``.
public struct SPFRecordAuditor: Sendable {
    public let resolver: any DNSResolver
    public var options = SPFCheckOptions()

    /// RFC 7208 §3.4: keep a record under 450 bytes so the whole answer fits 512 bytes.
    public static let recordSizeLimit = 450
    public static let answerSizeLimit = 512

    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    /// Audits the record tree of `domain`; with `requiredInclude`, recommends the record that adds it;
    /// with `coverages`, reports the lookups actually spent for those addresses.
    public func audit(domain: String, requiredInclude: String? = nil, coverages: [SPFCoverage] = []) async throws -> SPFRecordAudit {
        let domain = SPFEvaluationRun.normalized(domain)
        var walk = SPFTreeWalk(resolver: resolver)
        let top = try await walk.visit(domain, path: [])
        var audit = SPFRecordAudit(
            domain: domain, record: top.record?.text, published: Self.published(top.lookup), worstCaseDNSLookups: top.lookups, worstCaseVoidLookups: top.voids,
            spentDNSLookups: coverages.isEmpty ? nil : coverages.map(\.maximumDNSLookups).max(),
            spentVoidLookups: coverages.isEmpty ? nil : coverages.map(\.maximumVoidLookups).max(),
            warnings: walk.warnings)
        if let record = top.record {
            for directive in record.directives where directive.mechanism.causesDNSLookup {
                var cost = 1
                if let target = Self.includeTarget(directive) { cost += try await walk.visit(target, path: [domain]).lookups }
                audit.termCosts.append((directive.text, cost))
            }
            if let redirect = record.redirect, !redirect.value.hasMacros {
                audit.termCosts.append((redirect.text, 1 + (try await walk.visit(SPFEvaluationRun.normalized(redirect.value.text), path: [domain]).lookups)))
            }
        }
        if top.lookups > options.maximumDNSLookups {
            audit.warnings.append(.init(code: .lookupLimit, domain: domain,
                message: "the record tree needs up to \(top.lookups) DNS lookups; evaluation stops with permerror after \(options.maximumDNSLookups) (RFC 7208 §4.6.4)"))
        }
        if top.voids > options.maximumVoidLookups {
            audit.warnings.append(.init(code: .voidLimit, domain: domain,
                message: "\(top.voids) lookups in the tree return no data; more than \(options.maximumVoidLookups) is permerror (RFC 7208 §4.6.4)"))
        }
        if let requiredInclude {
            audit.recommendation = try await recommend(adding: requiredInclude, to: top, domain: domain, walk: &walk)
        }
        return audit
    }

    private func recommend(adding include: String, to top: SPFTreeWalk.Visit, domain: String, walk: inout SPFTreeWalk) async throws -> SPFRecommendation {
        let include = SPFEvaluationRun.normalized(include)
        let includeCost = try await walk.visit(include, path: []).lookups + 1
        let term = "include:\(include)"
        guard let record = top.record else {
            let message: String
            switch top.lookup {
            case .multiple(let count)?:
                message = "\(domain) publishes \(count) SPF records: merge them into one record that contains \(term), then delete the others."
            case .invalid(_, let error)?:
                message = "the SPF record of \(domain) is invalid (\(error)); fix it, then add \(term) before the 'all' term."
            case nil:
                message = "the SPF record of \(domain) could not be read (DNS error); check again later."
            default:
                let proposed = "v=spf1 \(term) ~all"
                return SPFRecommendation(
                    record: proposed, alreadyIncluded: false, worstCaseDNSLookups: includeCost, exceedsLookupLimit: includeCost > options.maximumDNSLookups,
                    message: "\(domain) has no SPF record. Publish this TXT record, adding the domain's other mail senders before '~all': \(proposed)")
            }
            return SPFRecommendation(record: nil, alreadyIncluded: false, worstCaseDNSLookups: top.lookups, exceedsLookupLimit: false, message: message)
        }
        if let existing = record.directives.first(where: { Self.includeTarget($0) == include }) {
            if existing.qualifier == .pass {
                return SPFRecommendation(record: record.text, alreadyIncluded: true, worstCaseDNSLookups: top.lookups,
                    exceedsLookupLimit: top.lookups > options.maximumDNSLookups, message: "\(domain) already includes \(include); no change needed.")
            }
            let fixed = Self.replacing(existing, with: term, in: record)
            return SPFRecommendation(record: fixed, alreadyIncluded: false, worstCaseDNSLookups: top.lookups,
                exceedsLookupLimit: top.lookups > options.maximumDNSLookups,
                message: "\(domain) has '\(existing.text)', which does not authorize the relays; publish: \(fixed)")
        }
        let proposed = Self.inserting(term, into: record)
        let cost = top.lookups + includeCost
        var message = "publish this record for \(domain): \(proposed)"
        if cost > options.maximumDNSLookups {
            message += " — but it needs \(cost) DNS lookups, over the limit of \(options.maximumDNSLookups) (RFC 7208 §4.6.4): first remove an include the domain no longer needs, or replace one by the ip4/ip6 terms it publishes."
        }
        if proposed.utf8.count > Self.recordSizeLimit {
            message += " The record would be \(proposed.utf8.count) bytes, over \(Self.recordSizeLimit) (RFC 7208 §3.4): split it with a redirect or shorten it."
        }
        return SPFRecommendation(record: proposed, alreadyIncluded: false, worstCaseDNSLookups: cost, exceedsLookupLimit: cost > options.maximumDNSLookups, message: message)
    }

    /// The SPF text a domain publishes, valid or not.
    static func published(_ lookup: SPFRecordLookup?) -> String? {
        switch lookup {
        case .record(let record)?: record.text
        case .invalid(let text, _)?: text
        case .multiple?, .none?, nil: nil
        }
    }

    static func includeTarget(_ directive: SPFDirective) -> String? {
        guard case .include(let spec) = directive.mechanism, !spec.hasMacros else { return nil }
        return SPFEvaluationRun.normalized(spec.text)
    }

    /// The record with `term` inserted before its first `all`, else after its last mechanism.
    static func inserting(_ term: String, into record: SPFRecord) -> String {
        var terms = record.text.split(separator: " ").map(String.init)
        let position: Int
        if let all = record.directives.first(where: { $0.mechanism == .all }), let index = terms.firstIndex(of: all.text) {
            position = index
        } else if let last = record.directives.last, let index = terms.lastIndex(of: last.text) {
            position = index + 1
        } else {
            position = 1
        }
        terms.insert(term, at: position)
        return terms.joined(separator: " ")
    }

    static func replacing(_ directive: SPFDirective, with term: String, in record: SPFRecord) -> String {
        record.text.split(separator: " ").map { $0 == directive.text ? term : String($0) }.joined(separator: " ")
    }
}
