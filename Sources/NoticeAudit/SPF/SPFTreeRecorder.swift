/// Writes down an ``SPFEvaluationRun`` that walks the whole tree (``SPFEvaluator/tree(of:ip:sender:helo:)``):
/// the records and terms as they are evaluated, the queries each term makes, and where a receiver
/// checking the run's address would have stopped. Lives inside one run, never shared.
final class SPFTreeRecorder {
    let maximumDNSLookups: Int
    let maximumVoidLookups: Int

    /// The records being evaluated, outermost first, each with the term being evaluated in it.
    private var open: [(node: SPFTree.Node, term: SPFTree.Term?)] = []
    private(set) var root: SPFTree.Node?
    private(set) var limitPassedAt: SPFTree.LimitPassed?
    private(set) var walkCut: String?

    /// True after a record's deciding term, for the rest of that record: a receiver evaluates no
    /// further term of it (RFC 7208 §4.6.2). Scoped to the record by ``SPFEvaluationRun``.
    var pastDecision = false
    /// The counts of a receiver checking the same address: terms after a decision are not theirs.
    private(set) var receiverLookups = 0
    private(set) var receiverVoidLookups = 0
    /// Where the receiver stopped with an error (a limit passed, an include without record, a DNS
    /// failure); nil while it goes on.
    private(set) var receiverStop: (result: SPFResult, lookups: Int, voidLookups: Int)?

    init(options: SPFCheckOptions) {
        maximumDNSLookups = options.maximumDNSLookups
        maximumVoidLookups = options.maximumVoidLookups
    }

    /// Whether a receiver would still be evaluating at this point of the walk.
    var receiverGoesOn: Bool { !pastDecision && receiverStop == nil }

    /// Whether `name` is a record being evaluated (an include or redirect leading back to it).
    func isOpen(_ name: String) -> Bool { open.contains { $0.node.name == name } }

    // MARK: Structure

    func openRecord(_ name: String) {
        open.append((SPFTree.Node(name: name), nil))
    }

    func setRecord(_ text: String) {
        open[open.count - 1].node.record = text
    }

    /// A problem of the record being evaluated, once.
    func problem(_ text: String) {
        guard !open.isEmpty, !open[open.count - 1].node.problems.contains(text) else { return }
        open[open.count - 1].node.problems.append(text)
    }

    func closeRecord() {
        let node = open.removeLast().node
        if open.isEmpty {
            root = node
        } else {
            open[open.count - 1].term?.child = node
        }
    }

    func openTerm(_ term: String, lookups: Int, voidLookups: Int) {
        open[open.count - 1].term = SPFTree.Term(term: term, lookups: lookups, voidLookups: voidLookups)
    }

    func closeTerm() {
        guard let term = open[open.count - 1].term else { return }
        open[open.count - 1].node.terms.append(term)
        open[open.count - 1].term = nil
    }

    /// A query of the innermost term being evaluated: a record's TXT query belongs to the include
    /// or redirect that reached it; the checked domain's own belongs to no term.
    func asked(_ name: String, _ type: DNSRecordType, _ result: Result<DNSAnswer, DNSLookupError>) {
        guard let index = open.lastIndex(where: { $0.term != nil }) else { return }
        open[index].term?.queries.append(SPFTree.Query(name: name, type: type, result: result))
    }

    /// The walk does not descend into `name`: why, said once for the whole tree and in its record.
    func cut(_ name: String, because reason: String) {
        problem("not followed: \(reason)")
        if walkCut == nil { walkCut = "\(name) was not followed: \(reason)" }
    }

    // MARK: Counts (RFC 7208 §4.6.4)

    /// One more DNS-querying term; `total` is the walk's count with it.
    func countedLookup(_ term: String, in domain: String, total: Int, voidTotal: Int) {
        updateTermCounts(total, voidTotal)
        if receiverGoesOn {
            receiverLookups += 1
            if receiverLookups > maximumDNSLookups { receiverStopped(.permerror) }
        }
        if total > maximumDNSLookups && limitPassedAt == nil {
            limitPassedAt = SPFTree.LimitPassed(limit: "lookups", term: term, domain: domain)
            problem("\(term): more than \(maximumDNSLookups) DNS-querying terms (RFC 7208 §4.6.4); a receiver stops here with permerror, the walk goes on to show the whole tree")
        }
    }

    /// One more void lookup; `total` is the walk's count with it.
    func countedVoid(_ name: String, in domain: String, lookups: Int, total: Int) {
        let term = open.last?.term?.term
        updateTermCounts(lookups, total)
        if receiverGoesOn {
            receiverVoidLookups += 1
            if receiverVoidLookups > maximumVoidLookups { receiverStopped(.permerror) }
        }
        if total > maximumVoidLookups && limitPassedAt == nil {
            limitPassedAt = SPFTree.LimitPassed(limit: "void_lookups", term: term ?? name, domain: domain)
            problem("\(name): more than \(maximumVoidLookups) lookups returned no data (RFC 7208 §4.6.4); a receiver stops here with permerror, the walk goes on to show the whole tree")
        }
    }

    private func updateTermCounts(_ lookups: Int, _ voidLookups: Int) {
        guard !open.isEmpty, open[open.count - 1].term != nil else { return }
        open[open.count - 1].term?.lookups = lookups
        open[open.count - 1].term?.voidLookups = voidLookups
    }

    /// A term ended the evaluation with an error (`SPFAbort`): a receiver would stop there.
    func aborted(_ result: SPFResult, _ message: String, term: String) {
        problem(message.hasPrefix(term) ? message : "\(term): \(message)")
        if receiverGoesOn { receiverStopped(result) }
    }

    private func receiverStopped(_ result: SPFResult) {
        receiverStop = (result, receiverLookups, receiverVoidLookups)
    }

    /// The tree of the walk that ended with `outcome` at the checked domain.
    func tree(domain: String, ip: IPAddress, outcome: SPFOutcome, lookups: Int, voidLookups: Int) -> SPFTree {
        var node = root ?? SPFTree.Node(name: domain)
        if root == nil, let problem = outcome.problem { node.problems.append(problem) }
        let stop = receiverStop ?? (outcome.result, receiverLookups, receiverVoidLookups)
        return SPFTree(
            domain: domain, lookups: lookups, voidLookups: voidLookups, limitPassedAt: limitPassedAt, walkCut: walkCut,
            receiver: SPFTree.Receiver(ip: ip.description, result: stop.result, lookups: stop.lookups, voidLookups: stop.voidLookups),
            tree: node)
    }
}
