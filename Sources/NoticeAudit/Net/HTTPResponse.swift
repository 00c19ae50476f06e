/// What an HTTP fetch returned.
public struct HTTPResponse: Sendable {
    /// The final status code (after redirects); 304 when a conditional GET found nothing new.
    public var status: Int
    /// The URL the body came from, after redirects.
    public var url: String
    public var body: [UInt8]
    /// Response header fields of the final response, names lower-cased.
    public var headers: [String: String]
    /// The thread whose libcurl callbacks received the body (the engine's), for tests.
    var callbackThread: UInt?

    public var etag: String? { headers["etag"] }
    public var lastModified: String? { headers["last-modified"] }
    public var notModified: Bool { status == 304 }
}

/// Why a fetch failed, said so a person can act on it.
public enum HTTPFetchError: Error, Sendable, Equatable, CustomStringConvertible {
    case dns(host: String, detail: String)
    case connect(detail: String)
    case tls(detail: String)
    case timeout(detail: String)
    case tooManyRedirects(limit: Int)
    case bodyTooLarge(limit: Int)
    case httpStatus(Int, url: String)
    case invalidURL(String)
    case other(code: Int, detail: String)

    /// A short stable code for CSV files and history rows.
    public var shortCode: String {
        switch self {
        case .dns: "http_dns"
        case .connect: "http_connect"
        case .tls: "http_tls"
        case .timeout: "http_timeout"
        case .tooManyRedirects: "http_redirects"
        case .bodyTooLarge: "http_body_too_large"
        case .httpStatus(let code, _): "http_\(code)"
        case .invalidURL: "http_invalid_url"
        case .other: "http_error"
        }
    }

    public var description: String {
        switch self {
        case .dns(let host, let detail): "cannot resolve \(host): \(detail)"
        case .connect(let detail): "cannot connect: \(detail)"
        case .tls(let detail): "TLS failed: \(detail)"
        case .timeout(let detail): "timed out: \(detail)"
        case .tooManyRedirects(let limit): "more than \(limit) redirects"
        case .bodyTooLarge(let limit): "the body is larger than \(limit) bytes; the transfer was stopped"
        case .httpStatus(let code, let url): "HTTP status \(code) from \(url)"
        case .invalidURL(let url): "invalid URL \(url)"
        case .other(let code, let detail): "transfer failed (curl \(code)): \(detail)"
        }
    }
}
