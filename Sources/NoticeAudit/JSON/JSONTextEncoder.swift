import Foundation

/// Encodes an `Encodable` value as JSON text: the bytes Foundation's `JSONEncoder` writes with the
/// same options (a test compares the two on real results), several times faster, because it keeps
/// no coding path, converts each key to snake case once per encoder, and tests a value's type only
/// where `JSONEncoder` treats it specially (`Date`, dictionaries keyed by `String`).
///
/// It writes history's `detail` column and `scan.json`, the two largest texts a scan produces
/// (docs/benchmarks.md, issue 22). Keys encoded twice in one container are both written, which
/// no synthesized or hand-written `encode(to:)` of this package does.
public final class JSONTextEncoder {
    /// Indented as `JSONEncoder.OutputFormatting.prettyPrinted`.
    public var prettyPrinted = false
    /// Object keys in `String` order, as `.sortedKeys`.
    public var sortedKeys = false
    /// `/` written as `\/` (`JSONEncoder`'s default) unless false (`.withoutEscapingSlashes`).
    public var escapesSlashes = true
    /// Property keys converted as `.convertToSnakeCase` (keys of `[String: T]` are left as they are).
    public var snakeCaseKeys = false
    /// Dates as ISO 8601 text in UTC, whole seconds (`.iso8601`); otherwise seconds since 2001 (`.deferredToDate`).
    public var iso8601Dates = false

    private var snakeCase: [String: String] = [:]

    public init() {}

    /// The JSON text of `value`, UTF-8. `indent`: the indentation of the line the value starts on,
    /// when it is written inside a larger document (pretty-printed only).
    public func encode<T: Encodable>(_ value: T, indent: Int = 0) throws -> [UInt8] {
        write(try tree(value), indent: indent)
    }

    /// `value` as collected, before any option applies: one tree is written by encoders of other
    /// options too (a result goes to history and to scan.json, issue 22).
    func tree<T: Encodable>(_ value: T) throws -> EncodedJSONTree {
        EncodedJSONTree(root: try node(value))
    }

    /// The JSON text of `tree` with this encoder's options.
    func write(_ tree: EncodedJSONTree, indent: Int = 0) -> [UInt8] {
        var writer = EncodedJSONWriter(owner: self, indent: indent)
        writer.write(tree.root)
        return writer.bytes
    }

    /// The JSON text of `value` as a string.
    public func encodeString<T: Encodable>(_ value: T, indent: Int = 0) throws -> String {
        String(decoding: try encode(value, indent: indent), as: UTF8.self)
    }

    /// `name` as this encoder writes a property key.
    func key(_ name: String) -> String {
        guard snakeCaseKeys else { return name }
        if let converted = snakeCase[name] { return converted }
        let converted = Self.snakeCased(name)
        snakeCase[name] = converted
        return converted
    }

    func node<T: Encodable>(_ value: T) throws -> EncodedJSON {
        if T.self == Date.self, let date = value as? Date { return .date(date) }
        if let dictionary = value as? any StringKeyedEncodable { return try dictionary.encodedJSON(self) }
        let encoder = TreeEncoder(self)
        try value.encode(to: encoder)
        return encoder.value ?? .object(EncodedJSON.Object())
    }

    /// `date` as this encoder writes it.
    func dateText(_ date: Date) -> String {
        iso8601Dates ? UTCTime.iso8601(date) : Self.number(date.timeIntervalSinceReferenceDate)
    }

    /// A floating-point number as `JSONEncoder` writes it: its shortest round-trip text, without a trailing `.0`.
    static func number(_ value: some FloatingPoint & CustomStringConvertible) -> String {
        let text = value.description
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// `.convertToSnakeCase`: words split where a lowercase letter meets an uppercase one and before
    /// the last capital of a run of capitals (`myURLProperty` → `my_url_property`), then lowercased.
    static func snakeCased(_ key: String) -> String {
        let characters = Array(key)
        guard !characters.isEmpty else { return key }
        var words: [String] = []
        var wordStart = 0
        var index = 1
        while index < characters.count {
            guard let upper = characters[index...].firstIndex(where: \.isUppercase) else { break }
            words.append(String(characters[wordStart..<upper]))
            guard let lower = characters[upper...].firstIndex(where: \.isLowercase) else {
                wordStart = upper
                index = characters.count
                break
            }
            if lower == upper + 1 {
                wordStart = upper
            } else {
                words.append(String(characters[upper..<(lower - 1)]))
                wordStart = lower - 1
            }
            index = lower + 1
        }
        words.append(String(characters[wordStart...]))
        return words.map { $0.lowercased() }.joined(separator: "_")
    }
}

/// A value as the encoder collected it, before it is written: keys as the value names them and
/// dates as dates, so that each writer applies its own key and date strategy.
enum EncodedJSON {
    /// Members in the order they were encoded (converted and sorted, if asked, when written).
    final class Object {
        var keys: [String] = []
        var values: [EncodedJSON] = []
        /// The keys of a `[String: T]`, written as they are whatever the key strategy.
        var verbatimKeys = false
    }

