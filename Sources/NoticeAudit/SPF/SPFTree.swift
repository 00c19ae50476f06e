/// The whole SPF record tree of a domain as a receiver walks it (shared/interface.md `spf --tree`):
/// each record, its terms, the DNS queries each term made, and the running counts against the
/// limits of RFC 7208 §4.6.4. Made by the evaluator itself (``SPFEvaluator/tree(of:ip:sender:helo:)``),
/// which goes on past a match and past a limit so that every branch is seen.
public struct SPFTree: Sendable, Equatable, Codable {
    /// One record of the tree: the checked domain's, or one an include or redirect reached.
    public struct Node: Sendable, Equatable, Codable {
        /// The domain whose TXT records were read.
        public var name: String
        /// The SPF record as published, also when it does not parse; null when there is none or several.
        @NullWhenAbsent public var record: String? = nil
        /// What makes this record, or one of its terms, fail a receiver's check.
        public var problems: [String] = []
        /// The record's terms in order; the `redirect=` modifier last when it is followed.
        public var terms: [Term] = []

        public init(name: String) {
            self.name = name
        }
    }

    /// One term of a record and what evaluating it cost.
    public struct Term: Sendable, Equatable, Codable {
        public var term: String
        /// The DNS queries the term made, in order (an include's or redirect's TXT query included).
        public var queries: [Query] = []
        /// DNS-querying terms of the walk up to and including this one (RFC 7208 §4.6.4: at most 10).
        public var lookups: Int
        /// Void lookups of the walk up to and including this term (at most 2).
        public var voidLookups: Int
        /// The record an include or redirect reached; null for other terms.
        @NullWhenAbsent public var child: Node? = nil

        public init(term: String, lookups: Int, voidLookups: Int) {
            self.term = term
            self.lookups = lookups
            self.voidLookups = voidLookups
        }
    }

    /// One DNS query and its answer, as `dns check` prints them.
    public struct Query: Sendable, Equatable, Codable {
        public var name: String
        public var type: DNSRecordType
        /// `NOERROR`, `NXDOMAIN`, or the failure: `TIMEOUT`, `SERVFAIL`, `REFUSED`, `MALFORMED`, `NETWORK`, `ERROR`.
        public var rcode: String
        /// The records of the asked type, as text.
        public var answers: [String]
    }

    /// Where the walk passed a limit of RFC 7208 §4.6.4.
    public struct LimitPassed: Sendable, Equatable, Codable {
        /// `lookups` (more than 10 DNS-querying terms) or `void_lookups` (more than 2 lookups without data).
        public var limit: String
        public var term: String
        /// The domain whose record holds the term.
        public var domain: String
    }

    /// What a receiver checking `ip` concludes, read from the same walk: the counts where it stops.
    public struct Receiver: Sendable, Equatable, Codable {
        public var ip: String
        public var result: SPFResult
        public var lookups: Int
        public var voidLookups: Int
    }

    public var domain: String
    /// DNS-querying terms over the whole walk.
    public var lookups: Int
    /// Void lookups over the whole walk.
    public var voidLookups: Int
    /// The first term at which a limit was passed; null when none was. The walk goes on past it.
    @NullWhenAbsent public var limitPassedAt: LimitPassed? = nil
    /// Why the walk did not follow every branch (a loop, or the walk's own bound); null when it did.
    @NullWhenAbsent public var walkCut: String? = nil
    public var receiver: Receiver
    public var tree: Node

    /// The most DNS-querying terms a walk follows before it stops descending (a tree that large is
    /// broken many times over; the bound keeps a hostile zone from making the walk endless).
    public static let walkLookupBound = 100
}

extension SPFTree.Query {
    /// The query and its answer, or its failure.
    init(name: String, type: DNSRecordType, result: Result<DNSAnswer, DNSLookupError>) {
        self.name = name
        self.type = type
        switch result {
        case .success(let answer):
            rcode = answer == .nxdomain ? "NXDOMAIN" : "NOERROR"
            answers = answer.records.compactMap { $0.text(ifOf: type) }
        case .failure(let error):
            rcode = error.rcode
            answers = []
        }
    }
}
