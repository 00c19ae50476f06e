import CCurl
import Foundation

/// Runs every libcurl transfer of the process (HTTP fetches and SMTP probes) on one thread over
/// one multi handle: no thread per request.
///
/// Callers hand a ``CurlTransfer`` to ``perform(_:)`` and await it; the engine's thread adds it to
/// the multi handle, drives `curl_multi_perform`/`curl_multi_poll`, and resumes the caller's
/// continuation exactly once: when libcurl reports the transfer done, or when the caller's task
/// is cancelled. `curl_multi_wakeup` interrupts the poll for new work.
///
/// Cancellation cannot be lost: a job's `cancelRequested` flag and the pending queue share `lock`,
/// so a cancellation before the submission stops it (the call ends at once with
/// `CancellationError`), and one after it finds the job pending or active on the engine's thread,
/// which removes the easy handle from the multi handle (closing its connection) before resuming.
///
/// `@unchecked Sendable`: `pending`, `cancelled`, `stopping`, `activeCount` and the jobs'
/// `cancelRequested` are guarded by `lock`; the multi handle and `active` are used only on the
/// engine's thread.
public final class CurlEngine: @unchecked Sendable {
    /// `@unchecked Sendable`: `cancelRequested` is guarded by the engine's lock, the continuation is
    /// set before submission and then used only on the engine's thread.
    private final class Job: @unchecked Sendable {
        let id: UInt64
        let transfer: CurlTransfer
        var continuation: CheckedContinuation<CURLcode, any Error>?
        /// The caller's task was cancelled. Guarded by the engine's `lock`.
        var cancelRequested = false

        init(id: UInt64, transfer: CurlTransfer) {
            self.id = id
            self.transfer = transfer
        }

        func resume(with result: Result<CURLcode, any Error>) {
            guard let continuation else { return }
            self.continuation = nil
            continuation.resume(with: result)
        }
    }

    /// The process-wide engine.
    public static let shared: CurlEngine = {
        do { return try CurlEngine() } catch { fatalError("libcurl could not start: \(error)") }
    }()

    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var pending: [Job] = []
    private var cancelled: [UInt64] = []
    /// Easy handles to clean up on the engine's thread, with what must outlive them.
    private var disposals: [Disposal] = []
    private var stopping = false
    private var nextID: UInt64 = 0
    private var active: [UnsafeMutableRawPointer: Job] = [:]
    /// `active.count`, readable from any thread (tests check that a cancelled transfer left).
    private var activeCount = 0
    private var thread: pthread_t?
    private let stopped = DispatchSemaphore(value: 0)
    private let hooks: CurlEngineHooks

    /// - Parameter hooks: observation points for tests; none in production.
    init(hooks: CurlEngineHooks = CurlEngineHooks()) throws {
        guard Self.globalInit == CURLE_OK else { throw CurlSetupError("curl_global_init failed") }
        guard let multi = curl_multi_init() else { throw CurlSetupError("curl_multi_init failed") }
        self.multi = multi
        self.hooks = hooks
        let thread = Thread { [self] in runLoop() }
        thread.name = "notice-audit curl"
        thread.start()
    }

    /// The engine thread's id, once it runs (for tests that check transfers share it).
    var engineThread: UInt? { lock.withLock { thread.map { UInt($0) } } }

    /// Transfers in the multi handle now.
    var activeTransfers: Int { lock.withLock { activeCount } }

