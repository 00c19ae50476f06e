import Foundation
import Testing
@testable import NoticeAudit

/// `JSONTextEncoder` writes the bytes Foundation's `JSONEncoder` writes, for history's options and
/// for scan.json's, on values made to hit every rule and on the lab's real results.
struct JSONTextEncoderTests {
    enum Verdict: String, Codable, CodingKeyRepresentable { case pass, softfail, temperror }

    struct Inner: Codable, Equatable {
        var hostName = "mail.example.edu"
        var emptyList: [Int] = []
        var emptyMap: [String: Int] = [:]
        var nested: [[String]] = [["a"], []]
    }

    struct Everything: Codable, Equatable {
        var plain = "plain"
        var myURLProperty = "https://example.edu/a/b"
        var controlCharacters = String(decoding: (0..<0x20).map { UInt8($0) } + Array("\"\\/ é ☃ \u{7f} \u{2028}".utf8), as: UTF8.self)
        var whole: Double = 3
        var fraction: Double = 786_529_829.474
        var large: Double = 1e21
        var small: Double = 1e-7
        var negative = -42
        var extremes: [Int64] = [.min, .max, 0, 9, 10]
        var unsigned: UInt64 = .max
        var flags = [true, false]
        var missing: String?
        var present: String? = "here"
        var explicitNull: String??  = .some(nil)
        var started = Date(timeIntervalSinceReferenceDate: 786_529_829.974)
        var finished: Date? = Date(timeIntervalSince1970: 0)
        var byDomain: [String: Inner] = ["Lib.Example.EDU": Inner(), "a.example.edu": Inner(hostName: "x")]
        var byVerdict: [Verdict: [String]] = [.pass: ["192.0.2.0/24"], .softfail: [], .temperror: ["2001:db8::/32"]]
        var inners = [Inner(), Inner(hostName: "y")]
        var a = "one letter key"
        var dkimSeen2048 = 1
        var ABCKey = 2
        var allUPPER = 3
    }

    static func foundation(_ configure: (JSONEncoder) -> Void, _ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        configure(encoder)
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func history(_ encoder: JSONEncoder) {}
    static func historySorted(_ encoder: JSONEncoder) { encoder.outputFormatting = [.sortedKeys] }
    static func scanJSON(_ encoder: JSONEncoder) {
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
    }

    static func ours(history sorted: Bool) -> JSONTextEncoder {
        let encoder = JSONTextEncoder()
        encoder.sortedKeys = sorted
        return encoder
    }

    /// scan.json's encoder as the renderer sets it up, to be compared with `scanJSON`'s Foundation options.
    static func oursScanJSON() -> JSONTextEncoder { JSONReportRenderer.encoder() }

    @Test func everyRuleWrittenAsFoundationWritesIt() throws {
        let value = Everything()
        #expect(try Self.oursScanJSON().encodeString(value) == Self.foundation(Self.scanJSON, value))
        #expect(try Self.ours(history: true).encodeString(value) == Self.foundation(Self.historySorted, value))
        // Unsorted, the members come in encoding order (Foundation's order is its dictionary's): the same document.
        let unsorted = try Self.ours(history: false).encode(value)
        let decoded = try JSONDecoder().decode(Everything.self, from: Data(unsorted))
        #expect(decoded == (try JSONDecoder().decode(Everything.self, from: JSONEncoder().encode(value))))
        #expect(decoded.byDomain == value.byDomain && decoded.started == value.started)
    }

    @Test(arguments: ["myURLProperty", "a", "A", "already_snake", "dkimSeen", "ABCKey", "allUPPER", "x1Y2z", "", "catalogSnapshotId", "iPv6Address"])
    func keysConvertedAsConvertToSnakeCase(_ key: String) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        struct One: Encodable {
            let key: String
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(1, forKey: Key(stringValue: key))
            }
        }
        let expected = String(decoding: try encoder.encode(One(key: key)), as: UTF8.self)
        let ours = JSONTextEncoder()
        ours.snakeCaseKeys = true
        #expect(try ours.encodeString(One(key: key)) == expected)
    }
}
