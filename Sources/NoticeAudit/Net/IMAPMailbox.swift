import CCurl
import Foundation

/// Why the mailbox could not be read. Never holds the password.
public struct IMAPError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// An IMAP mailbox over TLS through libcurl (RFC 9051; `imaps://host[:port]/MAILBOX`): the
/// unseen messages' UIDs, one message at a time, then `\Seen` or a move. The password goes only
/// to libcurl: no debug stream is turned on, and no error message quotes it.
public struct IMAPMailbox: Sendable {
    public let url: URL
    public let user: String
    private let password: String
    public let timeout: Duration
    private let trustAnchorsFile: String?
    private let resolver: (any DNSResolver)?

    /// - Parameter url: `imaps://host[:port]/MAILBOX` (`imap://` is refused: the password would travel in clear).
    public init(url: String, user: String, password: String, timeout: Duration = NetworkTimeout.standard.mailboxSession, extraCAFile: String? = nil,
                resolver: (any DNSResolver)? = nil) throws {
        guard let parsed = URL(string: url), parsed.scheme?.lowercased() == "imaps", let host = parsed.host, !host.isEmpty else {
            throw IMAPError(description: "\(url) is not an imaps:// URL (imaps://host/INBOX); plain imap:// would send the password in clear")
        }
        self.url = parsed
        self.user = user
        self.password = password
        self.timeout = timeout
        self.trustAnchorsFile = try CurlHTTPClient.trustAnchorsFile(extraCAFile: extraCAFile)
        self.resolver = resolver
    }

    /// The mailbox URL without a trailing slash.
    private var mailbox: String {
        var text = url.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// The UIDs of the unseen messages, oldest first.
    public func unseen() async throws -> [Int] {
        let body = try await run(mailbox, command: "UID SEARCH UNSEEN")
        let text = String(decoding: body, as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).flatMap { line -> [Int] in
            guard line.hasPrefix("* SEARCH") else { return [] }
            return line.dropFirst("* SEARCH".count).split(separator: " ").compactMap { Int($0) }
        }.sorted()
    }

    /// The whole message with that UID (RFC 9051 §6.4.5 `BODY[]`, which also sets `\Seen`).
    public func message(uid: Int) async throws -> [UInt8] {
        try await run("\(mailbox)/;UID=\(uid)", command: nil)
    }

    /// Sets `\Seen` on the message.
    public func markSeen(uid: Int) async throws {
        _ = try await run(mailbox, command: "UID STORE \(uid) +FLAGS (\\Seen)")
    }

    /// Moves the message to `folder` (RFC 6851 MOVE).
    public func move(uid: Int, to folder: String) async throws {
        guard !folder.contains(where: { $0 == "\"" || $0 == "\\" || $0.isNewline }) else { throw IMAPError(description: "the folder name \(folder) is not allowed") }
        _ = try await run(mailbox, command: "UID MOVE \(uid) \"\(folder)\"")
    }

    private func run(_ target: String, command: String?) async throws -> [UInt8] {
        let transfer = try CurlTransfer()
        transfer.set(CURLOPT_URL, target)
        transfer.set(CURLOPT_USERNAME, user)
        transfer.set(CURLOPT_PASSWORD, password)
        transfer.set(CURLOPT_PROTOCOLS_STR, "imaps")
        transfer.set(CURLOPT_SSL_VERIFYPEER, 1)
        transfer.set(CURLOPT_SSL_VERIFYHOST, 2)
        transfer.set(CURLOPT_CONNECTTIMEOUT_MS, Int(timeout.milliseconds))
        transfer.set(CURLOPT_TIMEOUT_MS, Int(timeout.milliseconds) * 4)
        transfer.bodyLimit = Archive.maximumEntrySize
        if let trustAnchorsFile { transfer.set(CURLOPT_CAINFO, trustAnchorsFile) }
        if let command { transfer.set(CURLOPT_CUSTOMREQUEST, command) }
        let host = url.host ?? ""
        if let resolver, IPAddress(host) == nil {
            do {
                CurlHTTPClient.pin(transfer, host: host, port: url.port ?? 993, to: try await CurlHTTPClient.resolve(host, with: resolver))
            } catch {
                throw IMAPError(description: "\(host) could not be resolved: \(error)")
            }
        }
        let code = try await CurlEngine.shared.perform(transfer)
        guard code == CURLE_OK else {
            let detail = transfer.errorMessage.isEmpty ? String(cString: curl_easy_strerror(code)) : transfer.errorMessage
            let what = code == CURLE_LOGIN_DENIED ? "the server refused the login of \(user)" : detail
            throw IMAPError(description: "IMAP \(url.host ?? "")\(url.port.map { ":\($0)" } ?? ""): \(what)".replacingOccurrences(of: password, with: "***"))
        }
        return transfer.body
    }
}
