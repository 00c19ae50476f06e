import Synchronization

/// A ``DNSResolver`` over a ``DNSTransport`` that caches answers for their TTL and merges identical
/// queries in flight: forty institutions that include the same Ex Libris entry cost one lookup.
///
/// The cache holds at most ``capacity`` answers (second-chance eviction: an answer used since the
/// clock hand last passed stays), so that a run of 100,000 institutions, each asking names no other
/// asks, keeps memory flat while the names they share (the Ex Libris includes) stay cached.
///
/// A temporary error (no definite answer: timeout, SERVFAIL, REFUSED, malformed) is remembered for
/// the resolver's life, one scan (../shared/domain.md: a dead name server costs one timeout per run,
/// not one per relay range). When the task that sent a query is cancelled, the tasks waiting for
/// the same answer are not: one of them asks again.
public final class CachingDNSResolver: DNSResolver, DNSQueryStatistics {
    private struct Key: Hashable {
        var name: String
        var type: DNSRecordType
    }

    private enum Outcome {
        case response(DNSResponse)
        case failure(any Error)
        /// The query's owner was cancelled; ask again.
        case retry
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Outcome, Never>
    }

    private struct Entry {
        var response: DNSResponse
        var expires: ContinuousClock.Instant
        /// Used since the clock hand last passed.
        var referenced: Bool
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        /// Every key of `entries` once, in the order of the clock's face.
        var clockFace: [Key] = []
        var hand = 0
        /// Temporary errors, kept for the resolver's life.
        var failures: [Key: DNSLookupError] = [:]
        var answeredQueries = 0
        var inFlight: [Key: [Waiter]] = [:]
        var nextWaiterID: UInt64 = 0
        var transportQueries = 0
    }

    private let transport: any DNSTransport
    private let state = Mutex(State())
    /// The longest time an answer is kept, whatever its TTL.
    public let maximumTTL: Duration
    /// The most answers kept at once.
    public let capacity: Int
    /// The time, for expiry (a test moves its own clock instead of sleeping).
    private let now: @Sendable () -> ContinuousClock.Instant

    public init(transport: any DNSTransport, maximumTTL: Duration = .seconds(3600), capacity: Int = 1024,
                now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.transport = transport
        self.maximumTTL = maximumTTL
        self.capacity = max(1, capacity)
        self.now = now
    }

    /// How many queries reached the transport (the rest came from the cache or were merged).
    public var transportQueries: Int { state.withLock { $0.transportQueries } }

    /// How many queries sent got a definite answer (records, no data or NXDOMAIN).
    public var answeredQueries: Int { state.withLock { $0.answeredQueries } }

    public var queriesSent: Int { transportQueries }
    public var queriesAnswered: Int { answeredQueries }

    /// How many answers the cache holds.
    public var cachedAnswers: Int { state.withLock { $0.entries.count } }

    /// The names (with type) that got no definite answer, each once, sorted.
    public var temporaryFailures: [DNSLookupError] {
        state.withLock { state in state.failures.values.sorted { ($0.name, $0.type.rawValue) < ($1.name, $1.type.rawValue) } }
    }

    public func resolve(_ name: String, type: DNSRecordType) async throws -> DNSAnswer {
        let key = Key(name: DomainName.normalized(name), type: type)
        while true {
            try Task.checkCancellation()
            enum Role {
                case cached(DNSAnswer)
                case failed(DNSLookupError)
                case owner
                case waiter(UInt64)
            }
            let role: Role = state.withLock { state in
                if let failure = state.failures[key] { return .failed(failure) }
                // An expired answer stays in its place on the clock's face until the new one replaces it.
                if let entry = state.entries[key], entry.expires > now() {
                    state.entries[key]!.referenced = true
                    return .cached(entry.response.answer)
                }
                if state.inFlight[key] != nil {
                    state.nextWaiterID += 1
                    return .waiter(state.nextWaiterID)
                }
                state.inFlight[key] = []
                state.transportQueries += 1
                return .owner
            }
            switch role {
            case .cached(let answer):
                return answer
            case .failed(let error):
                throw error
            case .owner:
                return try await ask(key)
            case .waiter(let id):
                switch await wait(for: key, id: id) {
                case .response(let response): return response.answer
                case .failure(let error): throw error
                case .retry: continue
                }
            }
        }
    }

    /// The cached answer while it is fresh; nil when a query is needed.
    public func answerAtHand(_ name: String, type: DNSRecordType) throws -> DNSAnswer? {
        let key = Key(name: DomainName.normalized(name), type: type)
        let (answer, failure) = state.withLock { state -> (DNSAnswer?, DNSLookupError?) in
            if let failure = state.failures[key] { return (nil, failure) }
            guard let entry = state.entries[key], entry.expires > now() else { return (nil, nil) }
            state.entries[key]!.referenced = true
            return (entry.response.answer, nil)
        }
        if let failure { throw failure }
        return answer
    }

    private func ask(_ key: Key) async throws -> DNSAnswer {
        do {
            let response = try await transport.exchange(key.name, type: key.type)
            let lifetime = min(Duration.seconds(Int64(response.ttl)), maximumTTL)
            let waiters = state.withLock { state in
                state.answeredQueries += 1
                if response.ttl > 0 { keep(response, expires: now() + lifetime, for: key, in: &state) }
                return state.inFlight.removeValue(forKey: key) ?? []
            }
            for waiter in waiters { waiter.continuation.resume(returning: .response(response)) }
            return response.answer
        } catch {
            let waiters = state.withLock { state in
                if let failure = error as? DNSLookupError { state.failures[key] = failure }
                return state.inFlight.removeValue(forKey: key) ?? []
            }
            let outcome: Outcome = error is CancellationError ? .retry : .failure(error)
            for waiter in waiters { waiter.continuation.resume(returning: outcome) }
            throw error
        }
    }

    /// Stores an answer; when the cache is full, the clock hand passes the answers used since its
    /// last turn (clearing their mark) and replaces the first one that was not.
    private func keep(_ response: DNSResponse, expires: ContinuousClock.Instant, for key: Key, in state: inout State) {
        if state.entries[key] != nil {
            state.entries[key] = Entry(response: response, expires: expires, referenced: true)
            return
        }
        if state.clockFace.count < capacity {
            state.clockFace.append(key)
        } else {
            while true {
                let victim = state.clockFace[state.hand]
                if state.entries[victim]?.referenced == true {
                    state.entries[victim]!.referenced = false
                    state.hand = (state.hand + 1) % capacity
                    continue
                }
                state.entries[victim] = nil
                state.clockFace[state.hand] = key
                state.hand = (state.hand + 1) % capacity
                break
            }
        }
        state.entries[key] = Entry(response: response, expires: expires, referenced: false)
    }

    private func wait(for key: Key, id: UInt64) async -> Outcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let registered = state.withLock { state -> Bool in
                    guard state.inFlight[key] != nil else { return false }
                    state.inFlight[key]!.append(Waiter(id: id, continuation: continuation))
                    return true
                }
                // The owner finished between our check and now: look again.
                if !registered { continuation.resume(returning: .retry) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.inFlight[key]?.firstIndex(where: { $0.id == id }) else { return nil }
                return state.inFlight[key]!.remove(at: index)
            }
            waiter?.continuation.resume(returning: .failure(CancellationError()))
        }
    }
}
