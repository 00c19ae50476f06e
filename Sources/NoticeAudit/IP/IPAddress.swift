/// An IPv4 or IPv6 address.
public enum IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    case v4(UInt32)
    case v6(UInt128)

    /// The number of bits of an address of this family: 32 or 128.
    public var bitWidth: Int {
        switch self {
        case .v4: 32
        case .v6: 128
        }
    }

    /// The address as an unsigned integer, widened to 128 bits.
    public var bits: UInt128 {
        switch self {
        case .v4(let value): UInt128(value)
        case .v6(let value): value
        }
    }

    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// An address of the same family with the given bits.
    public func withBits(_ bits: UInt128) -> IPAddress {
        switch self {
        case .v4: .v4(UInt32(truncatingIfNeeded: bits))
        case .v6: .v6(bits)
        }
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2),
    /// which SPF evaluates as IPv4 (RFC 7208 §5); every other address unchanged.
    public var unmappingIPv4: IPAddress {
        if case .v6(let value) = self, value >> 32 == 0xFFFF { return .v4(UInt32(truncatingIfNeeded: value)) }
        return self
    }

    /// Parses a dotted-quad IPv4 address or an RFC 4291 §2.2 IPv6 address.
    public init?(_ text: String) {
        if let v4 = Self.parseIPv4(Substring(text)) {
            self = .v4(v4)
        } else if let v6 = Self.parseIPv6(text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    static func parseIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                !(part.count > 1 && part.hasPrefix("0")), let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    static func parseIPv6(_ text: String) -> UInt128? {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, allowIPv4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, allowIPv4Tail, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    result.append(UInt16(v4 >> 16))
                    result.append(UInt16(v4 & 0xFFFF))
                    continue
                }
                guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit), let group = UInt16(piece, radix: 16) else { return nil }
                result.append(group)
            }
            return result
        }
        let compressed = halves.count == 2
        guard let head = groups(halves[0], allowIPv4Tail: !compressed), let tail = compressed ? groups(halves[1], allowIPv4Tail: true) : [] else {
            return nil
        }
        let all: [UInt16]
        if compressed {
            guard head.count + tail.count <= 7 else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard head.count == 8 else { return nil }
            all = head
        }
        return all.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }

    /// Dotted quad for IPv4; the RFC 5952 canonical text for IPv6.
    public var description: String {
        switch self {
        case .v4(let value):
            return "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
        case .v6(let value):
            let groups = (0..<8).map { UInt16(truncatingIfNeeded: value >> (UInt128(7 - $0) * 16)) }
            var bestStart = -1, bestLength = 0, index = 0
            while index < 8 {
                if groups[index] == 0 {
                    var end = index
                    while end < 8 && groups[end] == 0 { end += 1 }
                    if end - index > bestLength && end - index >= 2 { bestStart = index; bestLength = end - index }
                    index = end
                } else {
                    index += 1
                }
            }
            let hex = groups.map { String($0, radix: 16) }
            if bestStart < 0 { return hex.joined(separator: ":") }
            let head = hex[..<bestStart].joined(separator: ":")
            let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
            return "\(head)::\(tail)"
        }
    }

    /// The address in the `%{i}` form of RFC 7208 §7.3: dotted quad for IPv4, and for IPv6 the 32
    /// nibbles separated by dots. The nibbles are upper case, as the reference implementation and
    /// the RFC 7208 test suite (`v-macro-ip6`) have them; DNS compares names without case.
    public var spfMacroForm: String {
        switch self {
        case .v4: return description
        case .v6: return nibbles.map { String($0, radix: 16, uppercase: true) }.joined(separator: ".")
        }
    }

    /// The 32 nibbles of an IPv6 address, most significant first; empty for IPv4.
    private var nibbles: [UInt8] {
        guard case .v6(let value) = self else { return [] }
        return (0..<32).map { UInt8(truncatingIfNeeded: value >> (UInt128(31 - $0) * 4)) & 0xF }
    }

    /// The name queried for the address's PTR record (RFC 1035 §3.5, RFC 3596 §2.5).
    public var reverseLookupName: String {
        switch self {
        case .v4(let value):
            return "\(value & 0xFF).\(value >> 8 & 0xFF).\(value >> 16 & 0xFF).\(value >> 24).in-addr.arpa"
        case .v6:
            return nibbles.reversed().map { String($0, radix: 16) }.joined(separator: ".") + ".ip6.arpa"
        }
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        (lhs.bitWidth, lhs.bits) < (rhs.bitWidth, rhs.bits)
    }
}
