/// A line and column in a JSON text, both counted from 1 (columns count Unicode scalars).
public struct JSONPosition: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "line \(line), column \(column)" }
}

/// A parsed JSON value that remembers where it stood in the text, so that problems can be reported
/// with both a JSON path and a line and column.
public struct JSONNode: Sendable, Equatable {
    public var value: JSONValue
    public var position: JSONPosition

    public init(_ value: JSONValue, at position: JSONPosition) {
        self.value = value
        self.position = position
    }
}

/// One `"key": value` pair of an object, in document order. Duplicate keys are kept (RFC 8259 §4
/// leaves them undefined), so that a validator can report them instead of silently keeping one.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var keyPosition: JSONPosition
    public var value: JSONNode
}

/// A JSON value (RFC 8259).
public indirect enum JSONValue: Sendable, Equatable {
    case object([JSONMember])
    case array([JSONNode])
    case string(String)
    /// A number with its literal text, so that `587` and `587.0` can be told apart.
    case number(Double, literal: String)
    case bool(Bool)
    case null

    /// The name of the value's kind, as written in error messages ("a string", "an object").
    public var kindDescription: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}
