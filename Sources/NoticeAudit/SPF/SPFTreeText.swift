/// An ``SPFTree`` in words: the whole walk for `spf --tree`, or the compact form a letter shows under
/// "Check it yourself". Record texts are as published: callers print them as untrusted text.
public enum SPFTreeText {
    /// Every record and term with its queries and running counts, then the totals.
    public static func full(_ tree: SPFTree) -> [String] {
        var lines: [String] = ["SPF tree of \(tree.domain), walked as a receiver checking \(tree.receiver.ip) would, past every match and limit:"]
        node(tree.tree, indent: 0, compact: false, into: &lines)
        lines.append(contentsOf: totals(tree))
        return lines
    }

    /// Each record, and only the terms that asked DNS, with the running count of lookups; then the
    /// limit passed, if one was.
    public static func compact(_ tree: SPFTree) -> [String] {
        var lines: [String] = []
        node(tree.tree, indent: 0, compact: true, into: &lines)
        lines.append("lookups: \(tree.lookups) of 10, void lookups: \(tree.voidLookups) of 2\(tree.limitPassedAt.map { "; the limit was passed at \($0.term) in \($0.domain)" } ?? "")")
        return lines
    }

    private static func node(_ node: SPFTree.Node, indent: Int, compact: Bool, into lines: inout [String]) {
        let pad = String(repeating: "  ", count: indent)
        // A node without record and with a problem says the problem in place of the record.
        let inline = node.record == nil && !node.problems.isEmpty
        lines.append("\(pad)\(node.name): \(node.record.map { "\"\($0)\"" } ?? (inline ? node.problems[0] : "(no SPF record)"))")
        for term in node.terms {
            if compact && term.queries.isEmpty && term.child == nil { continue }
            let counts = "lookups \(term.lookups), void \(term.voidLookups)"
            if compact {
                lines.append("\(pad)  \(term.term) (\(counts))")
            } else {
                let asked = term.queries.map(describe).joined(separator: "; ")
                let asksDNS = !term.queries.isEmpty || term.child != nil
                lines.append("\(pad)  \(term.term)\(asksDNS ? "  [\(counts)]\(asked.isEmpty ? "" : "  \(asked)")" : "")")
            }
            if let child = term.child { self.node(child, indent: indent + 2, compact: compact, into: &lines) }
        }
        for problem in node.problems.dropFirst(inline ? 1 : 0) { lines.append("\(pad)  ! \(problem)") }
    }

    private static func describe(_ query: SPFTree.Query) -> String {
        let answer = query.rcode != "NOERROR" ? query.rcode : query.answers.isEmpty ? "no data" : query.answers.count > 3
            ? query.answers.prefix(3).joined(separator: ", ") + " and \(query.answers.count - 3) more" : query.answers.joined(separator: ", ")
        return "\(query.type.rawValue) \(query.name): \(query.type == .txt && query.rcode == "NOERROR" ? "\(query.answers.count) TXT record\(query.answers.count == 1 ? "" : "s")" : answer)"
    }

    private static func totals(_ tree: SPFTree) -> [String] {
        var lines = ["DNS-querying terms: \(tree.lookups) (at most 10, RFC 7208 §4.6.4); void lookups: \(tree.voidLookups) (at most 2)."]
        if let passed = tree.limitPassedAt {
            let limit = passed.limit == "lookups" ? "10 DNS-querying terms" : "2 void lookups"
            lines.append("The limit of \(limit) was passed at \(passed.term) in \(passed.domain): a receiver stops there with permerror. The walk went on to show the whole tree.")
        }
        if let cut = tree.walkCut { lines.append("Not walked: \(cut).") }
        let receiver = tree.receiver
        lines.append("A receiver checking \(receiver.ip) gets \(receiver.result.rawValue) after \(receiver.lookups) DNS-querying term\(receiver.lookups == 1 ? "" : "s") and \(receiver.voidLookups) void lookup\(receiver.voidLookups == 1 ? "" : "s").")
        return lines
    }
}
