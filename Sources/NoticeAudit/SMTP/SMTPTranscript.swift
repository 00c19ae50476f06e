import CCurl

/// The SMTP dialogue read from libcurl's debug stream: the server's lines, ours (with every AUTH
/// exchange redacted before it is stored), and libcurl's informational text (TLS version, cipher).
struct SMTPTranscript {
    enum Line: Equatable {
        case server(String)
        case client(String)
        case info(String)
    }

    private(set) var lines: [Line] = []
    private var authInProgress = false

    static let redacted = "[redacted]"

    mutating func record(_ type: curl_infotype, _ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" }).map(String.init)
        switch type {
        case CURLINFO_HEADER_IN:
            for part in parts {
                // A 334 continues an AUTH exchange; anything else ends it.
                if authInProgress && !part.hasPrefix("334") { authInProgress = false }
                lines.append(.server(part))
            }
        case CURLINFO_HEADER_OUT:
            for part in parts {
                if part.uppercased().hasPrefix("AUTH ") {
                    authInProgress = true
                    let mechanism = part.split(separator: " ").dropFirst().first.map(String.init) ?? ""
                    lines.append(.client("AUTH \(mechanism) \(Self.redacted)"))
                } else if authInProgress {
                    lines.append(.client(Self.redacted))
                } else {
                    lines.append(.client(part))
                }
            }
        case CURLINFO_TEXT:
            lines.append(contentsOf: parts.map(Line.info))
        default:
            // Payload bytes (DATA_*, SSL_DATA_*) are never kept: they can carry credentials.
            break
        }
    }

    /// The code of every complete server reply, in order: the last line of a multi-line reply
    /// ("250 OK" after "250-…") carries it (RFC 5321 §4.2.1).
    /// True when an AUTH command was sent (RFC 4954 §4).
    var sentAuth: Bool {
        lines.contains { if case .client(let text) = $0 { text.uppercased().hasPrefix("AUTH ") } else { false } }
    }

    var replyCodes: [Int] {
        lines.compactMap { line -> Int? in
            guard case .server(let text) = line, text.count >= 3, let code = Int(text.prefix(3)), (200...599).contains(code) else { return nil }
            return text.count == 3 || text.dropFirst(3).first == " " ? code : nil
        }
    }

    /// The greeting: the first server reply, every line of it when it is a multi-line reply
    /// (`554-…` lines up to the `554 …` line, RFC 5321 §4.2.1), joined by line feeds; at most
    /// ``bannerLines`` lines.
    var banner: String? {
        let server = lines.lazy.compactMap { if case .server(let line) = $0 { line } else { nil } }
        guard let first = server.first else { return nil }
        func continues(_ line: String) -> Bool { line.count > 3 && line.prefix(3).allSatisfy(\.isNumber) && line.dropFirst(3).first == "-" }
        var greeting = [first]
        for line in server.dropFirst().prefix(Self.bannerLines - 1) {
            guard continues(greeting.last!), line.prefix(3) == first.prefix(3) else { break }
            greeting.append(line)
        }
        return greeting.joined(separator: "\n")
    }

    /// Lines of a greeting kept in ``banner``.
    static let bannerLines = 10

    /// EHLO keywords (e.g. `STARTTLS`, `AUTH PLAIN LOGIN`) of each EHLO answer, in order. The
    /// first line of an answer is the server's greeting, not a keyword (RFC 5321 §4.1.1.1).
    var ehloAnswers: [[String]] {
        var answers: [[String]] = []
        var collecting = false, greeting = false
        for line in lines {
            switch line {
            case .client(let command):
                collecting = command.uppercased().hasPrefix("EHLO")
                greeting = collecting
                if collecting { answers.append([]) }
            case .server(let reply) where collecting:
                guard reply.count >= 3, reply.hasPrefix("250") else { continue }
                if greeting {
                    greeting = false
                } else {
                    answers[answers.count - 1].append(String(reply.dropFirst(4)).trimmingCharacters(in: .whitespaces))
                }
                if reply.count == 3 || reply.dropFirst(3).first == " " { collecting = false }
            default:
                break
            }
        }
        return answers
    }

    /// `TLSv1.3` and `TLS_AES_256_GCM_SHA384` from "SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384".
    var tlsVersionAndCipher: (String, String)? {
        for case .info(let text) in lines {
            guard let range = text.range(of: "SSL connection using ") else { continue }
            let parts = text[range.upperBound...].split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count >= 2 { return (parts[0], parts[1]) }
        }
        return nil
    }

    var rendered: [String] {
        lines.map { line in
            switch line {
            case .server(let text): "S: \(text)"
            case .client(let text): "C: \(text)"
            case .info(let text): "* \(text)"
            }
        }
    }
}

extension SMTPTranscript {
    /// The last line the server sent.
    var lastServerReply: String? {
        lines.reversed().lazy.compactMap { if case .server(let line) = $0 { line } else { nil } }.first
    }

    /// The first server line with reply code `code`.
    func firstServerReply(withCode code: Int) -> String? {
        lines.lazy.compactMap { if case .server(let line) = $0, line.hasPrefix(String(code)) { line } else { nil } }.first
    }
}
