/// Parses SPF records (RFC 7208 §4.6.1 and the ABNF of §12).
public enum SPFParser {
    /// Parses a whole record. Terms are separated by spaces only (RFC 7208 §4.6.1).
    public static func parse(_ text: String) throws(SPFSyntaxError) -> SPFRecord {
        let characters = Array(text)
        if let bad = characters.firstIndex(where: { !$0.isASCII || $0.asciiValue! < 0x20 || $0.asciiValue! == 0x7F }) {
            throw SPFSyntaxError(message: "character outside printable ASCII (RFC 7208 §3.1)", term: nil, offset: bad)
        }
        guard SPFRecord.isVersion1(Array(text.utf8)) else {
            throw SPFSyntaxError(message: "the record does not start with 'v=spf1'", term: nil, offset: 0)
        }
        var record = Parts()
        var offset = 6
        for rawTerm in text.dropFirst(6).split(separator: " ", omittingEmptySubsequences: false) {
            defer { offset += rawTerm.count + 1 }
            let term = String(rawTerm)
            if term.isEmpty { continue }
            let termOffset = offset
            if let (name, value) = modifierParts(term) {
                try addModifier(name: name, value: value, term: term, offset: termOffset, to: &record)
            } else {
                record.directives.append(try parseDirective(term, offset: termOffset))
            }
        }
        return SPFRecord(
            text: text, directives: record.directives, redirect: record.redirect, explanation: record.explanation,
            unknownModifiers: record.unknownModifiers)
    }

    /// The terms of a record while it is parsed.
    private struct Parts {
        var directives: [SPFDirective] = []
        var redirect: SPFModifier?
        var explanation: SPFModifier?
        var unknownModifiers: [SPFModifier] = []
    }

