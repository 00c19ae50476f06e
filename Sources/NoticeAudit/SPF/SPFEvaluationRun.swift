import Foundation

/// Ends an evaluation with an error result; caught at the top of the run.
enum SPFAbort: Error {
    case permerror(String)
    case temperror(String)
}

/// One `check_host()` evaluation with its counters, run synchronously on the answers at hand (see
/// ``SPFEvaluator/finishedRun(ip:domain:sender:helo:collectingFacts:)``). Lives inside one task,
/// never shared.
final class SPFEvaluationRun {
    /// The result a record produced, and where its explanation comes from.
    struct Decision {
        var result: SPFResult
        var term: String?
        var domain: String
        /// The record that decided, whose `exp=` explains a fail (one reference, no modifier copy).
        var record: SPFRecord?
    }

    let resolver: any DNSResolver
    /// Answers fetched for earlier attempts of this evaluation, used before anything else so that
    /// every attempt sees the same DNS.
    let fetched: [SPFQuery: Result<DNSAnswer, DNSLookupError>]
    let options: SPFCheckOptions
    let recordCache: SPFRecordCache
    let ip: IPAddress
    let localPart: String
    let senderDomain: String
    let helo: String?

    var dnsLookups = 0
    var voidLookups = 0
    var trace: [SPFTraceEntry] = {
        var trace: [SPFTraceEntry] = []
        trace.reserveCapacity(16)
        return trace
    }()
    var comparedNetworks: Set<IPNetwork> = []
    /// Whether to record every compared network (range coverage needs them; a single check does not).
    var collectsNetworks = false
    var addressDependent = false
    /// Set when the run walks the whole tree (``SPFEvaluator/tree(of:ip:sender:helo:)``): it goes
    /// on past a match and past a limit, and writes down each step.
    var walk: SPFTreeRecorder?

