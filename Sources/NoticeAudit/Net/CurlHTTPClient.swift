import CCurl
import Foundation

/// HTTP(S) GET over libcurl, on the shared ``CurlEngine`` thread. TLS verification is always on;
/// extra trust anchors are added to the system store; at most 5 redirects; a body cap; conditional
/// GET; proxies from the usual environment variables (libcurl reads `https_proxy`, `no_proxy`).
public struct CurlHTTPClient: Sendable {
    public var connectTimeout: Duration
    public var timeout: Duration
    public var maximumRedirects = 5
    public var bodyLimit = 5 * 1024 * 1024
    public var userAgent = "notice-audit/\(NoticeAuditVersion.current) (+libcurl)"
    /// When set, host names are resolved through it and the connection pinned to its addresses,
    /// so that `--dns-server` applies and DNS failures are reported as such.
    public var resolver: (any DNSResolver)?
    /// The proxy variables libcurl will follow (`https_proxy`, `no_proxy`, ...).
    public var proxies = ProxyEnvironment()
    /// A file holding the system bundle plus `--ca-file`, so that libcurl can cache the parsed store
    /// (CURLOPT_CA_CACHE_TIMEOUT) instead of parsing 140 certificates for every connection.
    private let trustAnchorsFile: String?
    let engine: CurlEngine

    /// The system's trust store, to which `--ca-file` adds.
    public static let systemBundlePaths = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"]

    /// - Parameters:
    ///   - extraCAFile: PEM certificates trusted on top of the system store.
    ///   - engine: the thread that runs the transfers (the process-wide one unless a test has its own).
    public init(timeout: Duration = NetworkTimeout.standard.step, connectTimeout: Duration = NetworkTimeout.standard.step, extraCAFile: String? = nil, resolver: (any DNSResolver)? = nil,
                engine: CurlEngine = .shared) throws {
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.resolver = resolver
        self.engine = engine
        self.trustAnchorsFile = try Self.trustAnchorsFile(extraCAFile: extraCAFile)
    }

    /// The combined bundle as a file in ``PrivateTrustAnchors``' directory (created for this
    /// process, mode 0700), never under a shared, predictable name another local user could
    /// create first.
    static func trustAnchorsFile(extraCAFile: String?) throws -> String? {
        guard let bundle = try trustAnchors(extraCAFile: extraCAFile) else { return nil }
        return try PrivateTrustAnchors.shared.file(for: bundle)
    }

    /// The system bundle followed by the extra PEM file; nil (libcurl's default) without one.
    static func trustAnchors(extraCAFile: String?) throws -> [UInt8]? {
        guard let extraCAFile else { return nil }
        guard let extra = FileManager.default.contents(atPath: extraCAFile) else {
            throw CurlSetupError("cannot read the CA file \(extraCAFile)")
        }
        var bundle: [UInt8] = []
        if let system = systemBundlePaths.lazy.compactMap({ FileManager.default.contents(atPath: $0) }).first {
            bundle += system
            bundle.append(UInt8(ascii: "\n"))
        }
        return bundle + extra
    }

