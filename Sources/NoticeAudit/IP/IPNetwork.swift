/// An IP network in CIDR notation (RFC 4632 §3.1), e.g. `192.0.2.0/24` or `2001:db8::/32`.
public struct IPNetwork: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The first address of the network (host bits zero).
    public let address: IPAddress
    public let prefixLength: Int

    /// The network containing `address` with that prefix; host bits are cleared.
    public init?(address: IPAddress, prefixLength: Int) {
        guard (0...address.bitWidth).contains(prefixLength) else { return nil }
        self.address = address.withBits(address.bits & Self.mask(prefixLength, width: address.bitWidth))
        self.prefixLength = prefixLength
    }

    /// A single address as a network (`/32` or `/128`).
    public init(host: IPAddress) {
        self.address = host
        self.prefixLength = host.bitWidth
    }

    /// Parses `ADDRESS[/LENGTH]`; the length defaults to the whole address. Host bits must be zero
    /// unless `strict` is false, in which case they are cleared.
    public init?(cidr text: String, strict: Bool = false) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        var length = address.bitWidth
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy(\.isNumber), let parsed = Int(parts[1]) else { return nil }
            length = parsed
        }
        guard let network = IPNetwork(address: address, prefixLength: length) else { return nil }
        if strict && network.address != address { return nil }
        self = network
    }

    static func mask(_ prefixLength: Int, width: Int) -> UInt128 {
        guard prefixLength > 0 else { return 0 }
        let all: UInt128 = width == 128 ? .max : (UInt128(1) << width) - 1
        return all & ~((UInt128(1) << (width - prefixLength)) &- 1) & all
    }

    /// True when `candidate` is of the same family and inside the network.
    public func contains(_ candidate: IPAddress) -> Bool {
        // Compares the network bits in the family's own width: no 128-bit mask for IPv4.
        switch (address, candidate) {
        case (.v4(let network), .v4(let host)):
            prefixLength == 0 || host >> (32 - prefixLength) == network >> (32 - prefixLength)
        case (.v6(let network), .v6(let host)):
            prefixLength == 0 || host >> (128 - prefixLength) == network >> (128 - prefixLength)
        default:
            false
        }
    }

    /// The first address as bits.
    public var firstBits: UInt128 { address.bits }

    /// The last address as bits.
    public var lastBits: UInt128 {
        address.bits | ~Self.mask(prefixLength, width: address.bitWidth) & (address.bitWidth == 128 ? .max : (UInt128(1) << address.bitWidth) - 1)
    }

    /// The last address of the network.
    public var last: IPAddress { address.withBits(lastBits) }

    /// How many addresses the network holds, minus one (so that `::/0` fits).
    public var sizeMinusOne: UInt128 { lastBits - firstBits }

    /// The smallest list of networks that covers exactly the addresses `first...last` (bits of the
    /// given family), in order.
    public static func covering(first: UInt128, last: UInt128, family: IPAddress) -> [IPNetwork] {
        precondition(first <= last)
        let width = family.bitWidth
        var networks: [IPNetwork] = []
        var start = first
        while true {
            // The largest block of 2^k addresses aligned at `start` that does not pass `last`.
            var k = start == 0 ? width : min(width, start.trailingZeroBitCount)
            while k > 0 && last - start < Self.span(k) { k -= 1 }
            networks.append(IPNetwork(address: family.withBits(start), prefixLength: width - k)!)
            let end = start + Self.span(k)
            if end >= last { return networks }
            start = end + 1
        }
    }

    /// 2^k - 1, for k from 0 to 128.
    private static func span(_ k: Int) -> UInt128 {
        k >= 128 ? .max : (UInt128(1) << k) - 1
    }

    public var description: String { "\(address)/\(prefixLength)" }

    public static func < (lhs: IPNetwork, rhs: IPNetwork) -> Bool {
        (lhs.address, lhs.prefixLength) < (rhs.address, rhs.prefixLength)
    }
}
