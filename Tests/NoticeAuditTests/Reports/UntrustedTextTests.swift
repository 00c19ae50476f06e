import Testing
@testable import NoticeAudit

@Suite("Remote-controlled text in each output")
struct UntrustedTextTests {
    @Test(arguments: [
        ("plain", "plain"), ("\u{1B}[31mred\u{1B}[0m", "\\x1B[31mred\\x1B[0m"), ("a\rb", "a\\x0Db"), ("nul\u{0}", "nul\\x00"),
        ("line\nfeed\ttab", "line\nfeed\ttab"), ("c1\u{9B}", "c1\\x9B"), ("bidi\u{202E}txt", "bidi\\u{202E}txt"), ("é ✓", "é ✓"),
    ])
    func controlCharactersBecomeVisible(text: String, expected: String) {
        #expect(UntrustedText.visible(text) == expected)
    }

    @Test func singleLineKeepsOneLine() {
        #expect(UntrustedText.singleLine("a\nb\tc\r") == "a\\nb\\tc\\x0D")
    }

    @Test func htmlEscapesMarkupQuotesAndAmpersands() {
        #expect(UntrustedText.html(#"<script>alert("x")</script> & 'q'"#) == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;")
        #expect(UntrustedText.html("\u{1B}[1m") == "\\x1B[1m")
    }

    /// CommonMark §2.4: backslash escapes for ASCII punctuation; line breaks become spaces.
    @Test func markdownEscapesEverythingThatCouldBecomeMarkup() {
        #expect(UntrustedText.markdown("*bold* _em_ `code` [l](u) <b> a|b ~s~ &amp; #1 !x {}") ==
                ##"\*bold\* \_em\_ \`code\` \[l\](u) \<b> a\|b \~s\~ \&amp; #1 !x {}"##)
        // Letters read as plain text too (issue 19): what cannot act here is not escaped: a lone
        // `~` (strikethrough needs a pair), `&` that cannot start an entity, `>` inside a line.
        #expect(UntrustedText.markdown("v=spf1 ip4:192.0.2.1 ~all") == "v=spf1 ip4:192.0.2.1 ~all")
        #expect(UntrustedText.markdown("a & b -> c") == "a & b -> c")
        #expect(UntrustedText.markdown("> quoted") == ##"\> quoted"##)
        // Inert where the text goes: an underscore inside a word, parentheses without a bracket.
        // A lone `_` outside a word cannot open emphasis without a closing one (issue 19: letters
        // read as plain text); two of them could, and are escaped.
        #expect(UntrustedText.markdown("check_host() of _dmarc.x") == "check_host() of _dmarc.x")
        #expect(UntrustedText.markdown("_em_ and _dmarc") == ##"\_em\_ and \_dmarc"##)
        #expect(UntrustedText.markdown("one\ntwo") == "one two")
        #expect(UntrustedText.markdown("v=spf1 include:spf-na.exlibrisgroup.com -all") == "v=spf1 include:spf-na.exlibrisgroup.com -all")
    }

    /// CommonMark §6.1: a code span's fence is longer than any backtick run inside.
    @Test func codeSpansHoldBackticksAndPipes() {
        #expect(UntrustedText.markdownCode("v=spf1 -all") == "`v=spf1 -all`")
        #expect(UntrustedText.markdownCode("a `b` c") == "``a `b` c``")
        #expect(UntrustedText.markdownCode("`edge``") == "``` `edge`` ```")
        #expect(UntrustedText.markdownCode("a|b", inTable: true) == "`a\\|b`")
        #expect(UntrustedText.markdownCode("a\nb") == "`a b`")
        #expect(UntrustedText.markdownBlock("x ```` y") == "`````\nx ```` y\n`````")
    }
}
