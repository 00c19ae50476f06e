import Foundation

/// Macro expansion (RFC 7208 §7) and explanations (§6.2).
extension SPFEvaluationRun {
    /// Expands a domain-spec; nil means the current domain. Longer than 253 characters, labels are
    /// removed from the left until it fits (RFC 7208 §7.3).
    func expandDomain(_ spec: MacroString?, domain: String) throws -> String {
        guard let spec else { return domain }
        // Most domain-specs are plain names: nothing to expand.
        if spec.parts.count == 1, case .literal(let text) = spec.parts[0], text.utf8.count <= 253 { return text }
        var expanded = try expand(spec, domain: domain, explanation: false)
        while expanded.utf8.count > 253, let dot = expanded.firstIndex(of: ".") {
            expanded = String(expanded[expanded.index(after: dot)...])
        }
        return expanded
    }

    /// Expands every macro of `macro` for the current evaluation.
    func expand(_ macro: MacroString, domain: String, explanation: Bool) throws -> String {
        var result = ""
        for part in macro.parts {
            switch part {
            case .literal(let text):
                result += text
            case .macro(let item):
                if !explanation && ["i", "c", "p"].contains(item.letter) { addressDependent = true }
                result += item.transform(try value(of: item.letter, domain: domain))
            }
        }
        return result
    }

    private func value(of letter: Character, domain: String) throws -> String {
        switch letter {
        case "s": return sender
        case "l": return localPart
        case "o": return senderDomain
        case "d": return domain
        case "i": return ip.spfMacroForm
        case "p": return try validatedName(for: domain)
        case "v": return ip.isIPv4 ? "in-addr" : "ip6"
        case "h": return helo ?? senderDomain
        case "c": return ip.description
        case "r": return options.receivingDomain
        case "t": return String(options.timestamp ?? Int(Date().timeIntervalSince1970))
        default: return ""
        }
    }

    /// The `%{p}` value (RFC 7208 §7.3): the validated name equal to the domain, else one ending in
    /// it, else any validated name, else "unknown".
    private func validatedName(for domain: String) throws -> String {
        let names = try validatedNames(countVoid: false, depth: 0, domain: domain)
        let target = Self.normalized(domain)
        if names.contains(target) { return target }
        if let sub = names.first(where: { $0.hasSuffix("." + target) }) { return sub }
        return names.first ?? "unknown"
    }

    /// The explanation of a `fail` (RFC 7208 §6.2): the `exp=` TXT of the deciding record, expanded;
    /// the default explanation when there is none or it cannot be used. Never changes the result.
    func explanation(for decision: Decision) throws -> String {
        if let modifier = decision.record?.explanation, let text = try explanationText(modifier, domain: decision.domain) {
            return text
        }
        let fallback = (try? MacroString(parsing: options.defaultExplanation, explanation: true))
        guard let fallback else { return options.defaultExplanation }
        return try expand(fallback, domain: decision.domain, explanation: true)
    }

    private func explanationText(_ modifier: SPFModifier, domain: String) throws -> String? {
        let target = try expandDomain(modifier.value, domain: domain)
        guard Self.domainProblem(target) == nil else { return nil }
        let answer: DNSAnswer
        do {
            answer = try self.answer(Self.normalized(target), .txt)
        } catch is DNSLookupError {
            return nil
        }
        let texts = answer.records.compactMap { record -> [UInt8]? in
            if case .txt(let strings) = record { return strings.flatMap { $0 } }
            return nil
        }
        guard texts.count == 1, texts[0].allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        guard let macro = try? MacroString(parsing: String(decoding: texts[0], as: UTF8.self), explanation: true) else { return nil }
        return try expand(macro, domain: domain, explanation: true)
    }
}
