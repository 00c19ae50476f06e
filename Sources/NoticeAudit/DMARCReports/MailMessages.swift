import CGMime

/// The attachments of mail messages (RFC 5322, MIME RFC 2045–2049), parsed by GMime 3: a report
/// mailed to a `rua` address arrives as a message with the report attached (RFC 7489 §7.2.1.1),
/// whatever content type the sender declared. The only code that imports CGMime.
enum MailMessages {
    /// One leaf part, decoded from its transfer encoding.
    struct Part {
        var filename: String?
        var contentType: String?
        var bytes: [UInt8]
    }

    /// GMime's global state, set up once per process.
    private static let initialized: Bool = {
        g_mime_init()
        return true
    }()

    /// Collects the parts the C walk hands over.
    private final class Collector {
        var parts: [Part] = []
    }

    /// True when `bytes` look like an mbox (the first line starts with `From `).
    static func isMbox(_ bytes: [UInt8]) -> Bool { bytes.starts(with: Array("From ".utf8)) }

    /// Every leaf part of the message (or of every message of an mbox) in `bytes`.
    static func parts(of bytes: [UInt8]) -> (messages: Int, parts: [Part]) {
        _ = initialized
        let collector = Collector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        let messages = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                cgmime_each_part(chars.baseAddress, chars.count, isMbox(bytes) ? 1 : 0, { filename, contentType, data, length, context in
                    let collector = Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
                    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
                    collector.parts.append(Part(filename: filename.map { String(cString: $0) }, contentType: contentType.map { String(cString: $0) }, bytes: bytes))
                }, context)
            }
        }
        return (Int(messages), collector.parts)
    }
}
