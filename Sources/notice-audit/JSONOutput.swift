import Foundation

/// Prints a command's `--json` output: one object with `"schema_version"` at its top level
/// (shared/interface.md "Versioned machine output"), snake_case keys, sorted so that output is
/// stable, ISO 8601 dates. The shape of each output is `docs/schema/<command>.schema.json`.
enum JSONOutput {
    /// The version of every `--json` output's shape: raised when a key is removed or changes
    /// meaning; a new key does not raise it.
    static let schemaVersion = 1

    static func print<Value: Encodable>(_ value: Value) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        Swift.print(String(decoding: try encoder.encode(Versioned(value: value)), as: UTF8.self))
    }

    /// `value`'s own members and `schema_version` beside them, in one object.
    private struct Versioned<Value: Encodable>: Encodable {
        let value: Value

        enum Key: String, CodingKey { case schemaVersion = "schema_version" }

        func encode(to encoder: any Encoder) throws {
            try value.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(JSONOutput.schemaVersion, forKey: .schemaVersion)
        }
    }
}