    /// GETs `url`. With `etag` or `lastModified`, asks for the page only if it changed (RFC 9110
    /// §13.1); an unchanged page answers 304 with an empty body.
    public func get(_ url: String, etag: String? = nil, lastModified: String? = nil) async throws -> HTTPResponse {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme), let host = parsed.host else {
            throw HTTPFetchError.invalidURL(url)
        }
        let transfer = try CurlTransfer(engine: engine)
        transfer.set(CURLOPT_URL, url)
        transfer.set(CURLOPT_FOLLOWLOCATION, 1)
        transfer.set(CURLOPT_MAXREDIRS, maximumRedirects)
        transfer.set(CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout.milliseconds))
        transfer.set(CURLOPT_TIMEOUT_MS, Int(timeout.milliseconds))
        transfer.set(CURLOPT_USERAGENT, userAgent)
        transfer.set(CURLOPT_SSL_VERIFYPEER, 1)
        transfer.set(CURLOPT_SSL_VERIFYHOST, 2)
        transfer.set(CURLOPT_PROTOCOLS_STR, "http,https")
        transfer.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        transfer.set(CURLOPT_ACCEPT_ENCODING, "")
        transfer.bodyLimit = bodyLimit
        if let trustAnchorsFile { transfer.set(CURLOPT_CAINFO, trustAnchorsFile) }
        transfer.set(CURLOPT_CA_CACHE_TIMEOUT, 3600)
        var headers: [String] = []
        if let etag { headers.append("If-None-Match: \(etag)") }
        if let lastModified { headers.append("If-Modified-Since: \(lastModified)") }
        transfer.set(CURLOPT_HTTPHEADER, list: headers)
        try await pin(transfer, url: parsed, host: host, port: parsed.port ?? (scheme == "https" ? 443 : 80))

        let code = try await engine.perform(transfer)
        if code != CURLE_OK { throw error(for: code, transfer: transfer, host: host) }
        var fields: [String: String] = [:]
        for line in transfer.headerLines {
            if line.hasPrefix("HTTP/") { fields = [:]; continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let status = transfer.info(CURLINFO_RESPONSE_CODE)
        let effectiveURL = transfer.info(string: CURLINFO_EFFECTIVE_URL) ?? url
        guard status < 400 else { throw HTTPFetchError.httpStatus(status, url: effectiveURL) }
        return HTTPResponse(status: status, url: effectiveURL, body: transfer.body, headers: fields, callbackThread: transfer.callbackThread.map { UInt($0) })
    }

    /// POSTs `body` to `url` with the given content type; returns the response (status < 400).
    public func post(_ url: String, body: [UInt8], contentType: String) async throws -> HTTPResponse {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme), let host = parsed.host else {
            throw HTTPFetchError.invalidURL(url)
        }
        let transfer = try CurlTransfer(engine: engine)
        transfer.set(CURLOPT_URL, url)
        transfer.set(CURLOPT_POST, 1)
        transfer.set(CURLOPT_COPYPOSTFIELDS, String(decoding: body, as: UTF8.self))
        transfer.set(CURLOPT_HTTPHEADER, list: ["Content-Type: \(contentType)"])
        transfer.set(CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout.milliseconds))
        transfer.set(CURLOPT_TIMEOUT_MS, Int(timeout.milliseconds))
        transfer.set(CURLOPT_USERAGENT, userAgent)
        transfer.set(CURLOPT_PROTOCOLS_STR, "http,https")
        transfer.bodyLimit = bodyLimit
        if let trustAnchorsFile { transfer.set(CURLOPT_CAINFO, trustAnchorsFile) }
        try await pin(transfer, url: parsed, host: host, port: parsed.port ?? (scheme == "https" ? 443 : 80))
        let code = try await engine.perform(transfer)
        if code != CURLE_OK { throw error(for: code, transfer: transfer, host: host) }
        let status = transfer.info(CURLINFO_RESPONSE_CODE)
        guard status < 400 else { throw HTTPFetchError.httpStatus(status, url: url) }
        return HTTPResponse(status: status, url: url, body: transfer.body, headers: [:])
    }

    /// Resolves `host` through our resolver (when there is one) and pins the connection to those
    /// addresses, so that `--dns-server` applies and a DNS failure is reported as one. Not when the
    /// environment sends the URL through a proxy: the proxy resolves the name then.
    private func pin(_ transfer: CurlTransfer, url: URL, host: String, port: Int) async throws {
        guard let resolver, IPAddress(host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))) == nil else { return }
        guard proxies.proxy(for: url) == nil else { return }
        Self.pin(transfer, host: host, port: port, to: try await Self.resolve(host, with: resolver))
    }

    /// Sets CURLOPT_RESOLVE so that `host:port` connects to `addresses` while TLS still checks `host`.
    static func pin(_ transfer: CurlTransfer, host: String, port: Int, to addresses: [IPAddress]) {
        guard !addresses.isEmpty else { return }
        transfer.set(CURLOPT_RESOLVE, list: ["\(host):\(port):\(addresses.map { $0.isIPv4 ? $0.description : "[\($0)]" }.joined(separator: ","))"])
    }

    /// The addresses of `host` through our resolver; a fetch error when there is none.
    static func resolve(_ host: String, with resolver: any DNSResolver) async throws -> [IPAddress] {
        let addresses: [IPAddress]
        do {
            addresses = try await resolver.addresses(of: host)
        } catch let error as DNSLookupError {
            throw HTTPFetchError.dns(host: host, detail: error.description)
        }
        if addresses.isEmpty { throw HTTPFetchError.dns(host: host, detail: "no A or AAAA record") }
        return addresses
    }

    private func error(for code: CURLcode, transfer: CurlTransfer, host: String) -> HTTPFetchError {
        let detail = transfer.errorMessage.isEmpty ? String(cString: curl_easy_strerror(code)) : transfer.errorMessage
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .dns(host: host, detail: detail)
        case CURLE_COULDNT_CONNECT: return .connect(detail: detail)
        case CURLE_OPERATION_TIMEDOUT: return .timeout(detail: detail)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            return .tls(detail: detail)
        case CURLE_TOO_MANY_REDIRECTS: return .tooManyRedirects(limit: maximumRedirects)
        case CURLE_WRITE_ERROR where transfer.bodyTooLarge, CURLE_FILESIZE_EXCEEDED: return .bodyTooLarge(limit: bodyLimit)
        default: return .other(code: Int(code.rawValue), detail: detail)
        }
    }
}