    final class Array {
        var values: [EncodedJSON] = []
    }

    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    /// A floating-point number already written as text.
    case number(String)
    case string(String)
    case date(Date)
    case object(Object)
    case array(Array)
}

/// An encoded value handed to another thread to be written there: no one changes a tree once
/// ``JSONTextEncoder/tree(_:)`` has returned it.
struct EncodedJSONTree: @unchecked Sendable {
    let root: EncodedJSON
}

/// `[String: Value]`, whose keys `JSONEncoder` writes as they are, whatever the key strategy.
protocol StringKeyedEncodable {
    func encodedJSON(_ encoder: JSONTextEncoder) throws -> EncodedJSON
}

extension Dictionary: StringKeyedEncodable where Key == String, Value: Encodable {
    func encodedJSON(_ encoder: JSONTextEncoder) throws -> EncodedJSON {
        let object = EncodedJSON.Object()
        object.verbatimKeys = true
        object.keys.reserveCapacity(count)
        object.values.reserveCapacity(count)
        for (key, value) in self {
            object.keys.append(key)
            object.values.append(try encoder.node(value))
        }
        return .object(object)
    }
}

/// The `Encoder` one value encodes itself into; its containers add to `value`.
private final class TreeEncoder: Encoder {
    let owner: JSONTextEncoder
    var value: EncodedJSON?
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ owner: JSONTextEncoder) {
        self.owner = owner
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedContainer<Key>(owner: owner, object: object()))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedContainer(owner: owner, array: array())
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(encoder: self)
    }

    /// The object this encoder holds, made on first use (a second `container(keyedBy:)` adds to the same one).
    func object() -> EncodedJSON.Object {
        if case .object(let object) = value { return object }
        let object = EncodedJSON.Object()
        value = .object(object)
        return object
    }

    func array() -> EncodedJSON.Array {
        if case .array(let array) = value { return array }
        let array = EncodedJSON.Array()
        value = .array(array)
        return array
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let owner: JSONTextEncoder
    let object: EncodedJSON.Object
    var codingPath: [any CodingKey] { [] }

    private func add(_ key: Key, _ value: EncodedJSON) {
        object.keys.append(key.stringValue)
        object.values.append(value)
    }

    mutating func encodeNil(forKey key: Key) throws { add(key, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { add(key, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { add(key, .string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { add(key, .number(JSONTextEncoder.number(value))) }
    mutating func encode(_ value: Float, forKey key: Key) throws { add(key, .number(JSONTextEncoder.number(value))) }
    mutating func encode(_ value: Int, forKey key: Key) throws { add(key, .integer(Int64(value))) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { add(key, .integer(Int64(value))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { add(key, .integer(Int64(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { add(key, .integer(Int64(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { add(key, .integer(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { add(key, .unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { add(key, .unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { add(key, .unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { add(key, .unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { add(key, .unsigned(value)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { add(key, try owner.node(value)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = EncodedJSON.Object()
        add(key, .object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(owner: owner, object: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = EncodedJSON.Array()
        add(key, .array(nested))
        return UnkeyedContainer(owner: owner, array: nested)
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: "super") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key.stringValue) }

    private func superEncoder(named name: String) -> any Encoder {
        // The member is filled in by the encoder handed out; written as `{}` if nothing is encoded into it.
        let encoder = TreeEncoder(owner)
        let nested = encoder.object()
        object.keys.append(name)
        object.values.append(.object(nested))
        return encoder
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let owner: JSONTextEncoder
    let array: EncodedJSON.Array
    var codingPath: [any CodingKey] { [] }
    var count: Int { array.values.count }

    mutating func encodeNil() throws { array.values.append(.null) }
    mutating func encode(_ value: Bool) throws { array.values.append(.bool(value)) }
    mutating func encode(_ value: String) throws { array.values.append(.string(value)) }
    mutating func encode(_ value: Double) throws { array.values.append(.number(JSONTextEncoder.number(value))) }
    mutating func encode(_ value: Float) throws { array.values.append(.number(JSONTextEncoder.number(value))) }
    mutating func encode(_ value: Int) throws { array.values.append(.integer(Int64(value))) }
    mutating func encode(_ value: Int64) throws { array.values.append(.integer(value)) }
    mutating func encode(_ value: UInt64) throws { array.values.append(.unsigned(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { array.values.append(try owner.node(value)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = EncodedJSON.Object()
        array.values.append(.object(nested))
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(owner: owner, object: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = EncodedJSON.Array()
        array.values.append(.array(nested))
        return UnkeyedContainer(owner: owner, array: nested)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = TreeEncoder(owner)
        array.values.append(.object(encoder.object()))
        return encoder
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let encoder: TreeEncoder
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { encoder.value = .null }
    mutating func encode(_ value: Bool) throws { encoder.value = .bool(value) }
    mutating func encode(_ value: String) throws { encoder.value = .string(value) }
    mutating func encode(_ value: Double) throws { encoder.value = .number(JSONTextEncoder.number(value)) }
    mutating func encode(_ value: Float) throws { encoder.value = .number(JSONTextEncoder.number(value)) }
    mutating func encode(_ value: Int) throws { encoder.value = .integer(Int64(value)) }
    mutating func encode(_ value: Int8) throws { encoder.value = .integer(Int64(value)) }
    mutating func encode(_ value: Int16) throws { encoder.value = .integer(Int64(value)) }
    mutating func encode(_ value: Int32) throws { encoder.value = .integer(Int64(value)) }
    mutating func encode(_ value: Int64) throws { encoder.value = .integer(value) }
    mutating func encode(_ value: UInt) throws { encoder.value = .unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { encoder.value = .unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { encoder.value = .unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { encoder.value = .unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { encoder.value = .unsigned(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { encoder.value = try encoder.owner.node(value) }
}
