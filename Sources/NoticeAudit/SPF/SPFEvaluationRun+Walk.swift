extension SPFEvaluationRun {
    /// ``evaluateRecord(of:depth:)`` for a run that walks the whole tree: every term of the record
    /// is evaluated, also after the one that decides (a receiver would stop there) and after one
    /// that ends the evaluation with an error (written down, then the next term). The decision
    /// returned is a receiver's: the first term that matched, as RFC 7208 §4.6.2 reads.
    func walkRecord(of domain: String, depth: Int, walk: SPFTreeRecorder) throws -> Decision {
        let leadsBack = walk.isOpen(domain)
        walk.openRecord(domain)
        defer { walk.closeRecord() }
        let receiverWasPastDecision = walk.pastDecision
        defer { walk.pastDecision = receiverWasPastDecision }
        // A receiver follows a loop until a limit stops it; the walk follows it as long as the
        // receiver does, and stops a walk that has grown past any real tree.
        if leadsBack && !walk.receiverGoesOn {
            walk.cut(domain, because: "it leads back to \(domain), a record already being evaluated (a loop)")
            return Decision(result: .neutral, term: nil, domain: domain)
        }
        if dnsLookups >= SPFTree.walkLookupBound {
            walk.cut(domain, because: "the walk has already counted \(dnsLookups) DNS-querying terms")
            return Decision(result: .neutral, term: nil, domain: domain)
        }
        let record: SPFRecord
        do {
            let selection = recordCache.lookup(try query(domain, .txt), at: domain)
            switch selection.lookup {
            case .record(let parsed): record = parsed
            case .invalid(let text, _): walk.setRecord(text); return try decisionWithoutRecord(selection.lookup, domain: domain, depth: depth)
            case .none(nxdomain: true): walk.problem("no such domain (NXDOMAIN)"); return try decisionWithoutRecord(selection.lookup, domain: domain, depth: depth)
            default: return try decisionWithoutRecord(selection.lookup, domain: domain, depth: depth)
            }
        } catch let abort as SPFAbort {
            walk.problem(abort.message)
            throw abort
        }
        walk.setRecord(record.text)
        trace.append(SPFTraceEntry(depth: depth, domain: domain, kind: .record(record.text)))

        var decision: Decision?
        for directive in record.directives {
            walk.openTerm(directive.text, lookups: dnsLookups, voidLookups: voidLookups)
            do {
                if try matches(directive, domain: domain, depth: depth), decision == nil {
                    decision = Decision(result: directive.qualifier.result, term: directive.text, domain: domain, record: record)
                    walk.pastDecision = true
                }
            } catch let abort as SPFAbort {
                walk.aborted(abort.result, abort.message, term: directive.text)
            }
            walk.closeTerm()
        }
        // RFC 7208 §6.1: a receiver follows the redirect when nothing matched and there is no "all".
        if let redirect = record.redirect, !record.hasAll {
            walk.openTerm(redirect.text, lookups: dnsLookups, voidLookups: voidLookups)
            do {
                try countLookup(redirect.text, depth: depth, domain: domain)
                let (target, problem) = try targetName(redirect.value, domain: domain)
                if let problem {
                    throw SPFAbort.permerror("\(redirect.text) names an invalid domain \"\(target)\": \(problem) (RFC 7208 §6.1)")
                }
                let reached = try evaluateRecord(of: target, depth: depth + 1)
                if reached.result == .none {
                    throw SPFAbort.permerror("\(redirect.text): \(target) has no SPF record (RFC 7208 §6.1)")
                }
                if decision == nil {
                    decision = reached.term == nil ? Decision(result: reached.result, term: redirect.text, domain: domain, record: reached.record) : reached
                }
            } catch let abort as SPFAbort {
                walk.aborted(abort.result, abort.message, term: redirect.text)
            }
            walk.closeTerm()
        }
        return decision ?? Decision(result: .neutral, term: nil, domain: domain)
    }
}

extension SPFAbort {
    /// The result the abort gives.
    var result: SPFResult {
        switch self {
        case .permerror: .permerror
        case .temperror: .temperror
        }
    }

    var message: String {
        switch self {
        case .permerror(let message), .temperror(let message): message
        }
    }
}
