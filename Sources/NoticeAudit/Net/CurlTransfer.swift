import CCurl
import Foundation

/// One libcurl easy handle with what its callbacks collect. Configured by a client (HTTP or
/// SMTP), run by ``CurlEngine``, then read and released by the client.
///
/// While the engine runs it, only the engine's thread touches it; afterwards only the task that
/// awaited it does. `@unchecked Sendable` covers that hand-over.
final class CurlTransfer: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private(set) var body: [UInt8] = []
    private(set) var headerLines: [String] = []
    /// Bytes of body accepted before the transfer is aborted as too large.
    var bodyLimit: Int = .max
    private(set) var bodyTooLarge = false
    /// Called on the engine's thread for every libcurl debug record (CURLOPT_DEBUGFUNCTION).
    var debugHandler: (@Sendable (curl_infotype, [UInt8]) -> Void)?
    /// Called on the engine's thread once libcurl reports the transfer done, before the handle
    /// leaves the multi handle (the SMTP probe sends QUIT here).
    var afterCompletion: (@Sendable (UnsafeMutableRawPointer, CURLcode) -> Void)?
    /// The thread that ran the transfer's callbacks, to prove all transfers share one thread.
    private(set) var callbackThread: pthread_t?
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    /// The engine that runs it, and so cleans it up.
    let engine: CurlEngine
    /// Shut the connection down before `curl_easy_cleanup` rather than let libcurl end the
    /// protocol session (SMTP: QUIT, then a blocking wait for the reply).
    var closesConnectionOnCleanup = false

    init(engine: CurlEngine = .shared) throws {
        guard let handle = curl_easy_init() else { throw CurlSetupError("curl_easy_init failed") }
        self.handle = handle
        self.engine = engine
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let context = Unmanaged.passUnretained(self).toOpaque()
        set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        set(CURLOPT_NOSIGNAL, 1)
        _ = ccurl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.received(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        set(CURLOPT_WRITEDATA, pointer: context)
        _ = ccurl_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            transfer.headerLines.append(String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self))
            return size * count
        }
        set(CURLOPT_HEADERDATA, pointer: context)
    }

    deinit {
        // Cleanup can talk to the server (SMTP sends QUIT) and touches the multi handle's
        // connection cache, so it happens on the engine's thread, never here.
        engine.dispose(CurlEngine.Disposal(handle: handle, lists: lists, errorBuffer: errorBuffer, closeConnectionFirst: closesConnectionOnCleanup))
    }

    private func received(_ bytes: UnsafeRawBufferPointer) -> Int {
        if callbackThread == nil { callbackThread = pthread_self() }
        if body.count + bytes.count > bodyLimit {
            bodyTooLarge = true
            return 0
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    /// Turns on the debug stream; `debugHandler` receives it.
    func enableDebugStream() {
        set(CURLOPT_VERBOSE, 1)
        set(CURLOPT_DEBUGDATA, pointer: Unmanaged.passUnretained(self).toOpaque())
        _ = ccurl_easy_setopt_debug_callback(handle) { _, type, data, size, context in
            guard let context, let data else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            if transfer.callbackThread == nil { transfer.callbackThread = pthread_self() }
            transfer.debugHandler?(type, Array(UnsafeRawBufferPointer(start: data, count: size)))
            return 0
        }
    }

    func set(_ option: CURLoption, _ value: Int) {
        _ = ccurl_easy_setopt_long(handle, option, value)
    }

    func set(_ option: CURLoption, _ value: String) {
        _ = ccurl_easy_setopt_string(handle, option, value)
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) {
        _ = ccurl_easy_setopt_pointer(handle, option, pointer)
    }

    /// Sets a string-list option (headers, CURLOPT_RESOLVE); the list lives as long as the transfer.
    func set(_ option: CURLoption, list: [String]) {
        guard !list.isEmpty else { return }
        var head: UnsafeMutablePointer<curl_slist>?
        for item in list { head = curl_slist_append(head, item) }
        if let head {
            lists.append(head)
            _ = ccurl_easy_setopt_slist(handle, option, head)
        }
    }

    func info(_ key: CURLINFO) -> Int {
        var value = 0
        _ = ccurl_easy_getinfo_long(handle, key, &value)
        return value
    }

    func info(string key: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        _ = ccurl_easy_getinfo_string(handle, key, &value)
        return value.map { String(cString: $0) }
    }

    /// libcurl's own words for the last error, when it wrote any.
    var errorMessage: String { String(cString: errorBuffer) }
}

/// libcurl could not be set up.
public struct CurlSetupError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
