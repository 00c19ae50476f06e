/// A JSON text that could not be parsed, with the place where parsing stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var position: JSONPosition

    public var description: String { "\(message) at \(position)" }
}

/// A strict RFC 8259 parser that records the position of every value.
///
/// Foundation's `JSONSerialization` neither keeps duplicate keys nor tells where a value stood; an
/// inventory validator needs both.
public struct JSONParser {
    /// Where a value starts in the text: enough to parse it again on its own, with the positions it
    /// has in the whole document.
    public struct Mark: Sendable {
        let index: Int
        let line: Int
        let lineStart: Int
        let column: Int
    }

    /// The elements of a deferred array (``parse(_:deferringElementsOf:)``), each parsed when asked.
    public struct DeferredElements: Sendable {
        private let bytes: [UInt8]
        public let marks: [Mark]

        init(bytes: [UInt8], marks: [Mark]) {
            self.bytes = bytes
            self.marks = marks
        }

        public var count: Int { marks.count }

        /// Element `offset`, parsed again from the text (it parsed once already, so it cannot fail).
        public func element(_ offset: Int) throws(JSONSyntaxError) -> JSONNode {
            let mark = marks[offset]
            var parser = JSONParser(bytes: bytes)
            parser.index = mark.index
            parser.line = mark.line
            parser.lineStart = mark.lineStart
            parser.columnAnchor = (mark.index, mark.column)
            parser.depth = 2
            return try parser.parseValue()
        }
    }

    private let bytes: [UInt8]
    /// The key of the root object whose array's elements are checked and marked, not kept.
    private var deferredKey: String?
    private var deferredMarks: [Mark] = []
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var depth = 0
    private static let maximumDepth = 256