    init(evaluator: SPFEvaluator, ip: IPAddress, sender: String, helo: String?, fetched: [SPFQuery: Result<DNSAnswer, DNSLookupError>] = [:]) {
        self.resolver = evaluator.resolver
        self.fetched = fetched
        self.options = evaluator.options
        self.recordCache = evaluator.recordCache
        self.ip = ip
        self.helo = helo
        // Bytes, not Characters: the last "@" without grapheme breaking.
        var sender = sender
        let parts = sender.withUTF8 { bytes -> (local: String, domain: String)? in
            guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return nil }
            return (String(decoding: UnsafeBufferPointer(rebasing: bytes[..<at]), as: UTF8.self),
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[(at + 1)...]), as: UTF8.self))
        }
        localPart = parts.map { $0.local.isEmpty ? "postmaster" : $0.local } ?? "postmaster"
        senderDomain = parts?.domain ?? sender
    }

    var sender: String { "\(localPart)@\(senderDomain)" }

    /// `check_host()` for `domain` on the answers at hand. Every result, errors included, is a
    /// value; it throws ``SPFAnswerNeeded`` when an answer must be fetched first.
    func checkHost(domain: String) throws -> SPFOutcome {
        var outcome = SPFOutcome(result: .none, decidingTerm: nil, decidingDomain: nil, explanation: nil, problem: nil, dnsLookups: 0, voidLookups: 0, trace: [])
        // RFC 7208 §4.3: a malformed or single-label domain gives "none" at once.
        if let problem = Self.domainProblem(domain) {
            note(0, domain, "not a usable domain (\(problem)): none")
            outcome.problem = "the domain \(problem)"
        } else {
            do {
                let decision = try evaluateRecord(of: Self.normalized(domain), depth: 0)
                outcome.result = decision.result
                outcome.decidingTerm = decision.term
                outcome.decidingDomain = decision.term == nil ? nil : decision.domain
                if decision.result == .fail && walk == nil {
                    outcome.explanation = try explanation(for: decision)
                }
            } catch let abort as SPFAbort {
                switch abort {
                case .permerror(let message): outcome.result = .permerror; outcome.problem = message
                case .temperror(let message): outcome.result = .temperror; outcome.problem = message
                }
            }
        }
        outcome.dnsLookups = dnsLookups
        outcome.voidLookups = voidLookups
        outcome.trace = trace
        return outcome
    }

    // MARK: Records

    /// Finds, parses and evaluates the SPF record of `domain` (RFC 7208 §4.4–§4.7).
    func evaluateRecord(of domain: String, depth: Int) throws -> Decision {
        if let walk { return try walkRecord(of: domain, depth: depth, walk: walk) }
        let answer = try query(domain, .txt)
        let selection = recordCache.lookup(answer, at: domain)
        guard let record = selection.record else {
            return try decisionWithoutRecord(selection.lookup, domain: domain, depth: depth)
        }
        trace.append(SPFTraceEntry(depth: depth, domain: domain, kind: .record(record.text)))
        let directives = record.directives
        var index = 0
        while index < directives.count {
            // Runs of all, ip4 and ip6 are decided in one call; then the next term that queries
            // DNS (RFC 7208 §4.6.2: still strictly left to right).
            let (next, matchedWithoutDNS) = firstDNSTermOrMatch(in: directives, from: index)
            guard next < directives.count else { break }
            let directive = directives[next]
            if try matchedWithoutDNS ? true : matches(directive, domain: domain, depth: depth) {
                trace.append(SPFTraceEntry(depth: depth, domain: domain, kind: .matched(term: directive.text, result: directive.qualifier.result)))
                return Decision(result: directive.qualifier.result, term: directive.text, domain: domain, record: record)
            }
            index = next + 1
        }
        // RFC 7208 §6.1: redirect applies when nothing matched and the record has no "all".
        if let redirect = record.redirect, !record.hasAll {
            try countLookup(redirect.text, depth: depth, domain: domain)
            let (target, problem) = try targetName(redirect.value, domain: domain)
            if let problem {
                throw SPFAbort.permerror("\(redirect.text) names an invalid domain \"\(target)\": \(problem) (RFC 7208 §6.1)")
            }
            note(depth, domain, "\(redirect.text) → \(target)")
            let decision = try evaluateRecord(of: target, depth: depth + 1)
            if decision.result == .none {
                throw SPFAbort.permerror("\(redirect.text): \(target) has no SPF record (RFC 7208 §6.1)")
            }
            return decision.term == nil ? Decision(result: decision.result, term: redirect.text, domain: domain, record: decision.record) : decision
        }
        note(depth, domain, "no term matched: neutral")
        return Decision(result: .neutral, term: nil, domain: domain)
    }

    /// The end of an evaluation at a domain without one usable SPF record: `none` when it has no
    /// record, permerror for several or a record that does not parse (RFC 7208 §4.5, §4.6).
    func decisionWithoutRecord(_ lookup: SPFRecordLookup, domain: String, depth: Int) throws -> Decision {
        switch lookup {
        case .none(let nxdomain):
            note(depth, domain, nxdomain ? "no such domain: none" : "no SPF record: none")
            return Decision(result: .none, term: nil, domain: domain)
        case .multiple(let count):
            note(depth, domain, "\(count) SPF records: permerror")
            throw SPFAbort.permerror("\(domain) publishes \(count) SPF records; exactly one is allowed (RFC 7208 §4.5)")
        case .invalid(let text, let error):
            note(depth, domain, "record \"\(Self.printable(text))\" is invalid: \(error)")
            throw SPFAbort.permerror("the SPF record of \(domain) is invalid: \(error) (RFC 7208 §4.6)")
        case .record:
            preconditionFailure("a selected record is read from the cache entry, not decided here")
        }
    }

    // MARK: Mechanisms (RFC 7208 §5)

    /// The index of the first directive from `start` that matches without DNS (`matched` true) or
    /// that needs DNS (`matched` false); `directives.count` when neither is left.
    func firstDNSTermOrMatch(in directives: [SPFDirective], from start: Int) -> (index: Int, matched: Bool) {
        var index = start
        while index < directives.count {
            guard let decided = matchesWithoutDNS(directives[index].mechanism) else { return (index, false) }
            if decided { return (index, true) }
            index += 1
        }
        return (index, false)
    }

    /// `all`, `ip4` and `ip6` (RFC 7208 §5.1, §5.6); nil for the mechanisms that query DNS.
    func matchesWithoutDNS(_ mechanism: SPFMechanism) -> Bool? {
        switch mechanism {
        case .all:
            return true
        case .ip4(let network), .ip6(let network):
            if collectsNetworks { comparedNetworks.insert(network) }
            return network.contains(ip)
        default:
            return nil
        }
    }

    func matches(_ directive: SPFDirective, domain: String, depth: Int) throws -> Bool {
        if directive.mechanism.causesDNSLookup { try countLookup(directive.text, depth: depth, domain: domain) }
        switch directive.mechanism {
        case .all, .ip4, .ip6:
            return matchesWithoutDNS(directive.mechanism) ?? false
        case .include(let spec):
            let (target, problem) = try targetName(spec, domain: domain)
            if let problem {
                throw SPFAbort.permerror("\(directive.text) names an invalid domain \"\(target)\": \(problem) (RFC 7208 §5.2)")
            }
            let decision = try evaluateRecord(of: target, depth: depth + 1)
            switch decision.result {
            case .pass: return true
            case .fail, .softfail, .neutral: return false
            case .none: throw SPFAbort.permerror("\(directive.text): \(target) has no SPF record (RFC 7208 §5.2)")
            case .temperror, .permerror: return false
            }
        case .a(let spec, let cidr):
            let (target, problem) = try targetName(spec, domain: domain)
            guard problem == nil else { return try voidForInvalid(target, directive, depth, domain) }
            return try addressesMatch(of: target, cidr: cidr, countVoid: true, depth: depth, domain: domain)
        case .mx(let spec, let cidr):
            let (target, problem) = try targetName(spec, domain: domain)
            guard problem == nil else { return try voidForInvalid(target, directive, depth, domain) }
            let answer = try query(target, .mx)
            if answer.isVoid { try countVoid(target, depth: depth, domain: domain) }
            // Most preferred first; one array, sorted in place only when there is more than one.
            var exchanges: [(preference: UInt16, name: String)] = []
            exchanges.reserveCapacity(answer.records.count)
            for record in answer.records {
                if case .mx(let preference, let exchange) = record { exchanges.append((preference, exchange)) }
            }
            if exchanges.count > 1 { exchanges.sort { $0.preference < $1.preference } }
            if exchanges.count > options.maximumNamesPerLookup {
                throw SPFAbort.permerror("\(target) has \(exchanges.count) MX records; at most \(options.maximumNamesPerLookup) may be evaluated (RFC 7208 §4.6.4)")
            }
            for exchange in exchanges where exchange.name != "." && !exchange.name.isEmpty {
                if try addressesMatch(of: exchange.name, cidr: cidr, countVoid: false, depth: depth, domain: domain) { return true }
            }
            return false
        case .ptr(let spec):
            addressDependent = true
            let target = Self.normalized(try expandDomain(spec, domain: domain))
            let names = try validatedNames(countVoid: true, depth: depth, domain: domain)
            return names.contains { $0 == target || $0.hasSuffix("." + target) }
        case .exists(let spec):
            let (target, problem) = try targetName(spec, domain: domain)
            guard problem == nil else { return try voidForInvalid(target, directive, depth, domain) }
            let answer = try query(target, .a)
            if answer.isVoid { try countVoid(target, depth: depth, domain: domain) }
            return !answer.isVoid
        }
    }

    /// The normalized name a domain-spec names (the current domain when absent) and what makes it
    /// unusable (RFC 7208 §4.3), if anything; plain names come ready from the parser.
    func targetName(_ spec: MacroString?, domain: String) throws -> (String, String?) {
        guard let spec else { return (domain, nil) }
        if let plain = spec.plainName { return (plain, spec.plainNameProblem) }
        let expanded = try expandDomain(spec, domain: domain)
        return (Self.normalized(expanded), Self.domainProblem(expanded))
    }

    /// A name that cannot exist in DNS answers as NXDOMAIN would: a void lookup, no match.
    private func voidForInvalid(_ target: String, _ directive: SPFDirective, _ depth: Int, _ domain: String) throws -> Bool {
        note(depth, domain, "\(directive.text): \"\(target)\" is not a valid domain name")
        try countVoid(target, depth: depth, domain: domain)
        return false
    }

    private func addressesMatch(of name: String, cidr: DualCIDR, countVoid shouldCount: Bool, depth: Int, domain: String) throws -> Bool {
        let answer = try query(name, ip.isIPv4 ? .a : .aaaa)
        if answer.isVoid && shouldCount { try countVoid(name, depth: depth, domain: domain) }
        let length = cidr.prefixLength(for: ip)
        var matched = false
        for record in answer.records {
            guard let address = record.address, address.isIPv4 == ip.isIPv4,
                let network = IPNetwork(address: address, prefixLength: length)
            else { continue }
            if collectsNetworks { comparedNetworks.insert(network) }
            if network.contains(ip) { matched = true; break }
        }
        return matched
    }

    /// The PTR names of the address that resolve back to it (RFC 7208 §5.5), at most 10 tried.
    func validatedNames(countVoid shouldCount: Bool, depth: Int, domain: String) throws -> [String] {
        let pointers: DNSAnswer
        do {
            pointers = try answer(ip.reverseLookupName, .ptr)
        } catch is DNSLookupError {
            return []
        }
        if pointers.isVoid && shouldCount { try countVoid(ip.reverseLookupName, depth: depth, domain: domain) }
        var validated: [String] = []
        for record in pointers.records.prefix(options.maximumNamesPerLookup) {
            guard case .ptr(let name) = record else { continue }
            let normalized = Self.normalized(name)
            // A DNS error skips this name (RFC 7208 §5.5); a missing answer still stops the attempt.
            let forward: DNSAnswer
            do {
                forward = try answer(normalized, ip.isIPv4 ? .a : .aaaa)
            } catch is DNSLookupError {
                continue
            }
            if forward.records.contains(where: { $0.address == ip }) {
                validated.append(normalized)
            }
        }
        return validated
    }

    // MARK: Limits (RFC 7208 §4.6.4)

    func countLookup(_ term: String, depth: Int, domain: String) throws {
        dnsLookups += 1
        if let walk {
            walk.countedLookup(term, in: domain, total: dnsLookups, voidTotal: voidLookups)
            return
        }
        if dnsLookups > options.maximumDNSLookups {
            note(depth, domain, "\(term): more than \(options.maximumDNSLookups) DNS lookups: permerror")
            throw SPFAbort.permerror("more than \(options.maximumDNSLookups) DNS-querying terms (RFC 7208 §4.6.4); the limit was passed at \(term) in \(domain)")
        }
    }

    func countVoid(_ name: String, depth: Int, domain: String) throws {
        voidLookups += 1
        if let walk {
            walk.countedVoid(name, in: domain, lookups: dnsLookups, total: voidLookups)
            return
        }
        if voidLookups > options.maximumVoidLookups {
            note(depth, domain, "\(name): more than \(options.maximumVoidLookups) void lookups: permerror")
            throw SPFAbort.permerror("more than \(options.maximumVoidLookups) lookups returned no data (RFC 7208 §4.6.4); the limit was passed at \(name)")
        }
    }

    // MARK: DNS

    /// The answer to a query: fetched for an earlier attempt, else at hand in the resolver; otherwise
    /// the attempt stops with ``SPFAnswerNeeded`` so that the answer is fetched. Throws
    /// ``DNSLookupError`` when there is no definite answer.
    func answer(_ name: String, _ type: DNSRecordType) throws -> DNSAnswer {
        guard let walk else { return try answerAtHand(name, type) }
        do {
            let answer = try answerAtHand(name, type)
            walk.asked(name, type, .success(answer))
            return answer
        } catch let error as DNSLookupError {
            walk.asked(name, type, .failure(error))
            throw error
        }
    }

    private func answerAtHand(_ name: String, _ type: DNSRecordType) throws -> DNSAnswer {
        if !fetched.isEmpty, let result = fetched[SPFQuery(name: name, type: type)] { return try result.get() }
        if let answer = try resolver.answerAtHand(name, type: type) { return answer }
        throw SPFAnswerNeeded(query: SPFQuery(name: name, type: type))
    }

    /// The answer to a query made by a term; no definite answer is a temperror (RFC 7208 §4.4).
    func query(_ name: String, _ type: DNSRecordType) throws -> DNSAnswer {
        do {
            return try answer(name, type)
        } catch let error as DNSLookupError {
            trace.append(SPFTraceEntry(depth: 0, domain: name, event: "\(type.rawValue) lookup failed: \(error.kind.rawValue): temperror"))
            throw SPFAbort.temperror(error.description)
        }
    }

    func note(_ depth: Int, _ domain: String, _ event: String) {
        trace.append(SPFTraceEntry(depth: depth, domain: domain, event: event))
    }

    // MARK: Names

    /// Lower case, without the trailing dot.
    static func normalized(_ name: String) -> String {
        DomainName.normalized(name)
    }

    /// Why `name` cannot be checked (RFC 7208 §4.3), or nil when it can.
    static func domainProblem(_ name: String) -> String? {
        var name = name
        return name.withUTF8 { domainProblem(bytes: $0) }
    }

    private static func domainProblem(bytes whole: UnsafeBufferPointer<UInt8>) -> String? {
        var bytes = whole[...]
        if bytes.last == UInt8(ascii: ".") { bytes = bytes.dropLast() }
        if bytes.isEmpty { return "is empty" }
        if bytes.first == UInt8(ascii: "[") { return "is an address literal" }
        if bytes.count > 253 { return "is longer than 253 characters" }
        var labels = 1, labelLength = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if labelLength == 0 { return "has an empty label" }
                labels += 1
                labelLength = 0
            } else {
                labelLength += 1
                if labelLength > 63 { return "has a label longer than 63 characters" }
            }
        }
        if labelLength == 0 { return "has an empty label" }
        if labels < 2 { return "is not a multi-label domain name" }
        return nil
    }

    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
    }
}
