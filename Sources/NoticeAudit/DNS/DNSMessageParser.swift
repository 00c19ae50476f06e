/// Parses a DNS response message (RFC 1035 §4) into a ``DNSResponse``, following the CNAME chain
/// of the answer section from the question name. Hostile input (truncated data, compression loops,
/// lengths that overrun the record) is reported as a malformed answer, never trusted.
public struct DNSMessageParser {
    /// How many CNAMEs an answer may chain before it is refused.
    public static let maximumCNAMEHops = 8
    /// The negative TTL used when an NXDOMAIN or no-data answer carries no SOA.
    public static let defaultNegativeTTL: UInt32 = 60

    private let bytes: [UInt8]
    private var offset = 0

    struct Failure: Error {
        var message: String
    }

    private struct ResourceRecord {
        var owner: String
        var type: Int
        var ttl: UInt32
        var data: DNSRecord?
        var soaMinimum: UInt32?
    }

    /// Parses `message`, the response to a query for `name` and `type`.
    public static func parse(_ message: [UInt8], name: String, type: DNSRecordType) throws(DNSLookupError) -> DNSResponse {
        var parser = DNSMessageParser(bytes: message)
        do {
            return try parser.parseResponse(name: canonicalName(name), type: type)
        } catch let failure as Failure {
            throw DNSLookupError(.malformed, name: name, type: type, detail: failure.message)
        } catch let error as DNSLookupError {
            throw error
        } catch {
            throw DNSLookupError(.malformed, name: name, type: type, detail: "\(error)")
        }
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func parseResponse(name: String, type: DNSRecordType) throws -> DNSResponse {
        guard bytes.count >= 12 else { throw Failure(message: "message shorter than its 12-byte header") }
        let flags = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        guard flags & 0x8000 != 0 else { throw Failure(message: "the message is a query, not a response") }
        let rcode = Int(flags & 0x000F)
        let questions = readUInt16(at: 4), answers = readUInt16(at: 6), authorities = readUInt16(at: 8), additionals = readUInt16(at: 10)
        offset = 12
        for _ in 0..<questions {
            _ = try readName()
            try skip(4)
        }
        var answerRecords: [ResourceRecord] = []
        for _ in 0..<answers { answerRecords.append(try readRecord()) }
        var authorityRecords: [ResourceRecord] = []
        for _ in 0..<authorities { authorityRecords.append(try readRecord()) }
        // The additional section (EDNS OPT among others) is read only to check that it is whole.
        for _ in 0..<additionals { _ = try readRecord() }
        let negativeTTL = authorityRecords.compactMap { record in record.soaMinimum.map { min($0, record.ttl) } }.min() ?? Self.defaultNegativeTTL

        switch rcode {
        case 0: break
        case 3: return DNSResponse(answer: .nxdomain, ttl: negativeTTL)
        case 2: throw DNSLookupError(.serverFailure, name: name, type: type)
        case 5: throw DNSLookupError(.refused, name: name, type: type)
        default: throw DNSLookupError(.other, name: name, type: type, detail: "response code \(rcode)")
        }
        var current = name
        var ttl = UInt32.max
        for _ in 0...Self.maximumCNAMEHops {
            let owned = answerRecords.filter { $0.owner == current }
            let matching = owned.filter { $0.type == type.code }
            if !matching.isEmpty {
                for record in matching { ttl = min(ttl, record.ttl) }
                return DNSResponse(answer: .records(matching.compactMap(\.data)), ttl: ttl)
            }
            guard type != .cname, let alias = owned.first(where: { $0.type == DNSRecordType.cname.code }), case .cname(let target)? = alias.data else {
                // The chain ends at `current`: with nothing at all said about it, it was not resolved.
                let unresolved = current != name && owned.isEmpty && authorityRecords.allSatisfy { $0.soaMinimum == nil }
                return DNSResponse(answer: .noData, ttl: min(ttl, negativeTTL), unresolvedAlias: unresolved ? current : nil)
            }
            ttl = min(ttl, alias.ttl)
            current = target
        }
        throw Failure(message: "CNAME chain longer than \(Self.maximumCNAMEHops)")
    }

    // MARK: Wire format

    private func readUInt16(at position: Int) -> Int {
        Int(bytes[position]) << 8 | Int(bytes[position + 1])
    }

    private mutating func skip(_ count: Int) throws {
        guard offset + count <= bytes.count else { throw Failure(message: "message truncated at byte \(offset)") }
        offset += count
    }

    private mutating func readRecord() throws -> ResourceRecord {
        let owner = try readName()
        guard offset + 10 <= bytes.count else { throw Failure(message: "resource record header truncated at byte \(offset)") }
        let type = readUInt16(at: offset)
        let ttlBits = UInt32(bytes[offset + 4]) << 24 | UInt32(bytes[offset + 5]) << 16 | UInt32(bytes[offset + 6]) << 8 | UInt32(bytes[offset + 7])
        // RFC 2181 §8: a TTL with the top bit set is treated as zero.
        let ttl = ttlBits & 0x8000_0000 != 0 ? 0 : ttlBits
        let length = readUInt16(at: offset + 8)
        offset += 10
        let end = offset + length
        guard end <= bytes.count else { throw Failure(message: "record data of \(owner) overruns the message") }
        var record = ResourceRecord(owner: owner, type: type, ttl: ttl)
        switch type {
        case DNSRecordType.a.code:
            guard length == 4 else { throw Failure(message: "A record of \(owner) has \(length) bytes") }
            record.data = .a(.v4(bytes[offset..<end].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
        case DNSRecordType.aaaa.code:
            guard length == 16 else { throw Failure(message: "AAAA record of \(owner) has \(length) bytes") }
            record.data = .aaaa(.v6(bytes[offset..<end].reduce(UInt128(0)) { $0 << 8 | UInt128($1) }))
        case DNSRecordType.txt.code:
            var strings: [[UInt8]] = []
            var position = offset
            while position < end {
                let count = Int(bytes[position])
                guard position + 1 + count <= end else { throw Failure(message: "TXT string of \(owner) overruns its record") }
                strings.append(Array(bytes[(position + 1)..<(position + 1 + count)]))
                position += 1 + count
            }
            record.data = .txt(strings)
        case DNSRecordType.mx.code:
            guard length >= 3 else { throw Failure(message: "MX record of \(owner) is too short") }
            let preference = UInt16(readUInt16(at: offset))
            offset += 2
            record.data = .mx(preference: preference, exchange: try readName())
        case DNSRecordType.ptr.code:
            record.data = .ptr(try readName())
        case DNSRecordType.cname.code:
            record.data = .cname(try readName())
        case 6: // SOA (RFC 1035 §3.3.13): MNAME, RNAME, then five 32-bit values; MINIMUM is last.
            _ = try readName()
            _ = try readName()
            guard end - 4 >= offset, end <= bytes.count else { throw Failure(message: "SOA record of \(owner) is too short") }
            record.soaMinimum = UInt32(bytes[end - 4]) << 24 | UInt32(bytes[end - 3]) << 16 | UInt32(bytes[end - 2]) << 8 | UInt32(bytes[end - 1])
        default:
            break
        }
        guard offset <= end else { throw Failure(message: "record of \(owner) overruns its length") }
        offset = end
        return record
    }

    /// Reads a possibly compressed name (RFC 1035 §4.1.4), lower-cased, without the root dot.
    private mutating func readName() throws -> String {
        var labels: [String] = []
        var position = offset
        var jumped = false
        var jumps = 0
        var length = 0
        while true {
            guard position < bytes.count else { throw Failure(message: "name truncated at byte \(position)") }
            let byte = Int(bytes[position])
            switch byte & 0xC0 {
            case 0xC0:
                guard position + 1 < bytes.count else { throw Failure(message: "compression pointer truncated") }
                jumps += 1
                guard jumps <= 64 else { throw Failure(message: "compression pointer loop") }
                let target = (byte & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < position else { throw Failure(message: "compression pointer points forward") }
                if !jumped { offset = position + 2 }
                jumped = true
                position = target
            case 0x00:
                if byte == 0 {
                    if !jumped { offset = position + 1 }
                    return labels.joined(separator: ".")
                }
                guard position + 1 + byte <= bytes.count else { throw Failure(message: "label truncated at byte \(position)") }
                length += byte + 1
                guard length <= 255 else { throw Failure(message: "name longer than 255 bytes") }
                labels.append(Self.presentation(bytes[(position + 1)...(position + byte)]))
                position += 1 + byte
            default:
                throw Failure(message: "unknown label type 0x\(String(byte, radix: 16))")
            }
        }
    }

    /// A name as the parser writes names: lower case, without the root dot, each label in
    /// ``presentation(_:)`` form, so that a queried name and the owner names of the answer compare.
    public static func canonicalName(_ name: String) -> String {
        var text = Substring(name)
        if text.hasSuffix(".") { text = text.dropLast() }
        return text.split(separator: ".", omittingEmptySubsequences: false).map { presentation(ArraySlice($0.utf8)) }.joined(separator: ".")
    }

    /// A label as text: lower case; printable ASCII and spaces as they are; '.', '\\', control
    /// characters and bytes above 0x7E as \DDD (RFC 1035 §5.1).
    private static func presentation(_ label: ArraySlice<UInt8>) -> String {
        var text = ""
        for byte in label {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): text.append(Character(Unicode.Scalar(byte + 32)))
            case UInt8(ascii: "."), UInt8(ascii: "\\"), 0..<0x20, 0x7F...:
                text += "\\" + String(byte).leftPadded(to: 3)
            default: text.append(Character(Unicode.Scalar(byte)))
            }
        }
        return text
    }
}
