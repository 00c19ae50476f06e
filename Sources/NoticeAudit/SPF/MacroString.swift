/// A parsed macro-string (RFC 7208 §7.1): literal text and macros such as `%{ir}`.
public struct MacroString: Sendable, Hashable, CustomStringConvertible {
    /// One macro: `%{` letter transformers delimiters `}`.
    public struct Macro: Sendable, Hashable {
        /// The macro letter, lower case (`s`, `l`, `o`, `d`, `i`, `p`, `h`, `c`, `r`, `t`, `v`).
        public var letter: Character
        /// Upper-case letters URL-escape the expansion (RFC 7208 §7.3).
        public var urlEscaped: Bool
        /// How many right-hand parts to keep; nil keeps all.
        public var keep: Int?
        public var reversed: Bool
        /// The delimiters to split on; empty means ".".
        public var delimiters: [Character]
    }

    public enum Part: Sendable, Hashable {
        case literal(String)
        case macro(Macro)
    }

    /// Why a text is not a valid macro-string.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var description: String { "\(message) (at character \(offset + 1))" }
    }

    /// Immutable and shared: copying a macro-string (every evaluation does, many times) costs one
    /// reference count.
    private final class Storage: Sendable {
        let parts: [Part]
        let text: String
        let plainName: String?
        let plainNameProblem: String?
        let hasMacros: Bool

        init(parts: [Part], text: String, plainName: String?, plainNameProblem: String?) {
            self.parts = parts
            self.text = text
            self.plainName = plainName
            self.plainNameProblem = plainNameProblem
            self.hasMacros = parts.contains { if case .macro = $0 { true } else { false } }
        }
    }

    private let storage: Storage

    public var parts: [Part] { storage.parts }
    /// The text as written.
    public var text: String { storage.text }
    /// For a domain-spec without macros: the name, normalized, and what makes it unusable (RFC
    /// 7208 §4.3), computed once at parse time rather than at every evaluation.
    var plainName: String? { storage.plainName }
    var plainNameProblem: String? { storage.plainNameProblem }

    public static func == (lhs: MacroString, rhs: MacroString) -> Bool {
        lhs.storage === rhs.storage || (lhs.text == rhs.text && lhs.parts == rhs.parts)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    /// Letters every macro-string may use; `c`, `r` and `t` only in explanations (RFC 7208 §7.2).
    static let domainLetters: Set<Character> = ["s", "l", "o", "d", "i", "p", "h", "v"]
    static let explanationLetters: Set<Character> = domainLetters.union(["c", "r", "t"])
    static let delimiterCharacters: Set<Character> = [".", "-", "+", ",", "/", "_", "="]

    /// Parses `text`. In an explanation (`exp=` TXT) spaces and the letters `c`, `r`, `t` are allowed.
    public init(parsing text: String, explanation: Bool = false) throws(SyntaxError) {
        var parts: [Part] = []
        var literal = ""
        let characters = Array(text)
        var index = 0
        func flush() {
            if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
        }
        while index < characters.count {
            let character = characters[index]
            guard character.isASCII, let scalar = character.unicodeScalars.first, scalar.value >= 0x20, scalar.value < 0x7F else {
                throw SyntaxError(message: "character outside printable ASCII", offset: index)
            }
            if character == " " && !explanation {
                throw SyntaxError(message: "space inside a term", offset: index)
            }
            guard character == "%" else {
                literal.append(character)
                index += 1
                continue
            }
            guard index + 1 < characters.count else { throw SyntaxError(message: "'%' at the end of a macro-string", offset: index) }
            switch characters[index + 1] {
            case "%": literal.append("%"); index += 2
            case "_": literal.append(" "); index += 2
            case "-": literal.append("%20"); index += 2
            case "{":
                flush()
                let (macro, next) = try Self.parseMacro(characters, from: index, explanation: explanation)
                parts.append(.macro(macro))
                index = next
            default:
                throw SyntaxError(message: "'%' must be followed by '{', '%', '_' or '-'", offset: index)
            }
        }
        flush()
        var plainName: String?, plainNameProblem: String?
        if !explanation, parts.count <= 1, case .literal(let literal)? = parts.first ?? .literal(""), literal.utf8.count <= 253 {
            plainName = SPFEvaluationRun.normalized(literal)
            plainNameProblem = SPFEvaluationRun.domainProblem(literal)
        }
        storage = Storage(parts: parts, text: text, plainName: plainName, plainNameProblem: plainNameProblem)
    }

    private static func parseMacro(_ characters: [Character], from start: Int, explanation: Bool) throws(SyntaxError) -> (Macro, Int) {
        var index = start + 2
        guard index < characters.count else { throw SyntaxError(message: "unterminated macro", offset: start) }
        let rawLetter = characters[index]
        let letter = Character(rawLetter.lowercased())
        let allowed = explanation ? explanationLetters : domainLetters
        guard rawLetter.isASCII, rawLetter.isLetter, allowed.contains(letter) else {
            throw SyntaxError(message: "unknown macro letter '\(rawLetter)'", offset: index)
        }
        index += 1
        var digits = ""
        while index < characters.count, characters[index].isASCII, characters[index].isNumber {
            digits.append(characters[index])
            index += 1
        }
        var keep: Int?
        if !digits.isEmpty {
            // RFC 7208 §7.3: "If a DIGIT is specified, the value MUST be nonzero."
            guard let value = Int(digits.prefix(9)), value > 0 else { throw SyntaxError(message: "macro digit transformer must be nonzero", offset: index - digits.count) }
            keep = value
        }
        var reversed = false
        if index < characters.count, characters[index] == "r" || characters[index] == "R" {
            reversed = true
            index += 1
        }
        var delimiters: [Character] = []
        while index < characters.count, delimiterCharacters.contains(characters[index]) {
            delimiters.append(characters[index])
            index += 1
        }
        guard index < characters.count, characters[index] == "}" else {
            throw SyntaxError(message: "malformed macro: expected '}'", offset: index)
        }
        let macro = Macro(letter: letter, urlEscaped: rawLetter.isUppercase, keep: keep, reversed: reversed, delimiters: delimiters)
        return (macro, index + 1)
    }

    /// True when the string contains at least one macro.
    public var hasMacros: Bool { storage.hasMacros }

    /// The letters this string uses.
    public var letters: Set<Character> {
        Set(parts.compactMap { if case .macro(let macro) = $0 { macro.letter } else { nil } })
    }

    public var description: String { text }
}

extension MacroString.Macro {
    /// Applies the transformers and URL escaping of RFC 7208 §7.3 to the macro's raw value.
    func transform(_ value: String) -> String {
        let splitters: Set<Character> = delimiters.isEmpty ? ["."] : Set(delimiters)
        var labels = value.split(omittingEmptySubsequences: false, whereSeparator: { splitters.contains($0) }).map(String.init)
        if reversed { labels.reverse() }
        if let keep, keep < labels.count { labels = Array(labels.suffix(keep)) }
        let joined = labels.joined(separator: ".")
        return urlEscaped ? Self.urlEscape(joined) : joined
    }

    /// Escapes every character outside the RFC 3986 §2.3 unreserved set as `%XX` (UTF-8).
    static func urlEscape(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let unreserved = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            if unreserved {
                result.append(Character(Unicode.Scalar(byte)))
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
