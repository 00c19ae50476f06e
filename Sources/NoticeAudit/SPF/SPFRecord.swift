/// The two CIDR lengths of an `a` or `mx` mechanism (RFC 7208 §5.6): `/24//64`.
public struct DualCIDR: Sendable, Hashable {
    public var ipv4: Int
    public var ipv6: Int

    public static let hosts = DualCIDR(ipv4: 32, ipv6: 128)

    /// The prefix length for an address of that family.
    public func prefixLength(for address: IPAddress) -> Int { address.isIPv4 ? ipv4 : ipv6 }
}

/// A mechanism (RFC 7208 §5).
public enum SPFMechanism: Sendable, Hashable {
    case all
    case include(MacroString)
    case a(MacroString?, DualCIDR)
    case mx(MacroString?, DualCIDR)
    case ptr(MacroString?)
    case ip4(IPNetwork)
    case ip6(IPNetwork)
    case exists(MacroString)

    /// The mechanism's name as written in records.
    public var name: String {
        switch self {
        case .all: "all"
        case .include: "include"
        case .a: "a"
        case .mx: "mx"
        case .ptr: "ptr"
        case .ip4: "ip4"
        case .ip6: "ip6"
        case .exists: "exists"
        }
    }

    /// True for the mechanisms that count against the limit of 10 DNS lookups (RFC 7208 §4.6.4).
    public var causesDNSLookup: Bool {
        switch self {
        case .include, .a, .mx, .ptr, .exists: true
        case .all, .ip4, .ip6: false
        }
    }
}

/// A qualifier and a mechanism, as written in the record.
///
/// Immutable and shared: copying one costs a single reference count, which matters when the same
/// parsed record is evaluated for thousands of addresses.
public struct SPFDirective: Sendable, Hashable {
    private final class Storage: Sendable {
        let qualifier: SPFQualifier
        let mechanism: SPFMechanism
        let text: String
        let offset: Int

        init(qualifier: SPFQualifier, mechanism: SPFMechanism, text: String, offset: Int) {
            self.qualifier = qualifier
            self.mechanism = mechanism
            self.text = text
            self.offset = offset
        }
    }

    private let storage: Storage

    public init(qualifier: SPFQualifier, mechanism: SPFMechanism, text: String, offset: Int) {
        storage = Storage(qualifier: qualifier, mechanism: mechanism, text: text, offset: offset)
    }

    public var qualifier: SPFQualifier { storage.qualifier }
    public var mechanism: SPFMechanism { storage.mechanism }
    /// The term as written, e.g. `~include:spf-na.exlibrisgroup.com`.
    public var text: String { storage.text }
    /// The term's offset in the record, in characters.
    public var offset: Int { storage.offset }

    public static func == (lhs: SPFDirective, rhs: SPFDirective) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.qualifier == rhs.qualifier && lhs.mechanism == rhs.mechanism && lhs.text == rhs.text && lhs.offset == rhs.offset)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(text)
        hasher.combine(offset)
    }
}

/// A `name=value` modifier (RFC 7208 §6).
public struct SPFModifier: Sendable, Hashable {
    /// The name, lower case.
    public var name: String
    public var value: MacroString
    public var text: String
    public var offset: Int
}

/// Why a record is not valid SPF: evaluated as `permerror` (RFC 7208 §4.6).
public struct SPFSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The offending term, when one is to blame.
    public var term: String?
    /// Offset of the term in the record, in characters.
    public var offset: Int

    public var description: String {
        if let term { return "\(message) in term '\(term)' at character \(offset + 1)" }
        return "\(message) at character \(offset + 1)"
    }
}

/// A parsed SPF record (RFC 7208 §4.6). The whole record is parsed before evaluation, so a syntax
/// error anywhere makes the record `permerror` even when an earlier term would match.
///
/// Immutable and shared, like ``SPFDirective``.
public struct SPFRecord: Sendable, Hashable {
    private final class Storage: Sendable {
        let text: String
        let directives: [SPFDirective]
        let redirect: SPFModifier?
        let explanation: SPFModifier?
        let unknownModifiers: [SPFModifier]
        let hasAll: Bool

        init(text: String, directives: [SPFDirective], redirect: SPFModifier?, explanation: SPFModifier?, unknownModifiers: [SPFModifier]) {
            self.text = text
            self.directives = directives
            self.redirect = redirect
            self.explanation = explanation
            self.unknownModifiers = unknownModifiers
            self.hasAll = directives.contains { $0.mechanism == .all }
        }
    }

    private let storage: Storage

    public init(text: String, directives: [SPFDirective], redirect: SPFModifier?, explanation: SPFModifier?, unknownModifiers: [SPFModifier]) {
        storage = Storage(text: text, directives: directives, redirect: redirect, explanation: explanation, unknownModifiers: unknownModifiers)
    }

    public var text: String { storage.text }
    public var directives: [SPFDirective] { storage.directives }
    public var redirect: SPFModifier? { storage.redirect }
    public var explanation: SPFModifier? { storage.explanation }
    /// Modifiers other than `redirect` and `exp`, which evaluation ignores (RFC 7208 §6).
    public var unknownModifiers: [SPFModifier] { storage.unknownModifiers }

    public static func == (lhs: SPFRecord, rhs: SPFRecord) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.text == rhs.text && lhs.directives == rhs.directives && lhs.redirect == rhs.redirect
                && lhs.explanation == rhs.explanation && lhs.unknownModifiers == rhs.unknownModifiers)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    /// True when the record has an `all` mechanism, which makes `redirect` ignored (RFC 7208 §6.1).
    public var hasAll: Bool { storage.hasAll }

    /// True when `text` is an SPF version 1 record: it begins with `v=spf1` (any case) followed by a
    /// space or the end (RFC 7208 §4.5).
    public static func isVersion1(_ bytes: [UInt8]) -> Bool {
        // "v=spf1" compared byte by byte, letters in any case: no allocation on this hot path.
        guard bytes.count >= 6, bytes[0] | 0x20 == UInt8(ascii: "v"), bytes[1] == UInt8(ascii: "="),
            bytes[2] | 0x20 == UInt8(ascii: "s"), bytes[3] | 0x20 == UInt8(ascii: "p"),
            bytes[4] | 0x20 == UInt8(ascii: "f"), bytes[5] == UInt8(ascii: "1")
        else { return false }
        return bytes.count == 6 || bytes[6] == 0x20
    }
}