    /// `name=value` when the term is a modifier: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
    private static func modifierParts(_ term: String) -> (String, String)? {
        guard let first = term.first, first.isASCII, first.isLetter else { return nil }
        guard let equals = term.firstIndex(of: "=") else { return nil }
        let name = term[..<equals]
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) else { return nil }
        return (String(name), String(term[term.index(after: equals)...]))
    }

    private static func addModifier(name: String, value: String, term: String, offset: Int, to record: inout Parts) throws(SPFSyntaxError) {
        let lowered = name.lowercased()
        let macro: MacroString
        do {
            macro = try MacroString(parsing: value)
        } catch {
            throw SPFSyntaxError(message: "invalid macro-string: \(error.message)", term: term, offset: offset)
        }
        let modifier = SPFModifier(name: lowered, value: macro, text: term, offset: offset)
        switch lowered {
        case "redirect", "exp":
            try checkDomainSpec(macro, term: term, offset: offset)
            if lowered == "redirect" {
                guard record.redirect == nil else { throw SPFSyntaxError(message: "more than one redirect modifier (RFC 7208 §6)", term: term, offset: offset) }
                record.redirect = modifier
            } else {
                guard record.explanation == nil else { throw SPFSyntaxError(message: "more than one exp modifier (RFC 7208 §6)", term: term, offset: offset) }
                record.explanation = modifier
            }
        default:
            record.unknownModifiers.append(modifier)
        }
    }

    private static func parseDirective(_ term: String, offset: Int) throws(SPFSyntaxError) -> SPFDirective {
        var rest = Substring(term)
        var qualifier = SPFQualifier.pass
        if let first = rest.first, let parsed = SPFQualifier(rawValue: first) {
            qualifier = parsed
            rest = rest.dropFirst()
        }
        let name = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }
        let arguments = rest.dropFirst(name.count)
        let mechanism = try parseMechanism(name: name.lowercased(), arguments: arguments, term: term, offset: offset)
        return SPFDirective(qualifier: qualifier, mechanism: mechanism, text: term, offset: offset)
    }

    private static func parseMechanism(name: String, arguments: Substring, term: String, offset: Int) throws(SPFSyntaxError) -> SPFMechanism {
        func fail(_ message: String) -> SPFSyntaxError { SPFSyntaxError(message: message, term: term, offset: offset) }
        func requiredDomain() throws(SPFSyntaxError) -> MacroString {
            guard arguments.first == ":" else { throw fail("'\(name)' needs ':' and a domain") }
            return try domainSpec(arguments.dropFirst(), term: term, offset: offset)
        }
        switch name {
        case "all":
            guard arguments.isEmpty else { throw fail("'all' takes no argument") }
            return .all
        case "include":
            return .include(try requiredDomain())
        case "exists":
            return .exists(try requiredDomain())
        case "ptr":
            if arguments.isEmpty { return .ptr(nil) }
            return .ptr(try requiredDomain())
        case "a", "mx":
            var body = arguments
            let cidr = try dualCIDR(stripping: &body, term: term, offset: offset)
            var domain: MacroString?
            if !body.isEmpty {
                guard body.first == ":" else { throw fail("unknown mechanism '\(name)\(body.prefix(1))…'") }
                domain = try domainSpec(body.dropFirst(), term: term, offset: offset)
            }
            return name == "a" ? .a(domain, cidr) : .mx(domain, cidr)
        case "ip4", "ip6":
            guard arguments.first == ":" else { throw fail("'\(name)' needs ':' and an address") }
            var body = arguments.dropFirst()
            var length: Int?
            if let slash = body.firstIndex(of: "/") {
                length = try cidrLength(body[body.index(after: slash)...], maximum: name == "ip4" ? 32 : 128, term: term, offset: offset)
                body = body[..<slash]
            }
            guard let address = IPAddress(String(body)), address.isIPv4 == (name == "ip4") else {
                throw fail("'\(body)' is not an \(name == "ip4" ? "IPv4" : "IPv6") address")
            }
            let network = IPNetwork(address: address, prefixLength: length ?? address.bitWidth)!
            return name == "ip4" ? .ip4(network) : .ip6(network)
        default:
            throw fail("unknown mechanism '\(name)'")
        }
    }

    /// Removes a trailing dual-cidr-length (`/24`, `//64`, `/24//64`) from `body` (RFC 7208 §5.6).
    private static func dualCIDR(stripping body: inout Substring, term: String, offset: Int) throws(SPFSyntaxError) -> DualCIDR {
        var cidr = DualCIDR.hosts
        if let range = body.range(of: "//", options: .backwards), body[range.upperBound...].allSatisfy(\.isNumber) {
            cidr.ipv6 = try cidrLength(body[range.upperBound...], maximum: 128, term: term, offset: offset)
            body = body[..<range.lowerBound]
        }
        if let slash = body.lastIndex(of: "/"), body[body.index(after: slash)...].allSatisfy(\.isNumber) {
            cidr.ipv4 = try cidrLength(body[body.index(after: slash)...], maximum: 32, term: term, offset: offset)
            body = body[..<slash]
        }
        return cidr
    }

    /// A CIDR length: "0" or a number without leading zeros, at most `maximum` (RFC 7208 §5.6).
    private static func cidrLength(_ digits: Substring, maximum: Int, term: String, offset: Int) throws(SPFSyntaxError) -> Int {
        guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy(\.isNumber), !(digits.count > 1 && digits.hasPrefix("0")),
            let value = Int(digits), value <= maximum
        else {
            throw SPFSyntaxError(message: "invalid CIDR length '/\(digits)' (0 to \(maximum))", term: term, offset: offset)
        }
        return value
    }

    /// A domain-spec: a macro-string ending in a macro or in "." toplabel ["."] (RFC 7208 §7.1).
    static func domainSpec(_ text: Substring, term: String, offset: Int) throws(SPFSyntaxError) -> MacroString {
        let macro: MacroString
        do {
            macro = try MacroString(parsing: String(text))
        } catch {
            throw SPFSyntaxError(message: "invalid macro-string: \(error.message)", term: term, offset: offset)
        }
        try checkDomainSpec(macro, term: term, offset: offset)
        return macro
    }

    static func checkDomainSpec(_ macro: MacroString, term: String, offset: Int) throws(SPFSyntaxError) {
        guard let last = macro.parts.last else {
            throw SPFSyntaxError(message: "empty domain", term: term, offset: offset)
        }
        guard case .literal(var literal) = last else { return }
        if literal.hasSuffix(".") { literal.removeLast() }
        guard let dot = literal.lastIndex(of: ".") else {
            throw SPFSyntaxError(message: "the domain does not end in '.' and a top-level label", term: term, offset: offset)
        }
        guard isTopLabel(literal[literal.index(after: dot)...]) else {
            throw SPFSyntaxError(message: "invalid top-level label '\(literal[literal.index(after: dot)...])'", term: term, offset: offset)
        }
    }

    /// toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
    static func isTopLabel(_ label: Substring) -> Bool {
        guard let first = label.first, let last = label.last, first != "-", last != "-" else { return false }
        guard label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { return false }
        return label.contains { $0.isLetter || $0 == "-" }
    }
}
