import Synchronization

/// Record selections shared by every evaluation of one ``SPFEvaluator``: a scan evaluates the same
/// few records for thousands of addresses, and parsing dominates otherwise.
///
/// A selection is a pure function of the TXT answer, so an entry is used only while the answer is
/// still equal to the one it was made from. Resolvers that answer from memory or from a cache return
/// the same array each time; it is found by the address of its storage without hashing (the entry
/// keeps the array alive, so the address cannot be reused while the entry exists) and compares
/// equal in O(1). Other answers are found by domain.
final class SPFRecordCache: Sendable {
    /// One selection and the answer it was made from; immutable, so sharing it costs one reference.
    final class Entry: Sendable {
        let answer: DNSAnswer
        let lookup: SPFRecordLookup
        /// The record when the selection found exactly one that parses: the common case, read
        /// without going through the enum.
        let record: SPFRecord?

        init(answer: DNSAnswer, lookup: SPFRecordLookup) {
            self.answer = answer
            self.lookup = lookup
            if case .record(let record) = lookup { self.record = record } else { record = nil }
        }
    }

    private struct State {
        /// Direct-mapped by the address of the answer's array storage.
        var recent: [Entry?]
        var byDomain: [String: Entry] = [:]
    }

    /// The cache of every evaluation and record walk of the process (issue 22: each check built its
    /// own, so the Ex Libris includes every institution names were parsed again for each of them).
    /// Its entries are checked against the answer they were made from, so sharing changes no result.
    static let shared = SPFRecordCache(capacity: 1024)

    private static let recentSlots = 64
    private let state: Mutex<State>
    private let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
        state = Mutex(State(recent: Array(repeating: nil, count: Self.recentSlots)))
    }

    /// What `domain` publishes as SPF in `answer` (RFC 7208 §4.5), selected and parsed on first use.
    func lookup(_ answer: DNSAnswer, at domain: String) -> Entry {
        guard case .records(let records) = answer else { return Entry(answer: answer, lookup: SPFRecordLookup(answer: answer)) }
        let slot = records.withUnsafeBufferPointer { Int(bitPattern: UInt(bitPattern: $0.baseAddress) >> 4) } & (Self.recentSlots - 1)
        let cached = state.withLock { state -> Entry? in
            if let entry = state.recent[slot], entry.answer == answer { return entry }
            if let entry = state.byDomain[domain], entry.answer == answer {
                state.recent[slot] = entry
                return entry
            }
            return nil
        }
        if let cached { return cached }
        let entry = Entry(answer: answer, lookup: SPFRecordLookup(answer: answer))
        state.withLock { state in
            if state.byDomain.count >= capacity { state.byDomain.removeAll(keepingCapacity: true) }
            state.byDomain[domain] = entry
            state.recent[slot] = entry
        }
        return entry
    }
}
