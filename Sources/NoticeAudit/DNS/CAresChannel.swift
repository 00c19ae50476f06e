import CAres
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The c-ares channel and the one thread that owns it: the only code that touches c-ares.
///
/// c-ares 1.18 is not thread-safe, so every c-ares call happens on the owner thread, which runs a
/// `poll()` loop over the channel's sockets and a self-pipe that wakes it for new queries and
/// cancellations. Callers wait on checked continuations, each resumed exactly once on the owner
/// thread: by the c-ares callback, by the Swift-side deadline, or by cancellation, whichever comes
/// first; the c-ares callback of a query resumed early is ignored. The reply buffer is copied inside
/// the callback, where it is valid.
///
/// Cancellation cannot be lost: a query's `cancelRequested` flag and the submission queue share
/// `lock`, so a cancellation that comes before the submission stops the submission (the call ends
/// at once with `CancellationError`), one that comes after it finds the query waiting or in
/// flight on the owner thread. c-ares 1.18 cannot cancel one query of a channel (`ares_cancel`
/// ends them all), so a cancelled query in flight keeps its slot until c-ares answers or gives up
/// (at most the channel's timeout), when its context is released.
///
/// `@unchecked Sendable`: the submission queue and the queries' cancellation flags are guarded by
/// `lock`; everything else is touched only on the owner thread.
final class CAresChannel: DNSTransport, @unchecked Sendable {
    /// One query from submission to the end of its c-ares callback.
    /// `@unchecked Sendable`: `cancelRequested` is guarded by the channel's lock, the continuation is
    /// set before submission and then used only on the owner thread.
    final class Query: @unchecked Sendable {
        let id: UInt64
        let name: String
        let type: DNSRecordType
        let deadline: ContinuousClock.Instant
        let owner: CAresChannel
        /// Set before submission; afterwards read and cleared on the owner thread only.
        var continuation: CheckedContinuation<(status: Int32, reply: [UInt8]?), any Error>?
        /// The caller's task was cancelled. Guarded by the channel's `lock`.
        var cancelRequested = false

        init(id: UInt64, name: String, type: DNSRecordType, deadline: ContinuousClock.Instant, owner: CAresChannel) {
            self.id = id
            self.name = name
            self.type = type
            self.deadline = deadline
            self.owner = owner
        }

        /// Resumes the waiting task once; later calls do nothing.
        func resume(with result: Result<(status: Int32, reply: [UInt8]?), any Error>) {
            guard let continuation else { return }
            self.continuation = nil
            continuation.resume(with: result)
        }
    }

    private static let libraryInitialized: Bool = ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS

    let timeout: Duration
    let maximumInFlight: Int
    private let hooks: CAresChannelHooks

    // Guarded by `lock`.
    private let lock = NSLock()
    private var submissions: [Query] = []
    private var cancellations: [UInt64] = []
    private var stopping = false
    private var nextID: UInt64 = 0

    // Owner thread only.
    private var channel: ares_channel?
    private var waiting: [Query] = []
    private var started: [UInt64: Query] = [:]
    private var inFlight = 0

    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let stopped = DispatchSemaphore(value: 0)

