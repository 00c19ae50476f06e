import Foundation

/// Decodes a `Decodable` value from JSON text as Foundation's `JSONDecoder` does with its default
/// strategies (dates as seconds since 2001, keys as they are), several times faster: the text is
/// parsed once into a small tree, and keyed lookups start where the previous one ended, since a
/// synthesized `init(from:)` asks for the keys in the order ``JSONTextEncoder`` wrote them.
///
/// It reads history's `detail` column back for the reports (issue 22: the reports of a
/// 1,000-institution run spent a fifth of their time in `JSONDecoder`). A test decodes the lab's
/// results with both decoders and compares.
public struct JSONTextDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        var text = text
        let tree = try text.withUTF8 { bytes in
            var parser = ParsedJSON.Parser(bytes: bytes)
            return try parser.document()
        }
        return try T(from: TreeDecoder(tree, path: nil))
    }
}

/// A JSON value as parsed: objects keep their members in text order.
enum ParsedJSON {
    final class Object {
        var keys: [String] = []
        var values: [ParsedJSON] = []
    }

    case null
    case bool(Bool)
    /// A number, as its text (converted when it is decoded into a type).
    case number(String)
    case string(String)
    case array([ParsedJSON])
    case object(Object)

    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// RFC 8259 over UTF-8 bytes.
    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func document() throws -> ParsedJSON {
            let value = try self.value(depth: 0)
            skipSpace()
            guard index == bytes.count else { throw failure("text after the value") }
            return value
        }

        private func failure(_ what: String) -> DecodingError {
            DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "invalid JSON at byte \(index): \(what)"))
        }

        private mutating func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
        }

        private mutating func expect(_ literal: StaticString, _ value: ParsedJSON) throws -> ParsedJSON {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count, memcmp(bytes.baseAddress! + index, literal.utf8Start, count) == 0 else { throw failure("unexpected character") }
            index += count
            return value
        }

        private mutating func value(depth: Int) throws -> ParsedJSON {
            guard depth < 512 else { throw failure("nested too deeply") }
            skipSpace()
            guard index < bytes.count else { throw failure("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                let object = Object()
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(object)
                }
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a key") }
                    object.keys.append(try string())
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
                    index += 1
                    object.values.append(try value(depth: depth + 1))
                    skipSpace()
                    guard index < bytes.count else { throw failure("unexpected end") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "}") else { throw failure("expected ',' or '}'") }
                    index += 1
                    return .object(object)
                }
            case UInt8(ascii: "["):
                index += 1
                var elements: [ParsedJSON] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                }
                while true {
                    elements.append(try value(depth: depth + 1))
                    skipSpace()
                    guard index < bytes.count else { throw failure("unexpected end") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "]") else { throw failure("expected ',' or ']'") }
                    index += 1
                    return .array(elements)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            default:
                let start = index
                while index < bytes.count, case let byte = bytes[index],
                      (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
                        || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { index += 1 }
                guard index > start else { throw failure("unexpected character") }
                return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
            }
        }

        /// A string starting at the opening quote; escapes per RFC 8259 §7.
        private mutating func string() throws -> String {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
            guard index < bytes.count else { throw failure("unterminated string") }
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self)
            }
            var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return String(decoding: out, as: UTF8.self)
                }
                guard byte == UInt8(ascii: "\\") else {
                    out.append(byte)
                    index += 1
                    continue
                }
                guard index + 1 < bytes.count else { throw failure("unterminated escape") }
                let escaped = bytes[index + 1]
                index += 2
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw failure("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid \\u escape") }
                    out.append(contentsOf: String(Character(unicode)).utf8)
                default: throw failure("invalid escape")
                }
            }
            throw failure("unterminated string")
        }

        private mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count else { throw failure("short \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw failure("invalid \\u escape")
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }
    }
}

/// Where a value stands in the document, for error messages: a list built only when one is thrown.
private final class DecodingPath {
    let parent: DecodingPath?
    let key: any CodingKey

    init(parent: DecodingPath?, key: any CodingKey) {
        self.parent = parent
        self.key = key
    }

    static func keys(_ path: DecodingPath?) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var node = path
        while let current = node {
            keys.append(current.key)
            node = current.parent
        }
        return keys.reversed()
    }
}

private struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct TreeDecoder: Decoder {
    let value: ParsedJSON
    let path: DecodingPath?
    var codingPath: [any CodingKey] { DecodingPath.keys(path) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ value: ParsedJSON, path: DecodingPath?) {
        self.value = value
        self.path = path
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else { throw mismatch([String: Any].self, value, path) }
        return KeyedDecodingContainer(KeyedContainer<Key>(object: object, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch([Any].self, value, path) }
        return UnkeyedContainer(elements: elements, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValueContainer(value: value, path: path) }
}

private func mismatch(_ type: Any.Type, _ value: ParsedJSON, _ path: DecodingPath?) -> DecodingError {
    DecodingError.typeMismatch(type, .init(codingPath: DecodingPath.keys(path), debugDescription: "expected \(type), found \(value.kind)"))
}

/// The primitive values, shared by the three containers.
private enum Primitive {
    static func bool(_ value: ParsedJSON, _ path: DecodingPath?) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, value, path) }
        return flag
    }

    static func string(_ value: ParsedJSON, _ path: DecodingPath?) throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, value, path) }
        return text
    }

    static func integer<T: FixedWidthInteger>(_ type: T.Type, _ value: ParsedJSON, _ path: DecodingPath?) throws -> T {
        guard case .number(let text) = value else { throw mismatch(type, value, path) }
        if let number = T(text) { return number }
        // `3.0` or `1e3` for an integer: what JSONDecoder accepts when the value is exact.
        if let double = Double(text), let number = T(exactly: double) { return number }
        throw DecodingError.dataCorrupted(.init(codingPath: DecodingPath.keys(path), debugDescription: "\(text) does not fit in \(type)"))
    }

    static func floating<T: BinaryFloatingPoint & LosslessStringConvertible>(_ type: T.Type, _ value: ParsedJSON, _ path: DecodingPath?) throws -> T {
        guard case .number(let text) = value, let number = T(text) else { throw mismatch(type, value, path) }
        return number
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: ParsedJSON.Object
    let path: DecodingPath?
    /// Where the next lookup starts: the keys are asked in the order they were written.
    private let cursor = Cursor()

    final class Cursor {
        var next = 0
    }

    init(object: ParsedJSON.Object, path: DecodingPath?) {
        self.object = object
        self.path = path
    }

    var codingPath: [any CodingKey] { DecodingPath.keys(path) }
    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

    private func index(of key: Key) -> Int? {
        let name = key.stringValue
        let keys = object.keys
        let count = keys.count
        var position = cursor.next
        for _ in 0..<count {
            if position >= count { position = 0 }
            if keys[position] == name {
                cursor.next = position + 1
                return position
            }
            position += 1
        }
        return nil
    }

    private func value(_ key: Key) throws -> ParsedJSON {
        guard let index = index(of: key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for key \"\(key.stringValue)\""))
        }
        return object.values[index]
    }

    private func child(_ key: Key) -> DecodingPath { DecodingPath(parent: path, key: key) }

    func contains(_ key: Key) -> Bool { index(of: key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try value(key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Primitive.bool(value(key), child(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Primitive.string(value(key), child(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Primitive.floating(type, value(key), child(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try Primitive.floating(type, value(key), child(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Primitive.integer(type, value(key), child(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Primitive.integer(type, value(key), child(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Primitive.integer(type, value(key), child(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Primitive.integer(type, value(key), child(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Primitive.integer(type, value(key), child(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Primitive.integer(type, value(key), child(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try Primitive.integer(type, value(key), child(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try Primitive.integer(type, value(key), child(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try Primitive.integer(type, value(key), child(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try Primitive.integer(type, value(key), child(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try T(from: TreeDecoder(value(key), path: child(key))) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try TreeDecoder(value(key), path: child(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TreeDecoder(value(key), path: child(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = Key(stringValue: "super")
        return TreeDecoder(key.flatMap { index(of: $0).map { object.values[$0] } } ?? .null, path: path)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TreeDecoder(index(of: key).map { object.values[$0] } ?? .null, path: child(key))
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [ParsedJSON]
    let path: DecodingPath?
    var currentIndex = 0

    init(elements: [ParsedJSON], path: DecodingPath?) {
        self.elements = elements
        self.path = path
    }

    var codingPath: [any CodingKey] { DecodingPath.keys(path) }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next(_ type: Any.Type) throws -> (ParsedJSON, DecodingPath) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "the array has no element \(currentIndex)"))
        }
        defer { currentIndex += 1 }
        return (elements[currentIndex], DecodingPath(parent: path, key: IndexKey(currentIndex)))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .null = elements[currentIndex] else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { let (value, path) = try next(type); return try Primitive.bool(value, path) }
    mutating func decode(_ type: String.Type) throws -> String { let (value, path) = try next(type); return try Primitive.string(value, path) }
    mutating func decode(_ type: Double.Type) throws -> Double { let (value, path) = try next(type); return try Primitive.floating(type, value, path) }
    mutating func decode(_ type: Float.Type) throws -> Float { let (value, path) = try next(type); return try Primitive.floating(type, value, path) }
    mutating func decode(_ type: Int.Type) throws -> Int { let (value, path) = try next(type); return try Primitive.integer(type, value, path) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { let (value, path) = try next(type); return try Primitive.integer(type, value, path) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { let (value, path) = try next(type); return try Primitive.integer(type, value, path) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next(type)
        return try T(from: TreeDecoder(value, path: path))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try next([String: Any].self)
        return try TreeDecoder(value, path: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next([Any].self)
        return try TreeDecoder(value, path: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next(Any.self)
        return TreeDecoder(value, path: path)
    }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let value: ParsedJSON
    let path: DecodingPath?
    var codingPath: [any CodingKey] { DecodingPath.keys(path) }

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try Primitive.bool(value, path) }
    func decode(_ type: String.Type) throws -> String { try Primitive.string(value, path) }
    func decode(_ type: Double.Type) throws -> Double { try Primitive.floating(type, value, path) }
    func decode(_ type: Float.Type) throws -> Float { try Primitive.floating(type, value, path) }
    func decode(_ type: Int.Type) throws -> Int { try Primitive.integer(type, value, path) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Primitive.integer(type, value, path) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Primitive.integer(type, value, path) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Primitive.integer(type, value, path) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Primitive.integer(type, value, path) }
    func decode(_ type: UInt.Type) throws -> UInt { try Primitive.integer(type, value, path) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Primitive.integer(type, value, path) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Primitive.integer(type, value, path) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Primitive.integer(type, value, path) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Primitive.integer(type, value, path) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: TreeDecoder(value, path: path)) }
}
