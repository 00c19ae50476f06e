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
/// `@unchecked Sendable`: `pending`, `cancelled` and `stopping` are guarded by `lock`; the multi
/// handle and `active` are used only on the engine's thread.
public final class CurlEngine: @unchecked Sendable {
    private final class Job {
        let id: UInt64
        let transfer: CurlTransfer
        var continuation: CheckedContinuation<CURLcode, any Error>?

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
    private var disposals: [(handle: UnsafeMutableRawPointer, lists: [UnsafeMutablePointer<curl_slist>], errorBuffer: UnsafeMutablePointer<CChar>)] = []
    private var stopping = false
    private var nextID: UInt64 = 0
    private var active: [UnsafeMutableRawPointer: Job] = [:]
    private var thread: pthread_t?
    private let stopped = DispatchSemaphore(value: 0)

    init() throws {
        guard Self.globalInit == CURLE_OK else { throw CurlSetupError("curl_global_init failed") }
        guard let multi = curl_multi_init() else { throw CurlSetupError("curl_multi_init failed") }
        self.multi = multi
        let thread = Thread { [self] in runLoop() }
        thread.name = "notice-audit curl"
        thread.start()
    }

    /// The engine thread's id, once it runs (for tests that check transfers share it).
    var engineThread: UInt? { lock.withLock { thread.map { UInt($0) } } }

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
                let accepted = lock.withLock { () -> Bool in
                    guard !stopping else { return false }
                    pending.append(job)
                    return true
                }
                if accepted {
                    curl_multi_wakeup(multi)
                } else {
                    job.resume(with: .failure(CurlSetupError("the curl engine has shut down")))
                }
            }
        } onCancel: {
            lock.withLock { cancelled.append(id) }
            curl_multi_wakeup(multi)
        }
    }

    /// Hands an easy handle over for `curl_easy_cleanup` on the engine's thread.
    func dispose(handle: UnsafeMutableRawPointer, lists: [UnsafeMutablePointer<curl_slist>], errorBuffer: UnsafeMutablePointer<CChar>) {
        let stopped = lock.withLock { () -> Bool in
            if stopping { return true }
            disposals.append((handle, lists, errorBuffer))
            return false
        }
        if stopped {
            Self.cleanUp(handle: handle, lists: lists, errorBuffer: errorBuffer)
        } else {
            curl_multi_wakeup(multi)
        }
    }

    private static func cleanUp(handle: UnsafeMutableRawPointer, lists: [UnsafeMutablePointer<curl_slist>], errorBuffer: UnsafeMutablePointer<CChar>) {
        curl_easy_cleanup(handle)
        for list in lists { curl_slist_free_all(list) }
        errorBuffer.deallocate()
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
            let (newJobs, cancelledIDs, stop, disposed) = lock.withLock { () -> ([Job], [UInt64], Bool, [(handle: UnsafeMutableRawPointer, lists: [UnsafeMutablePointer<curl_slist>], errorBuffer: UnsafeMutablePointer<CChar>)]) in
                defer {
                    pending.removeAll(keepingCapacity: true)
                    cancelled.removeAll(keepingCapacity: true)
                    disposals.removeAll(keepingCapacity: true)
                }
                return (pending, cancelled, stopping, disposals)
            }
            for item in disposed { Self.cleanUp(handle: item.handle, lists: item.lists, errorBuffer: item.errorBuffer) }
            if stop {
                for job in newJobs { job.resume(with: .failure(CancellationError())) }
                break
            }
            for job in newJobs {
                active[job.transfer.handle] = job
                curl_multi_add_handle(multi, job.transfer.handle)
            }
            if !cancelledIDs.isEmpty {
                let ids = Set(cancelledIDs)
                for (handle, job) in active where ids.contains(job.id) {
                    curl_multi_remove_handle(multi, handle)
                    active[handle] = nil
                    job.resume(with: .failure(CancellationError()))
                }
            }
            curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
                let result = ccurl_message_result(message)
                active[handle]?.transfer.afterCompletion?(handle, result)
                curl_multi_remove_handle(multi, handle)
                if let job = active.removeValue(forKey: handle) { job.resume(with: .success(result)) }
            }
            var ready: Int32 = 0
            curl_multi_poll(multi, nil, 0, 1000, &ready)
        }
        for (handle, job) in active {
            curl_multi_remove_handle(multi, handle)
            job.resume(with: .failure(CancellationError()))
        }
        active.removeAll()
        curl_multi_cleanup(multi)
        stopped.signal()
    }
}
