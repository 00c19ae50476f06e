/// A ``DNSResolver`` that answers from records held in memory: the double for pure logic and the
/// RFC 7208 suite.
///
/// A name with no records but with records below it exists (an empty non-terminal) and answers
/// "no data"; a name with nothing at or below it answers NXDOMAIN. CNAME chains are followed up to
/// ``maximumCNAMEHops``.
public struct InMemoryZone: DNSResolver {
    /// How many CNAMEs a query follows before it gives up with a malformed-answer error.
    public static let maximumCNAMEHops = 8

    private var records: [String: [DNSRecord]] = [:]
    private var failures: [String: (kind: DNSLookupError.Kind, exceptTypes: Set<DNSRecordType>)] = [:]
    private var existingNames: Set<String> = []

    public init() {}

    /// The key a name is stored under: lower case, without a trailing dot.
    public static func key(_ name: String) -> String {
        var key = name.lowercased()
        if key.hasSuffix(".") { key.removeLast() }
        return key
    }

    /// Adds a record at `name`.
    public mutating func add(_ record: DNSRecord, at name: String) {
        add(Optional(record), at: Self.key(name))
    }

    /// Makes queries for `name` fail without a definite answer, except for the listed types,
    /// which are answered from the stored records (or "no data").
    public mutating func fail(_ name: String, with kind: DNSLookupError.Kind, exceptTypes: Set<DNSRecordType> = []) {
        let key = Self.key(name)
        failures[key] = (kind, exceptTypes)
        add(nil, at: key)
    }

    /// Marks `name` and its parents as existing without adding a record.
    private mutating func add(_ record: DNSRecord?, at key: String) {
        if let record { records[key, default: []].append(record) }
        var labels = key.split(separator: ".", omittingEmptySubsequences: false)
        while !labels.isEmpty {
            existingNames.insert(labels.joined(separator: "."))
            labels.removeFirst()
        }
    }

    /// A convenience for TXT records given as text strings.
    public mutating func addTXT(_ strings: [String], at name: String) {
        add(.txt(strings.map { Array($0.utf8) }), at: name)
    }

    /// The records stored at `name` of any type (no CNAME following).
    public func storedRecords(at name: String) -> [DNSRecord] {
        records[Self.key(name)] ?? []
    }

    public func resolve(_ name: String, type: DNSRecordType) async throws -> DNSAnswer {
        try Task.checkCancellation()
        var current = Self.key(name)
        for _ in 0...Self.maximumCNAMEHops {
            if let failure = failures[current], !failure.exceptTypes.contains(type) {
                throw DNSLookupError(failure.kind, name: name, type: type)
            }
            let stored = records[current] ?? []
            let matching = stored.filter { $0.type == type }
            if !matching.isEmpty { return .records(matching) }
            if type != .cname, case .cname(let target)? = stored.first(where: { $0.type == .cname }) {
                current = Self.key(target)
                continue
            }
            return existingNames.contains(current) ? .noData : .nxdomain
        }
        throw DNSLookupError(.malformed, name: name, type: type, detail: "CNAME chain longer than \(Self.maximumCNAMEHops)")
    }
}
