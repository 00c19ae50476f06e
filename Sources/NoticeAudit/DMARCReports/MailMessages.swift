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

    /// GMime could not be loaded (the shared library `libgmime-3.0.so.0` is missing or broken).
    struct Unavailable: Error, CustomStringConvertible {
        var reason: String
        var description: String { "GMime cannot be loaded to read mail messages (\(reason)); install libgmime-3.0-0" }
    }

    /// GMime, loaded and set up once per process, the first time a message is read. The table of
    /// calls is written once, inside this lazy initialiser (run once, thread-safely), and only read
    /// after: sharing its pointer between threads is safe, hence `nonisolated(unsafe)`.
    private nonisolated(unsafe) static let api: Result<UnsafePointer<cgmime_api>, Unavailable> = {
        var error = [CChar](repeating: 0, count: 512)
        guard let api = cgmime_load(&error, error.count) else {
            return .failure(Unavailable(reason: String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))
        }
        return .success(api)
    }()

    /// Collects the parts the C walk hands over.
    private final class Collector {
        var parts: [Part] = []
    }

    /// True when `bytes` look like an mbox (the first line starts with `From `).
    static func isMbox(_ bytes: [UInt8]) -> Bool { bytes.starts(with: Array("From ".utf8)) }

    /// Every leaf part of the message (or of every message of an mbox) in `bytes`.
    static func parts(of bytes: [UInt8]) throws(Unavailable) -> (messages: Int, parts: [Part]) {
        let api = try api.get()
        let collector = Collector()
        let context = Unmanaged.passUnretained(collector).toOpaque()
        let messages = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                cgmime_each_part(api, chars.baseAddress, chars.count, isMbox(bytes) ? 1 : 0, { filename, contentType, data, length, context in
                    let collector = Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
                    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
                    collector.parts.append(Part(filename: filename.map { String(cString: $0) }, contentType: contentType.map { String(cString: $0) }, bytes: bytes))
                }, context)
            }
        }
        return (Int(messages), collector.parts)
    }
}
