/// Text that someone outside the consortium controls (an SMTP banner, an SPF, DMARC or DKIM record,
/// a finding message quoting them), made safe for each output: a terminal, Markdown, HTML.
///
/// The rule everywhere: show what was seen, never let it act. Control characters (ANSI escape
/// sequences among them) become visible `\x1B`-style escapes, so a record that hides one is seen to
/// hide it and a terminal reading the digest or a CSV file is not driven by it.
public enum UntrustedText {
    /// `text` with every C0/C1 control character except line feed and tab written as `\xNN`
    /// (`\r` included: a lone carriage return rewrites a terminal line).
    public static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out.append(contentsOf: escaped(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// `text` on one line: ``visible(_:)`` with line feeds and tabs as `\n` and `\t` too.
    public static func singleLine(_ text: String) -> String {
        let visible = visible(text)
        guard visible.utf8.contains(where: { $0 == 0x0A || $0 == 0x09 }) else { return visible }
        return visible.replacingASCII("\n", with: "\\n").replacingASCII("\t", with: "\\t")
    }

    /// HTML text or attribute value: ``visible(_:)``, then `&`, `<`, `>`, `"` and `'` as entities
    /// (HTML Living Standard §13.1.2.6: safe in text and in quoted attributes).
    public static func html(_ text: String) -> String {
        // Printable ASCII without a character HTML reads is its own escape (most names, codes, domains).
        if text.utf8.allSatisfy({ byte in
            (0x20...0x7E).contains(byte) && byte != UInt8(ascii: "&") && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">")
                && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "'")
        }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for character in visible(text) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Inline Markdown text (CommonMark §2.4: any ASCII punctuation may be backslash-escaped):
    /// every character that could start emphasis, code, a link, raw HTML, an entity, strikethrough
    /// or a table cell boundary is escaped, and line breaks become spaces, so the text stays one
    /// paragraph of words. Characters that are inert where this text goes (parentheses without a
    /// link bracket, `_` inside a word, CommonMark §6.2) stay as they are, so that a letter reads
    /// well when pasted as plain text.
    public static func markdown(_ text: String) -> String {
        // Most text (messages, domains) is printable ASCII without a character Markdown reads:
        // it is its own escape, and the letters of a large run are written many times faster.
        if text.utf8.allSatisfy({ (0x20...0x7E).contains($0) && !markdownSpecialBytes.contains($0) }) { return text }
        let characters = Array(singleLineForMarkdown(text))
        var out = ""
        out.reserveCapacity(characters.count + 16)
        let tildes = characters.count { $0 == "~" }
        // Emphasis with `_` needs a closing one: preceded by a non-space, not followed by a letter or digit.
        let underscoreCanClose = characters.indices.contains { index in canCloseEmphasis(characters, index) }
        for (index, character) in characters.enumerated() {
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if character == "~" {
                // GFM strikethrough needs a pair: a lone `~` (`~all`) is inert.
                if tildes > 1 { out.append("\\") }
            } else if character == "&" {
                // Only `&name;` or `&#…;` can be an entity (CommonMark §6.2).
                if let next, next.isLetter || next == "#" { out.append("\\") }
            } else if character == ">" {
                // Inline, `>` acts only where it could open a block quote.
                if index == 0 { out.append("\\") }
            } else if markdownSpecial.contains(character) {
                out.append("\\")
            } else if character == "_" {
                // Without a possible closing `_`, an opening one (`_dmarc.…`) is inert.
                if !isInWord(characters, index), underscoreCanClose { out.append("\\") }
            }
            out.append(character)
        }
        return out
    }

    /// True when the `_` at `index` could close emphasis (CommonMark §6.2, right-flanking): a
    /// non-space before it, and no letter or digit after it.
    private static func canCloseEmphasis(_ characters: [Character], _ index: Int) -> Bool {
        guard characters[index] == "_", index > 0, !characters[index - 1].isWhitespace else { return false }
        return index + 1 == characters.count || !characters[index + 1].isLetterOrDigit
    }

    /// True when the character at `index` has a letter or digit on both sides (CommonMark §6.2:
    /// an underscore there neither opens nor closes emphasis).
    private static func isInWord(_ characters: [Character], _ index: Int) -> Bool {
        index > 0 && index + 1 < characters.count && characters[index - 1].isLetterOrDigit && characters[index + 1].isLetterOrDigit
    }

    /// A Markdown code span (CommonMark §6.1) showing `text` literally: delimited by one backtick
    /// more than the longest backtick run inside, padded when it starts or ends with a backtick.
    /// In a table cell (`inTable`) a `|` is written `\|`, which GitHub-flavoured Markdown takes as
    /// a pipe inside the span rather than a cell boundary.
    public static func markdownCode(_ text: String, inTable: Bool = false) -> String {
        var body = singleLineForMarkdown(text)
        if inTable { body = body.replacingASCII("|", with: "\\|") }
        if body.isEmpty { return "` `" }
        let fence = String(repeating: "`", count: longestBacktickRun(body) + 1)
        let pad = body.first == "`" || body.last == "`" || (body.first == " " && body.last == " ") ? " " : ""
        return fence + pad + body + pad + fence
    }

    /// A fenced Markdown code block (CommonMark §4.5) holding `text` literally: the fence is longer
    /// than any backtick run inside.
    public static func markdownBlock(_ text: String, info: String = "") -> String {
        let body = visible(text)
        let fence = String(repeating: "`", count: max(3, longestBacktickRun(body) + 1))
        return "\(fence)\(info)\n\(body)\n\(fence)"
    }

    private static let markdownSpecial: Set<Character> = ["\\", "`", "*", "[", "]", "<", ">", "|", "~", "&"]
    /// The ASCII bytes `markdown(_:)` may escape: ``markdownSpecial`` and `_`.
    private static let markdownSpecialBytes: Set<UInt8> = Set("\\`*[]<>|~&_".utf8)

    private static func singleLineForMarkdown(_ text: String) -> String {
        visible(text).replacingASCII("\n", with: " ").replacingASCII("\t", with: " ")
    }


    private static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0, current = 0
        for character in text {
            current = character == "`" ? current + 1 : 0
            longest = max(longest, current)
        }
        return longest
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        // Bidirectional overrides and isolates (CVE-2021-42574): text that reads differently than it is.
        case 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return scalar.value <= 0xFF ? "\\x" + (hex.count == 1 ? "0" + hex : hex) : "\\u{\(hex)}"
    }
}

extension Character {
    /// A letter or a digit, in any script.
    var isLetterOrDigit: Bool { isLetter || isNumber }
}
