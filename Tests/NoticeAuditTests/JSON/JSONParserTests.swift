import Testing
@testable import NoticeAudit

@Suite("JSON parser (RFC 8259)")
struct JSONParserTests {
    @Test func parsesNestedValuesWithPositions() throws {
        let node = try JSONParser.parse("{\n  \"a\": [1, -2.5e3, true, null],\n  \"b\": \"x\\u00e9\\ud83d\\ude00\"\n}")
        guard case .object(let members) = node.value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["a", "b"])
        #expect(members[0].keyPosition == JSONPosition(line: 2, column: 3))
        #expect(members[1].value.value == .string("xé😀"))
        guard case .array(let items) = members[0].value.value else { Issue.record("not an array"); return }
        #expect(items.map(\.value) == [.number(1, literal: "1"), .number(-2500, literal: "-2.5e3"), .bool(true), .null])
        #expect(items[1].position == JSONPosition(line: 2, column: 12))
    }

    /// Columns count Unicode scalars, also far along one long line (the positions are counted on
    /// from the previous one, so a one-line inventory parses in linear time).
    @Test func columnsCountScalarsAlongOneLongLine() throws {
        let padding = String(repeating: "é", count: 5000)
        let node = try JSONParser.parse("[\"\(padding)\", \"😀\", 7, {\"k\": 1}]")
        guard case .array(let items) = node.value else { Issue.record("not an array"); return }
        #expect(items.map(\.position.column) == [2, 5006, 5011, 5014])
        guard case .object(let members) = items[3].value else { Issue.record("not an object"); return }
        #expect(members[0].keyPosition == JSONPosition(line: 1, column: 5015))
        let error = #expect(throws: JSONSyntaxError.self) { try JSONParser.parse("[\"😀\", tru]") }
        #expect(error?.position == JSONPosition(line: 1, column: 10), "the emoji is one column")
    }

    @Test func keepsDuplicateKeys() throws {
        let node = try JSONParser.parse(#"{"a": 1, "a": 2}"#)
        guard case .object(let members) = node.value else { Issue.record("not an object"); return }
        #expect(members.count == 2)
    }

    @Test(arguments: [
        ("", "expected a value but found the end of file"),
        ("{\"a\" 1}", "expected ':' after key \"a\""),
        ("[1 2]", "expected ',' or ']'"),
        ("01", "leading zeros"),
        ("\"abc", "unterminated string"),
        ("\"a\tb\"", "control character"),
        ("{} x", "after the end of the document"),
        ("[tru]", "invalid literal"),
        ("\"\\ud800\"", "unpaired UTF-16 surrogate"),
        (String(repeating: "[", count: 300), "nesting deeper"),
    ])
    func rejectsMalformedText(text: String, message: String) {
        #expect {
            _ = try JSONParser.parse(text)
        } throws: { error in
            (error as? JSONSyntaxError)?.message.contains(message) == true
        }
    }
}
