/// A ``DNSResolver`` that answers from records held in memory: the double for pure logic and the
/// RFC 7208 suite.
///
/// A name with no records but with records below it exists (an empty non-terminal) and answers
/// "no data"; a name with nothing at or below it answers NXDOMAIN. CNAME chains are followed up to
/// ``maximumCNAMEHops``.
public struct InMemoryZone: DNSResolver {
    /// How many CNAMEs a query follows before it gives up with a malformed-answer error.
    public static let maximumCNAMEHops = 8

    /// What is known at one name: its records, grouped by type when they are added so a query is
    /// one hash lookup and one array read, and an injected failure. Immutable: a change makes a new
    /// node, so copies of a zone never see each other's changes.
    private final class Node: Sendable {
        let records: [DNSRecord]
        /// The answer for each record type, by ``slot(of:)``; nil where there is no record of it.
        let answers: [DNSAnswer?]
        let cnameTarget: String?
        /// An injected failure, and the types still answered from the stored records.
        let failure: DNSLookupError.Kind?
        let exceptTypes: Set<DNSRecordType>

        init(records: [DNSRecord] = [], failure: DNSLookupError.Kind? = nil, exceptTypes: Set<DNSRecordType> = []) {
            self.records = records
            var byType = Array(repeating: [DNSRecord](), count: DNSRecordType.allCases.count)
            for record in records { byType[InMemoryZone.slot(of: record.type)].append(record) }
            answers = byType.map { $0.isEmpty ? nil : .records($0) }
            cnameTarget = records.lazy.compactMap { record -> String? in
                if case .cname(let target) = record { return target }
                return nil
            }.first
            self.failure = failure
            self.exceptTypes = exceptTypes
        }
    }

    /// The index of a record type in ``Node/answers``.
    private static func slot(of type: DNSRecordType) -> Int {
        switch type {
        case .a: 0
        case .aaaa: 1
        case .mx: 2
        case .txt: 3
        case .ptr: 4
        case .cname: 5
        }
    }

    /// Every name that exists: those with records or failures, and their parents (empty non-terminals).
    private var nodes: [String: Node] = [:]

    public init() {}

    /// Adds a record at `name`.
    public mutating func add(_ record: DNSRecord, at name: String) {
        add(Optional(record), at: DomainName.normalized(name))
    }

    /// Makes queries for `name` fail without a definite answer, except for the listed types,
    /// which are answered from the stored records (or "no data").
    public mutating func fail(_ name: String, with kind: DNSLookupError.Kind, exceptTypes: Set<DNSRecordType> = []) {
        let key = DomainName.normalized(name)
        add(nil, at: key)
        nodes[key] = Node(records: nodes[key]?.records ?? [], failure: kind, exceptTypes: exceptTypes)
    }

    /// Adds the record, if there is one, at `key`, and marks `key` and its parents as existing.
    private mutating func add(_ record: DNSRecord?, at key: String) {
        if let record {
            let node = nodes[key]
            nodes[key] = Node(records: (node?.records ?? []) + [record], failure: node?.failure, exceptTypes: node?.exceptTypes ?? [])
        }
        var labels = key.split(separator: ".", omittingEmptySubsequences: false)
        while !labels.isEmpty {
            let name = labels.joined(separator: ".")
            if nodes[name] == nil { nodes[name] = Node() }
            labels.removeFirst()
        }
    }

    /// A convenience for TXT records given as text strings.
    public mutating func addTXT(_ strings: [String], at name: String) {
        add(.txt(strings.map { Array($0.utf8) }), at: name)
    }

    /// The records stored at `name` of any type (no CNAME following).
    public func storedRecords(at name: String) -> [DNSRecord] {
        nodes[DomainName.normalized(name)]?.records ?? []
    }

    public func resolve(_ name: String, type: DNSRecordType) async throws -> DNSAnswer {
        try answer(name, type: type)
    }

    /// Every answer of a zone in memory is at hand.
    public func answerAtHand(_ name: String, type: DNSRecordType) throws -> DNSAnswer? {
        try answer(name, type: type)
    }

    private func answer(_ name: String, type: DNSRecordType) throws(DNSLookupError) -> DNSAnswer {
        var current = DomainName.normalized(name)
        for _ in 0...Self.maximumCNAMEHops {
            guard let node = nodes[current] else { return .nxdomain }
            if let failure = node.failure, !node.exceptTypes.contains(type) {
                throw DNSLookupError(failure, name: name, type: type)
            }
            if let answer = node.answers[Self.slot(of: type)] { return answer }
            if type != .cname, let target = node.cnameTarget {
                current = DomainName.normalized(target)
                continue
            }
            return .noData
        }
        throw DNSLookupError(.malformed, name: name, type: type, detail: "CNAME chain longer than \(Self.maximumCNAMEHops)")
    }
}
