/// Visits every branch of an SPF record tree (all includes and the redirect, whatever an address
/// would match) to count worst-case lookups and collect warnings.
struct SPFTreeWalk {
    struct Visit {
        var lookup: SPFRecordLookup?
        var record: SPFRecord?
        var lookups = 0
        var voids = 0
    }

    let resolver: any DNSResolver
    private(set) var warnings: [SPFAuditWarning] = []
    private var cache: [String: Visit] = [:]

    init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    mutating func visit(_ domain: String, path: [String]) async throws -> Visit {
        if let cached = cache[domain] { return cached }
        var visit = Visit()
        let answer: DNSAnswer
        do {
            answer = try await resolver.resolve(domain, type: .txt)
        } catch let error as DNSLookupError {
            warn(.dnsError, domain, "the TXT lookup failed: \(error)")
            return visit
        }
        let lookup = SPFRecordCache.shared.lookup(answer, at: domain).lookup
        visit.lookup = lookup
        let size = SPFRecordLookup.txtDataSize(answer)
        if size > SPFRecordAuditor.answerSizeLimit {
            warn(.answerTooLong, domain, "the TXT answer carries \(size) bytes; over \(SPFRecordAuditor.answerSizeLimit) it may need TCP and some receivers fail (RFC 7208 §3.4)")
        }
        switch lookup {
        case .none(let nxdomain):
            if path.isEmpty { warn(.noRecord, domain, nxdomain ? "the domain does not exist" : "the domain publishes no SPF record") }
            visit.voids = 1
        case .multiple(let count):
            warn(.multipleRecords, domain, "\(count) SPF records; exactly one is allowed, so every check is permerror (RFC 7208 §4.5)")
        case .invalid(_, let error):
            warn(.syntaxError, domain, "the record is invalid, so every check is permerror: \(error)")
        case .record(let record):
            visit.record = record
            try await walk(record, domain: domain, path: path + [domain], into: &visit)
        }
        cache[domain] = visit
        return visit
    }

    private mutating func walk(_ record: SPFRecord, domain: String, path: [String], into totals: inout Visit) async throws {
        if record.text.utf8.count > SPFRecordAuditor.recordSizeLimit {
            warn(.recordTooLong, domain, "the record is \(record.text.utf8.count) bytes; keep it under \(SPFRecordAuditor.recordSizeLimit) (RFC 7208 §3.4)")
        }
        for modifier in record.unknownModifiers {
            warn(.unknownModifier, domain, "unknown modifier '\(modifier.text)' is ignored by receivers (RFC 7208 §6)")
        }
        for directive in record.directives {
            if directive.mechanism.causesDNSLookup { totals.lookups += 1 }
            switch directive.mechanism {
            case .all:
                if directive.qualifier == .pass { warn(.passAll, domain, "'\(directive.text)' authorizes every host on the Internet") }
                if directive.qualifier == .neutral { warn(.neutralAll, domain, "'\(directive.text)' asserts nothing about other hosts") }
            case .ptr:
                warn(.ptrUsed, domain, "'\(directive.text)': the ptr mechanism is slow and unreliable and SHOULD NOT be used (RFC 7208 §5.5)")
            case .include(let spec):
                try await follow(spec, term: directive.text, domain: domain, path: path, into: &totals, isInclude: true)
            case .a(let spec, _), .mx(let spec, _):
                try await countVoid(spec?.text ?? domain, macro: spec?.hasMacros ?? false, type: directive.mechanism.name == "a" ? .a : .mx, into: &totals)
            case .exists(let spec):
                try await countVoid(spec.text, macro: spec.hasMacros, type: .a, into: &totals)
            case .ip4, .ip6:
                break
            }
        }
        if let redirect = record.redirect {
            if record.hasAll {
                warn(.redirectWithAll, domain, "'\(redirect.text)' is ignored because the record has an 'all' term (RFC 7208 §6.1)")
            } else {
                totals.lookups += 1
                try await follow(redirect.value, term: redirect.text, domain: domain, path: path, into: &totals, isInclude: false)
            }
        } else if !record.hasAll {
            warn(.noAll, domain, "the record ends without 'all' or 'redirect', so unlisted hosts get neutral")
        }
    }

    private mutating func follow(_ spec: MacroString, term: String, domain: String, path: [String], into totals: inout Visit, isInclude: Bool) async throws {
        guard !spec.hasMacros else {
            warn(.macroTarget, domain, "'\(term)' depends on macros; its target cannot be audited in advance")
            return
        }
        let target = SPFEvaluationRun.normalized(spec.text)
        guard !path.contains(target) else {
            warn(.includeLoop, domain, "'\(term)' leads back to \(target): evaluation always ends in permerror")
            return
        }
        let child = try await self.visit(target, path: path)
        totals.lookups += child.lookups
        totals.voids += child.voids
        if case .none? = child.lookup {
            warn(.includeWithoutSPF, domain, "'\(term)': \(target) has no SPF record, so reaching it gives permerror (RFC 7208 §5.2)")
        }
    }

    private mutating func countVoid(_ name: String, macro: Bool, type: DNSRecordType, into totals: inout Visit) async throws {
        guard !macro else { return }
        if let answer = try? await resolver.resolve(SPFEvaluationRun.normalized(name), type: type), answer.isVoid {
            totals.voids += 1
        }
    }

    private mutating func warn(_ code: SPFAuditWarning.Code, _ domain: String, _ message: String) {
        let warning = SPFAuditWarning(code: code, domain: domain, message: message)
        if !warnings.contains(warning) { warnings.append(warning) }
    }
}