    /// Creates the channel and starts its thread.
    ///
    /// - Parameters:
    ///   - servers: `HOST:PORT` entries for `ares_set_servers_ports_csv`; empty uses /etc/resolv.conf.
    ///   - timeout: the deadline of one query, retries included.
    ///   - hooks: observation points for tests; none in production.
    init(servers: [String], timeout: Duration, tries: Int = 2, maximumInFlight: Int = 64, hooks: CAresChannelHooks = CAresChannelHooks()) throws {
        guard Self.libraryInitialized else { throw DNSResolverSetupError("c-ares could not be initialized") }
        self.timeout = timeout
        self.maximumInFlight = maximumInFlight
        self.hooks = hooks
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw DNSResolverSetupError("cannot create the resolver's wake-up pipe: \(String(cString: strerror(errno)))") }
        wakeRead = pipeEnds[0]
        wakeWrite = pipeEnds[1]
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)

        // Each try waits twice as long as the one before (c-ares), so the first gets a share of the
        // deadline that lets every try finish within it.
        let milliseconds = Int(timeout.milliseconds)
        let share = (1 << tries) - 1
        var options = ares_options()
        // NOCHECKRESP: c-ares 1.18 would report SERVFAIL and REFUSED as "connection refused";
        // with it, the response reaches us and its RCODE is classified exactly.
        options.flags = ARES_FLAG_EDNS | ARES_FLAG_NOSEARCH | ARES_FLAG_NOCHECKRESP
        options.timeout = Int32(max(20, milliseconds / share))
        options.tries = Int32(tries)
        options.ednspsz = 1232
        options.socket_receive_buffer_size = 1 << 20
        let mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_RCVBUF
        var created: ares_channel?
        let status = ares_init_options(&created, &options, mask)
        guard status == ARES_SUCCESS, let created else {
            close(wakeRead); close(wakeWrite)
            throw DNSResolverSetupError("c-ares could not start: \(String(cString: ares_strerror(status)))")
        }
        if !servers.isEmpty {
            let result = ares_set_servers_ports_csv(created, servers.joined(separator: ","))
            guard result == ARES_SUCCESS else {
                ares_destroy(created)
                close(wakeRead); close(wakeWrite)
                throw DNSResolverSetupError("invalid DNS server list \(servers.joined(separator: ",")): \(String(cString: ares_strerror(result)))")
            }
        }
        channel = created
        let thread = Thread { [self] in runLoop() }
        thread.name = "notice-audit c-ares"
        thread.start()
    }

    /// Stops the thread and destroys the channel; queries still pending end with an error.
    func shutdown() {
        lock.lock()
        let alreadyStopping = stopping
        stopping = true
        lock.unlock()
        guard !alreadyStopping else { return }
        wake()
        stopped.wait()
    }

    /// Sends the query and, when the server answered with a CNAME it did not follow, follows it
    /// (at most ``DNSMessageParser/maximumCNAMEHops`` times).
    func exchange(_ name: String, type: DNSRecordType) async throws -> DNSResponse {
        let started = ContinuousClock.now
        do {
            let response = try await exchangeFollowingAliases(name, type: type)
            Self.log(name, type, outcome: response.answer.logDescription, since: started)
            return response
        } catch {
            Self.log(name, type, outcome: (error as? DNSLookupError).map { "\($0.kind)" } ?? (error is CancellationError ? "cancelled" : "error"), since: started)
            throw error
        }
    }

    /// Debug logs of every query sent (`--log-level debug`): a slow or hung scan explains itself.
    static let logger = Logger(label: "notice-audit.dns")

    private static func log(_ name: String, _ type: DNSRecordType, outcome: @autoclosure () -> String, since started: ContinuousClock.Instant) {
        guard logger.logLevel <= .debug else { return }
        logger.debug("dns query", metadata: [
            "dns.name": "\(name)", "dns.type": "\(type)", "dns.outcome": "\(outcome())", "dns.ms": "\((ContinuousClock.now - started).milliseconds)",
        ])
    }

    private func exchangeFollowingAliases(_ name: String, type: DNSRecordType) async throws -> DNSResponse {
        var response = try await exchangeOnce(name, type: type)
        var hops = 0
        while let alias = response.unresolvedAlias {
            hops += 1
            guard hops <= DNSMessageParser.maximumCNAMEHops else {
                throw DNSLookupError(.malformed, name: name, type: type, detail: "CNAME chain longer than \(DNSMessageParser.maximumCNAMEHops)")
            }
            let next = try await exchangeOnce(alias, type: type)
            response = DNSResponse(answer: next.answer, ttl: min(response.ttl, next.ttl), unresolvedAlias: next.unresolvedAlias)
        }
        return response
    }

    private func exchangeOnce(_ name: String, type: DNSRecordType) async throws -> DNSResponse {
        let (id, isStopping) = lock.withLock { () -> (UInt64, Bool) in
            nextID += 1
            return (nextID, stopping)
        }
        if isStopping { throw DNSLookupError(.other, name: name, type: type, detail: "the resolver has shut down") }
        let query = Query(id: id, name: name, type: type, deadline: .now + timeout, owner: self)
        let (status, reply) = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(status: Int32, reply: [UInt8]?), any Error>) in
                query.continuation = continuation
                // Decided under the lock that also guards `cancelRequested`: a cancellation that
                // came first is seen here, one that comes later is seen by the owner thread.
                let refusal: (any Error)? = lock.withLock {
                    if query.cancelRequested { return CancellationError() }
                    if stopping { return DNSLookupError(.other, name: name, type: type, detail: "the resolver has shut down") }
                    submissions.append(query)
                    return nil
                }
                if let refusal {
                    query.resume(with: .failure(refusal))
                } else {
                    hooks.submitted?(name)
                    wake()
                }
            }
        } onCancel: {
            lock.withLock {
                query.cancelRequested = true
                cancellations.append(id)
            }
            wake()
            hooks.cancelRecorded?()
        }
        return try Self.classify(status: status, reply: reply, name: name, type: type, timeout: timeout)
    }

    /// Turns a c-ares status and reply into an answer or an error. A timeout is said as the
    /// channel's own deadline says it: which of the two fires first must not change the words.
    static func classify(status: Int32, reply: [UInt8]?, name: String, type: DNSRecordType, timeout: Duration) throws -> DNSResponse {
        if let reply, !reply.isEmpty, [ARES_SUCCESS, ARES_ENODATA, ARES_ENOTFOUND, ARES_ESERVFAIL, ARES_EREFUSED, ARES_EFORMERR, ARES_ENOTIMP].contains(status) {
            return try DNSMessageParser.parse(reply, name: name, type: type)
        }
        switch status {
        case ARES_ENOTFOUND, ARES_EBADNAME:
            // A name that cannot be encoded cannot exist either.
            return DNSResponse(answer: .nxdomain, ttl: DNSMessageParser.defaultNegativeTTL)
        case ARES_ENODATA:
            return DNSResponse(answer: .noData, ttl: DNSMessageParser.defaultNegativeTTL)
        case ARES_ETIMEOUT:
            throw DNSLookupError(.timeout, name: name, type: type, detail: "no answer within \(timeout)")
        case ARES_ESERVFAIL:
            throw DNSLookupError(.serverFailure, name: name, type: type)
        case ARES_EREFUSED:
            throw DNSLookupError(.refused, name: name, type: type)
        case ARES_EBADRESP, ARES_EFORMERR:
            throw DNSLookupError(.malformed, name: name, type: type, detail: String(cString: ares_strerror(status)))
        case ARES_ECONNREFUSED:
            throw DNSLookupError(.network, name: name, type: type, detail: "connection refused")
        default:
            throw DNSLookupError(.other, name: name, type: type, detail: String(cString: ares_strerror(status)))
        }
    }

    /// Interrupts the owner thread's `poll()`.
    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    // MARK: Owner thread

    private func runLoop() {
        var socketBuffer = [ares_socket_t](repeating: -1, count: Int(ARES_GETSOCK_MAXNUM))
        var drain = [UInt8](repeating: 0, count: 256)
        while true {
            hooks.beforeRound?()
            lock.lock()
            let newQueries = submissions
            let cancelled = cancellations
            let stop = stopping
            submissions.removeAll(keepingCapacity: true)
            cancellations.removeAll(keepingCapacity: true)
            lock.unlock()
            if stop { break }

            waiting.append(contentsOf: newQueries)
            if !cancelled.isEmpty { cancel(Set(cancelled)) }
            startWaitingQueries()
            expireDeadlines()

            let bits = socketBuffer.withUnsafeMutableBufferPointer { ares_getsock(channel, $0.baseAddress, ARES_GETSOCK_MAXNUM) }
            var descriptors = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            for index in 0..<Int(ARES_GETSOCK_MAXNUM) {
                let readable = cares_getsock_readable(bits, Int32(index)) != 0
                let writable = cares_getsock_writable(bits, Int32(index)) != 0
                guard readable || writable else { continue }
                descriptors.append(pollfd(fd: socketBuffer[index], events: Int16((readable ? POLLIN : 0) | (writable ? POLLOUT : 0)), revents: 0))
            }
            let waitMilliseconds = nextWakeUp()
            _ = poll(&descriptors, nfds_t(descriptors.count), waitMilliseconds)
            if descriptors[0].revents != 0 {
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
            for descriptor in descriptors.dropFirst() where descriptor.revents != 0 {
                let readable = descriptor.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0
                let writable = descriptor.revents & Int16(POLLOUT) != 0
                ares_process_fd(channel, readable ? descriptor.fd : ARES_SOCKET_BAD, writable ? descriptor.fd : ARES_SOCKET_BAD)
            }
            // Lets c-ares retry or time out queries whose sockets stayed silent.
            ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD)
        }
        // ares_destroy ends every query still in c-ares with ARES_EDESTRUCTION through its callback.
        ares_destroy(channel)
        channel = nil
        for query in waiting { query.resume(with: .failure(DNSLookupError(.other, name: query.name, type: query.type, detail: "the resolver has shut down"))) }
        waiting.removeAll()
        close(wakeRead)
        close(wakeWrite)
        stopped.signal()
    }

    private func startWaitingQueries() {
        while inFlight < maximumInFlight, !waiting.isEmpty {
            let query = waiting.removeFirst()
            inFlight += 1
            started[query.id] = query
            let context = Unmanaged.passRetained(query).toOpaque()
            // c-ares reads a backslash as escaping the next character; a raw name's must be kept.
            let wireName = query.name.replacingASCII("\\", with: "\\\\")
            ares_query(channel, wireName, Int32(1), Int32(query.type.code), { context, status, _, reply, length in
                guard let context else { return }
                let query = Unmanaged<Query>.fromOpaque(context).takeRetainedValue()
                let copy = reply.map { Array(UnsafeBufferPointer(start: $0, count: Int(length))) }
                query.owner.finished(query, status: status, reply: copy)
            }, context)
            hooks.started?(query.name)
        }
    }

    /// Called by the c-ares callback, on the owner thread.
    private func finished(_ query: Query, status: Int32, reply: [UInt8]?) {
        inFlight -= 1
        started[query.id] = nil
        let detail = status == ARES_EDESTRUCTION ? "the resolver has shut down" : nil
        if let detail {
            query.resume(with: .failure(DNSLookupError(.other, name: query.name, type: query.type, detail: detail)))
        } else {
            query.resume(with: .success((status, reply)))
        }
        hooks.answered?(query.name)
    }

    private func cancel(_ ids: Set<UInt64>) {
        waiting.removeAll { query in
            guard ids.contains(query.id) else { return false }
            query.resume(with: .failure(CancellationError()))
            return true
        }
        for id in ids { started[id]?.resume(with: .failure(CancellationError())) }
    }

    private func expireDeadlines() {
        let now = ContinuousClock.now
        for query in started.values where query.deadline <= now {
            query.resume(with: .failure(DNSLookupError(.timeout, name: query.name, type: query.type, detail: "no answer within \(timeout)")))
        }
        waiting.removeAll { query in
            guard query.deadline <= now else { return false }
            query.resume(with: .failure(DNSLookupError(.timeout, name: query.name, type: query.type, detail: "not sent within \(timeout): too many queries in flight")))
            return true
        }
    }

    /// Milliseconds until c-ares or a deadline needs the loop again (at most one second).
    private func nextWakeUp() -> Int32 {
        var maximum = timeval(tv_sec: 1, tv_usec: 0)
        var buffer = timeval()
        var milliseconds = 1000
        if let next = ares_timeout(channel, &maximum, &buffer) {
            milliseconds = next.pointee.tv_sec * 1000 + next.pointee.tv_usec / 1000
        }
        let now = ContinuousClock.now
        for query in started.values where query.continuation != nil {
            let remaining = query.deadline - now
            milliseconds = min(milliseconds, Int(remaining.milliseconds) + 1)
        }
        if let first = waiting.first {
            let remaining = first.deadline - now
            milliseconds = min(milliseconds, Int(remaining.milliseconds) + 1)
        }
        return Int32(max(0, milliseconds))
    }
}

/// The resolver could not be set up: a message for the person running the command.
public struct DNSResolverSetupError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Observation points of ``CAresChannel`` for tests that must order a cancellation exactly against
/// the owner thread (no sleeps). Each runs synchronously where it is called and may block to hold
/// that thread.
struct CAresChannelHooks: Sendable {
    /// On the owner thread, before it takes new submissions and cancellations.
    var beforeRound: (@Sendable () -> Void)?
    /// On the caller's thread, once a cancellation is queued for the owner thread (for a task
    /// cancelled before it called, this comes before the submission).
    var cancelRecorded: (@Sendable () -> Void)?
    /// On the caller's thread, once a query is queued for the owner thread.
    var submitted: (@Sendable (String) -> Void)?
    /// On the owner thread, once `ares_query` has the query.
    var started: (@Sendable (String) -> Void)?
    /// On the owner thread, after a query's answer was handed to its caller.
    var answered: (@Sendable (String) -> Void)?
}