    /// Runs `transfer` to completion and returns libcurl's result code.
    func perform(_ transfer: CurlTransfer) async throws -> CURLcode {
        let id = lock.withLock { () -> UInt64 in
            nextID += 1
            return nextID
        }
        let job = Job(id: id, transfer: transfer)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<CURLcode, any Error>) in
                job.continuation = continuation
                // Decided under the lock that also guards `cancelRequested`: a cancellation that
                // came first is seen here, one that comes later is seen by the engine's thread.
                let refusal: (any Error)? = lock.withLock {
                    if job.cancelRequested { return CancellationError() }
                    if stopping { return CurlSetupError("the curl engine has shut down") }
                    pending.append(job)
                    return nil
                }
                if let refusal {
                    job.resume(with: .failure(refusal))
                } else {
                    hooks.submitted?()
                    curl_multi_wakeup(multi)
                }
            }
        } onCancel: {
            lock.withLock {
                job.cancelRequested = true
                cancelled.append(id)
            }
            curl_multi_wakeup(multi)
            hooks.cancelRecorded?()
        }
    }

    /// An easy handle to clean up on the engine's thread, with what must outlive it.
    struct Disposal {
        var handle: UnsafeMutableRawPointer
        var lists: [UnsafeMutablePointer<curl_slist>]
        var errorBuffer: UnsafeMutablePointer<CChar>
        /// Shut the connection down before the cleanup (SMTP): libcurl's disconnect would send
        /// QUIT and wait for the reply, blocking every transfer of the engine on a silent server.
        var closeConnectionFirst: Bool
    }

    /// Hands an easy handle over for `curl_easy_cleanup` on the engine's thread.
    func dispose(_ disposal: Disposal) {
        let stopped = lock.withLock { () -> Bool in
            if stopping { return true }
            disposals.append(disposal)
            return false
        }
        if stopped {
            Self.cleanUp(disposal)
        } else {
            curl_multi_wakeup(multi)
        }
    }

    private static func cleanUp(_ disposal: Disposal) {
        if disposal.closeConnectionFirst {
            var socket = curl_socket_t(-1)
            if ccurl_easy_getinfo_socket(disposal.handle, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK, socket != -1 {
                _ = Glibc.shutdown(socket, Int32(SHUT_RDWR))
            }
        }
        curl_easy_cleanup(disposal.handle)
        for list in disposal.lists { curl_slist_free_all(list) }
        disposal.errorBuffer.deallocate()
    }

    /// Interrupts the engine thread's poll.
    func wake() {
        curl_multi_wakeup(multi)
    }

    /// Stops the engine; transfers still running end with CancellationError.
    func shutdown() {
        let already = lock.withLock { () -> Bool in
            defer { stopping = true }
            return stopping
        }
        guard !already else { return }
        curl_multi_wakeup(multi)
        stopped.wait()
    }

    private func runLoop() {
        lock.withLock { thread = pthread_self() }
        var running: Int32 = 0
        while true {
            hooks.beforeRound?()
            let (newJobs, cancelledIDs, stop, disposed) = lock.withLock { () -> ([Job], [UInt64], Bool, [Disposal]) in
                defer {
                    pending.removeAll(keepingCapacity: true)
                    cancelled.removeAll(keepingCapacity: true)
                    disposals.removeAll(keepingCapacity: true)
                }
                return (pending, cancelled, stopping, disposals)
            }
            for item in disposed { Self.cleanUp(item) }
            if stop {
                for job in newJobs { job.resume(with: .failure(CancellationError())) }
                break
            }
            let ids = Set(cancelledIDs)
            var added = false
            for job in newJobs {
                // Cancelled while it waited for this round: it never reaches libcurl.
                if ids.contains(job.id) {
                    job.resume(with: .failure(CancellationError()))
                    continue
                }
                active[job.transfer.handle] = job
                curl_multi_add_handle(multi, job.transfer.handle)
                added = true
            }
            if !ids.isEmpty {
                for (handle, job) in active where ids.contains(job.id) {
                    curl_multi_remove_handle(multi, handle)
                    active[handle] = nil
                    lock.withLock { activeCount = active.count }
                    job.resume(with: .failure(CancellationError()))
                }
            }
            lock.withLock { activeCount = active.count }
            if added { hooks.started?() }
            curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
                let result = ccurl_message_result(message)
                active[handle]?.transfer.afterCompletion?(handle, result)
                curl_multi_remove_handle(multi, handle)
                if let job = active.removeValue(forKey: handle) {
                    lock.withLock { activeCount = active.count }
                    job.resume(with: .success(result))
                    hooks.completed?()
                }
            }
            var ready: Int32 = 0
            curl_multi_poll(multi, nil, 0, 1000, &ready)
        }
        for (handle, job) in active {
            curl_multi_remove_handle(multi, handle)
            job.resume(with: .failure(CancellationError()))
        }
        active.removeAll()
        lock.withLock { activeCount = 0 }
        curl_multi_cleanup(multi)
        stopped.signal()
    }
}

/// Observation points of ``CurlEngine`` for tests that must order a cancellation exactly against
/// the engine's thread (no sleeps). Each runs synchronously where it is called and may block to
/// hold that thread.
struct CurlEngineHooks: Sendable {
    /// On the engine's thread, before it takes new jobs and cancellations.
    var beforeRound: (@Sendable () -> Void)?
    /// On the caller's thread, once a cancellation is queued for the engine's thread (for a task
    /// cancelled before it called, this comes before the submission).
    var cancelRecorded: (@Sendable () -> Void)?
    /// On the caller's thread, once a job is queued for the engine's thread.
    var submitted: (@Sendable () -> Void)?
    /// On the engine's thread, after new jobs were added to the multi handle.
    var started: (@Sendable () -> Void)?
    /// On the engine's thread, after a finished transfer's result was handed to its caller.
    var completed: (@Sendable () -> Void)?
}