    /// Parses one JSON text (RFC 8259 §2): a value surrounded by optional white space.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONNode {
        try parse(text, deferringElementsOf: nil).root
    }

    /// Parses one JSON text, but the elements of the array at `key` of the root object are only
    /// checked and marked: the root holds an empty array there, and `deferred` parses each element
    /// again when asked. A document of 100,000 institutions is then never a tree in memory at once.
    public static func parse(_ text: String, deferringElementsOf key: String?) throws(JSONSyntaxError) -> (root: JSONNode, deferred: DeferredElements) {
        var parser = JSONParser(bytes: Array(text.utf8))
        parser.deferredKey = key
        let root = try parser.parseDocument()
        return (root, DeferredElements(bytes: parser.bytes, marks: parser.deferredMarks))
    }

    private mutating func parseDocument() throws(JSONSyntaxError) -> JSONNode {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3; lineStart = 3 }
        skipWhitespace()
        let node = try parseValue()
        skipWhitespace()
        if index < bytes.count {
            throw error("unexpected \(describeCurrent()) after the end of the document")
        }
        return node
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The last column computed on the current line: positions are asked in increasing order, so
    /// counting on from it keeps a document written on one long line linear, not quadratic.
    private var columnAnchor = (index: 0, column: 1)

    /// The position of the current byte: its line, and its column in Unicode scalars (the bytes
    /// that start a UTF-8 sequence; the text came from a Swift string, so it is valid UTF-8).
    private var position: JSONPosition {
        JSONPosition(line: line, column: Self.column(in: bytes, from: lineStart, to: min(index, bytes.count), anchor: nil))
    }

    /// ``position``, counting on from the last column computed on this line.
    private mutating func currentPosition() -> JSONPosition {
        let end = min(index, bytes.count)
        let anchor = columnAnchor.index >= lineStart && columnAnchor.index <= end ? columnAnchor : nil
        let column = Self.column(in: bytes, from: lineStart, to: end, anchor: anchor)
        columnAnchor = (end, column)
        return JSONPosition(line: line, column: column)
    }

    private static func column(in bytes: [UInt8], from lineStart: Int, to end: Int, anchor: (index: Int, column: Int)?) -> Int {
        var column = anchor?.column ?? 1
        var offset = anchor?.index ?? lineStart
        while offset < end {
            if bytes[offset] & 0xC0 != 0x80 { column += 1 }
            offset += 1
        }
        return column
    }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(message: message, position: position)
    }

    private func describeCurrent() -> String {
        guard index < bytes.count else { return "end of file" }
        let byte = bytes[index]
        if byte >= 0x20 && byte < 0x7F { return "character '\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D: index += 1
            case 0x0A:
                index += 1
                line += 1
                lineStart = index
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONNode {
        let start = currentPosition()
        guard index < bytes.count else { throw error("expected a value but found the end of file") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return JSONNode(try parseObject(), at: start)
        case UInt8(ascii: "["): return JSONNode(try parseArray(), at: start)
        case UInt8(ascii: "\""): return JSONNode(.string(try parseString()), at: start)
        case UInt8(ascii: "t"): try expectLiteral("true"); return JSONNode(.bool(true), at: start)
        case UInt8(ascii: "f"): try expectLiteral("false"); return JSONNode(.bool(false), at: start)
        case UInt8(ascii: "n"): try expectLiteral("null"); return JSONNode(.null, at: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return JSONNode(try parseNumber(), at: start)
        default: throw error("expected a value but found \(describeCurrent())")
        }
    }

    private mutating func expectLiteral(_ literal: String) throws(JSONSyntaxError) {
        for expected in literal.utf8 {
            guard index < bytes.count, bytes[index] == expected else {
                throw error("invalid literal: expected '\(literal)'")
            }
            index += 1
        }
    }

    private mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maximumDepth { throw error("nesting deeper than \(Self.maximumDepth) levels") }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [JSONMember] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a quoted key but found \(describeCurrent())")
            }
            let keyPosition = currentPosition()
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after key \"\(key)\" but found \(describeCurrent())")
            }
            index += 1
            skipWhitespace()
            if depth == 1, key == deferredKey, index < bytes.count, bytes[index] == UInt8(ascii: "[") {
                members.append(JSONMember(key: key, keyPosition: keyPosition, value: try parseDeferredArray()))
            } else {
                members.append(JSONMember(key: key, keyPosition: keyPosition, value: try parseValue()))
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unterminated object: expected ',' or '}'") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("expected ',' or '}' but found \(describeCurrent())")
        }
    }

    /// An array whose elements are parsed, marked and dropped (``parse(_:deferringElementsOf:)``).
    private mutating func parseDeferredArray() throws(JSONSyntaxError) -> JSONNode {
        let start = currentPosition()
        try enter()
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return JSONNode(.array([]), at: start) }
        while true {
            skipWhitespace()
            let position = currentPosition()
            deferredMarks.append(Mark(index: index, line: line, lineStart: lineStart, column: position.column))
            _ = try parseValue()
            skipWhitespace()
            guard index < bytes.count else { throw error("unterminated array: expected ',' or ']'") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return JSONNode(.array([]), at: start) }
            throw error("expected ',' or ']' but found \(describeCurrent())")
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var elements: [JSONNode] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("unterminated array: expected ',' or ']'") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            throw error("expected ',' or ']' but found \(describeCurrent())")
        }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var pendingRun: [UInt8] = []
        func flush(_ run: inout [UInt8], into scalars: inout String.UnicodeScalarView) {
            if !run.isEmpty { scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars); run.removeAll() }
        }
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                flush(&pendingRun, into: &scalars)
                return String(scalars)
            case UInt8(ascii: "\\"):
                flush(&pendingRun, into: &scalars)
                index += 1
                guard index < bytes.count else { throw error("unterminated escape sequence") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"): scalars.append(try parseUnicodeEscape())
                default:
                    index -= 1
                    throw error("invalid escape sequence '\\\(Character(Unicode.Scalar(escape)))'")
                }
            case 0x00..<0x20:
                throw error("control character \(describeCurrent()) inside a string (escape it)")
            default:
                pendingRun.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseHexQuad() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("incomplete \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Self.hexValue(bytes[index]) else { throw error("invalid hex digit in \\u escape") }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private mutating func parseUnicodeEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
        let first = try parseHexQuad()
        if (0xD800...0xDBFF).contains(first) {
            guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw error("unpaired UTF-16 surrogate in \\u escape")
            }
            index += 2
            let second = try parseHexQuad()
            guard (0xDC00...0xDFFF).contains(second) else { throw error("invalid UTF-16 surrogate pair") }
            let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            guard let scalar = Unicode.Scalar(combined) else { throw error("invalid \\u escape") }
            return scalar
        }
        guard let scalar = Unicode.Scalar(first) else { throw error("unpaired UTF-16 surrogate in \\u escape") }
        return scalar
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard isDigit(index) else { throw error("invalid number: expected a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(index) { throw error("invalid number: leading zeros are not allowed") }
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { throw error("invalid number: expected a digit after '.'") }
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { throw error("invalid number: expected a digit in the exponent") }
            while isDigit(index) { index += 1 }
        }
        let literal = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(literal) else { throw error("invalid number '\(literal)'") }
        return .number(value, literal: literal)
    }
}
