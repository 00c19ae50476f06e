import Testing
@testable import NoticeAudit

/// Hostile and ordinary DNS messages, built by hand (RFC 1035 §4).
@Suite("DNS message parser")
struct DNSMessageParserTests {
    static func name(_ text: String) -> [UInt8] {
        text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    static func header(rcode: UInt8 = 0, questions: UInt16 = 1, answers: UInt16 = 0, authorities: UInt16 = 0, additionals: UInt16 = 0) -> [UInt8] {
        [0x12, 0x34, 0x81, 0x80 | rcode] + [questions, answers, authorities, additionals].flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    static func question(_ text: String, type: UInt16) -> [UInt8] {
        name(text) + [UInt8(type >> 8), UInt8(type & 0xFF), 0, 1]
    }

    static func record(owner: [UInt8], type: UInt16, ttl: UInt32 = 300, data: [UInt8]) -> [UInt8] {
        owner + [UInt8(type >> 8), UInt8(type & 0xFF), 0, 1] + [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: ttl >> $0) }
            + [UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
    }

    @Test func parsesTXTStringsWithCompressionAndTTL() throws {
        // The answer's owner is a pointer to the question name at offset 12.
        let message = Self.header(answers: 2) + Self.question("ufl.edu", type: 16)
            + Self.record(owner: [0xC0, 12], type: 16, ttl: 600, data: [3] + Array("abc".utf8) + [2] + Array("de".utf8))
            + Self.record(owner: [0xC0, 12], type: 16, ttl: 120, data: [1] + Array("x".utf8))
        let response = try DNSMessageParser.parse(message, name: "UFL.edu.", type: .txt)
        #expect(response.answer == .records([.txt([Array("abc".utf8), Array("de".utf8)]), .txt([Array("x".utf8)])]))
        #expect(response.ttl == 120)
    }

    @Test func followsCNAMEsInTheAnswer() throws {
        let message = Self.header(answers: 2) + Self.question("a.example", type: 1)
            + Self.record(owner: [0xC0, 12], type: 5, data: Self.name("b.example"))
            + Self.record(owner: Self.name("b.example"), type: 1, data: [192, 0, 2, 1])
        #expect(try DNSMessageParser.parse(message, name: "a.example", type: .a).answer == .records([.a(IPAddress("192.0.2.1")!)]))
    }

    @Test func negativeAnswersTakeTheSOAMinimum() throws {
        let soa = Self.name("ns.example") + Self.name("host.example") + [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 30]
        let message = Self.header(rcode: 3, authorities: 1) + Self.question("x.example", type: 16) + Self.record(owner: Self.name("example"), type: 6, ttl: 900, data: soa)
        #expect(try DNSMessageParser.parse(message, name: "x.example", type: .txt) == DNSResponse(answer: .nxdomain, ttl: 30))
    }

    @Test(arguments: [
        ("header cut short", [UInt8](repeating: 0x81, count: 7)),
        ("compression loop", header(answers: 1) + question("a.example", type: 1) + [0xC0, 27, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4]),
        ("record overruns the message", header(answers: 1) + question("a.example", type: 16) + [0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 1, 0, 200, 5]),
        ("TXT string overruns its record", header(answers: 1) + question("a.example", type: 16) + record(owner: [0xC0, 12], type: 16, data: [9, 65])),
        ("A record of 3 bytes", header(answers: 1) + question("a.example", type: 1) + record(owner: [0xC0, 12], type: 1, data: [1, 2, 3])),
        ("unknown label type", header(answers: 1) + question("a.example", type: 1) + [0x80, 0, 1]),
        ("a query, not a response", [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0] + question("a.example", type: 1)),
        ("more records announced than present", header(answers: 3) + question("a.example", type: 1)),
    ])
    func hostileMessagesAreMalformed(_ description: String, message: [UInt8]) {
        #expect {
            _ = try DNSMessageParser.parse(message, name: "a.example", type: .a)
        } throws: { error in
            (error as? DNSLookupError)?.kind == .malformed
        }
    }

    @Test(arguments: [(UInt8(2), DNSLookupError.Kind.serverFailure), (5, .refused), (4, .other)])
    func errorCodesAreNoDefiniteAnswer(rcode: UInt8, kind: DNSLookupError.Kind) {
        let message = Self.header(rcode: rcode) + Self.question("a.example", type: 1)
        #expect { _ = try DNSMessageParser.parse(message, name: "a.example", type: .a) } throws: { ($0 as? DNSLookupError)?.kind == kind }
    }

    @Test func randomBytesNeverCrashTheParser() {
        var random = SeededGenerator(seed: 99)
        let base = Self.header(answers: 1, authorities: 1) + Self.question("a.example", type: 16) + Self.record(owner: [0xC0, 12], type: 16, data: [3, 65, 66, 67])
        for _ in 0..<20_000 {
            var message = base
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                message[Int.random(in: 0..<message.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if Bool.random(using: &random) { message.removeLast(Int.random(in: 0..<message.count, using: &random)) }
            _ = try? DNSMessageParser.parse(message, name: "a.example", type: .txt)
        }
    }
}
