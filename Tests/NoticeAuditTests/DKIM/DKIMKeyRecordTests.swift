import Foundation
import Testing
@testable import NoticeAudit

/// DKIM key records judged (RFC 6376 §3.2, §3.6.1; RFC 8301; RFC 8463) on fixed keys made with
/// `openssl genpkey` (the lab's generated corpus is compared with dkimpy in test_dkim_corpus.py).
@Suite("DKIM key records")
struct DKIMKeyRecordTests {
    static let rsa512SPKI = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAK9V9Lf+KLVEtfPYYdOnqhwGxppAq4Ve/bnH30W2HcNeb/10s2IPpQVu5DbheitpTEpmT4hLUMbu6leO5GjTpAkCAwEAAQ=="
    static let rsa512PKCS1 = "MEgCQQCvVfS3/ii1RLXz2GHTp6ocBsaaQKuFXv25x99Fth3DXm/9dLNiD6UFbuQ24XoraUxKZk+IS1DG7upXjuRo06QJAgMBAAE="
    static let rsa1024SPKI = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDAQizQPxHAUuyl5sxxQE3KIkIZ2PQ498HM+GadMmvZf/KDYGPioDMIh7XuQOqzvvmpp4CllO+gWsVryalmT07ZqSiqtNzuMRyDr7YWZxNs9dXOxp9ppPYQqd5Hsbhe4XGBrFXkOBo7t8yKCOYd7Wne8B8e1UlGscwGBJbOWT0dswIDAQAB"
    static let rsa1024PKCS1 = "MIGJAoGBAMBCLNA/EcBS7KXmzHFATcoiQhnY9Dj3wcz4Zp0ya9l/8oNgY+KgMwiHte5A6rO++amngKWU76BaxWvJqWZPTtmpKKq03O4xHIOvthZnE2z11c7Gn2mk9hCp3kexuF7hcYGsVeQ4Gju3zIoI5h3tad7wHx7VSUaxzAYEls5ZPR2zAgMBAAE="
    static let rsa2048SPKI = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArmPvbJy+qK583cIRQsiS+XOZC4E4sGxdwM4MI8m71C0wyhBRM/wicjI0m6pmSvYJZM7HhNWGGLRhgQ992vetywMsJz61a5/bydJVpOcWpBqYTbwfBd+di5dktJm4DvIFBVBgcqYCQ1XPTJC6LqnMHub9Skf7u3FWQ7G5SSM+GcFNfErLsKD21kj0P3j0pCxCmcZYaqegFwG3h1H0rn/6w8u6Oavv0tYp5QIc+qK5FRBwBEDV4DsRu0TrB8FPlSZiWJOBecfGWgpi2624hnxagNLfASB3/zPghACZiqxzNoOZDvI4h0s0GD2Mnh0Y7drvEePHanY8LKj4EmdgYrxEXwIDAQAB"
    static let rsa2048PKCS1 = "MIIBCgKCAQEArmPvbJy+qK583cIRQsiS+XOZC4E4sGxdwM4MI8m71C0wyhBRM/wicjI0m6pmSvYJZM7HhNWGGLRhgQ992vetywMsJz61a5/bydJVpOcWpBqYTbwfBd+di5dktJm4DvIFBVBgcqYCQ1XPTJC6LqnMHub9Skf7u3FWQ7G5SSM+GcFNfErLsKD21kj0P3j0pCxCmcZYaqegFwG3h1H0rn/6w8u6Oavv0tYp5QIc+qK5FRBwBEDV4DsRu0TrB8FPlSZiWJOBecfGWgpi2624hnxagNLfASB3/zPghACZiqxzNoOZDvI4h0s0GD2Mnh0Y7drvEePHanY8LKj4EmdgYrxEXwIDAQAB"
    static let ed25519Raw = "PErER06FCnIj1gk4iDaAKIo6dZbz5wu/J1MKFkecyng="
    static let ecP256SPKI = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEasBFzrmBcz/pmhu0psPG37wtlRhVgGj7ZJ/i0UlzLxGKuuLfljvHAZBL00hGA1TDd8uvRHBqu4MDwhJpIjnAhA=="

    @Test(arguments: [
        ("v=DKIM1; k=rsa; p=\(rsa2048SPKI)", DKIMKeyStatus.ok, "rsa", 2048),
        ("p=\(rsa2048PKCS1)", .ok, "rsa", 2048),
        ("v=DKIM1; p=\(rsa1024SPKI)", .weak, "rsa", 1024),
        ("v=DKIM1; p=\(rsa1024PKCS1);", .weak, "rsa", 1024),
        ("v=DKIM1; p=\(rsa512SPKI)", .tooWeak, "rsa", 512),
        ("k=rsa; p=\(rsa512PKCS1)", .tooWeak, "rsa", 512),
        ("v=DKIM1; k=ed25519; p=\(ed25519Raw)", .ok, "ed25519", 256),
    ] as [(String, DKIMKeyStatus, String, Int)])
    func keysAreMeasured(record: String, status: DKIMKeyStatus, type: String, bits: Int) {
        let judged = DKIMKeyRecord(text: record)
        #expect(judged.status == status, "\(judged.problems)")
        #expect(judged.keyType == type)
        #expect(judged.keyBits == bits)
    }

    @Test(arguments: [
        ("v=DKIM1; p=", DKIMKeyStatus.revoked, "revoked"),
        ("v=DKIM1; k=rsa; p= ;", .revoked, "revoked"),
        ("v=DKIM2; p=\(rsa2048SPKI)", .invalid, "v=DKIM2 is not DKIM1"),
        ("k=rsa; v=DKIM1; p=\(rsa2048SPKI)", .invalid, "v= must be the first tag"),
        ("v=DKIM1; k=dsa; p=\(rsa2048SPKI)", .invalid, "k=dsa"),
        ("v=DKIM1; s=tls; p=\(rsa2048SPKI)", .invalid, "excludes email"),
        ("v=DKIM1; p=\(rsa2048SPKI); p=\(rsa1024SPKI)", .invalid, "occurs twice"),
        ("v=DKIM1; k=rsa", .invalid, "no p= tag"),
        ("v=DKIM1; p=not*base64!", .invalid, "not valid base64"),
        ("v=DKIM1; p=\(rsa2048SPKI.prefix(100))", .invalid, "neither an RSA SubjectPublicKeyInfo nor an RSAPublicKey"),
        ("v=DKIM1; p=\(ecP256SPKI)", .invalid, "another algorithm"),
        ("v=DKIM1; k=ed25519; p=\(rsa2048SPKI)", .invalid, "32 bytes"),
        ("this is not a DKIM record", .invalid, "not of the form tag=value"),
        ("v=DKIM1; ; p=abc", .invalid, "an empty tag"),
        ("v=DKIM1; 1k=rsa; p=", .invalid, "not a valid tag name"),
    ] as [(String, DKIMKeyStatus, String)])
    func brokenAndRevokedRecordsSayWhy(record: String, status: DKIMKeyStatus, problem: String) {
        let judged = DKIMKeyRecord(text: record)
        #expect(judged.status == status)
        #expect(judged.problems.joined(separator: "; ").contains(problem), "\(judged.problems)")
        #expect(judged.keyBits == nil)
    }

    @Test func whiteSpaceFlagsAndServicesAreRead() {
        let folded = stride(from: 0, to: Self.rsa2048SPKI.count, by: 64).map { offset -> String in
            let start = Self.rsa2048SPKI.index(Self.rsa2048SPKI.startIndex, offsetBy: offset)
            return String(Self.rsa2048SPKI[start..<(Self.rsa2048SPKI.index(start, offsetBy: 64, limitedBy: Self.rsa2048SPKI.endIndex) ?? Self.rsa2048SPKI.endIndex)])
        }.joined(separator: "\r\n\t")
        let judged = DKIMKeyRecord(text: " v = DKIM1 ;\tt=y:s; s=email:tls ; p=\(folded) ;")
        #expect(judged.status == .ok, "\(judged.problems)")
        #expect(judged.testing)
        #expect(!DKIMKeyRecord(text: "t=s; p=\(Self.rsa2048SPKI)").testing)
    }

    @Test func worstFirstOrder() {
        let order: [DKIMKeyStatus] = [.invalid, .revoked, .tooWeak, .missing, .temperror, .weak, .ok]
        #expect(DKIMKeyStatus.allCases.sorted(by: >) == order)
        #expect(DKIMKeyStatus.allCases.filter(\.isUsable) == [.ok, .weak])
    }

    @Test(arguments: [("sel1", true), ("alma-2026.notices", true), ("s_1", false), ("-a", false), ("a-", false), ("", false), ("a..b", false), ("a b", false)])
    func selectorsFollowRFC6376Section3_1(selector: String, valid: Bool) {
        #expect(DKIMKeyCheck.isValidSelector(selector) == valid)
    }

    @Test func theLookupTellsMissingFromTemperrorAndRejectsTwoRecords() async throws {
        var zone = InMemoryZone()
        zone.addTXT(["v=DKIM1; p=\(Self.rsa2048SPKI.prefix(200))", String(Self.rsa2048SPKI.dropFirst(200))], at: "split._domainkey.campus.edu")
        zone.addTXT(["v=DKIM1; p=\(Self.rsa2048SPKI)"], at: "two._domainkey.campus.edu")
        zone.addTXT(["v=DKIM1; p=\(Self.rsa1024SPKI)"], at: "two._domainkey.campus.edu")
        zone.fail("slow._domainkey.campus.edu", with: .timeout)
        let check = DKIMKeyCheck(resolver: zone)
        #expect(try await check.check(domain: "Campus.EDU.", selector: "split").status == .ok)
        #expect(try await check.check(domain: "campus.edu", selector: "two").status == .invalid)
        #expect(try await check.check(domain: "campus.edu", selector: "none").status == .missing)
        #expect(try await check.check(domain: "campus.edu", selector: "slow").status == .temperror)
        #expect(try await check.check(domain: "campus.edu", selector: "split").name == "split._domainkey.campus.edu")
    }

    /// 100,000 fuzzed tag-lists and key blobs: no crash, every one a status.
    @Test func fuzzedRecordsNeverCrashAndAlwaysHaveAStatus() {
        var generator = SeededGenerator(seed: 14)
        let seeds = ["v=DKIM1; k=rsa; p=\(Self.rsa2048SPKI)", "p=\(Self.rsa1024PKCS1)", "v=DKIM1; k=ed25519; p=\(Self.ed25519Raw)", "v=DKIM1; t=y; s=email; h=sha256; p="]
        let alphabet = Array("=; \t\r\nvkpsth:DKIM1rsaed25519+/ABCxyz09*\u{0}\u{7f}é")
        var counts: [DKIMKeyStatus: Int] = [:]
        for index in 0..<100_000 {
            var text = Array(seeds[index % seeds.count])
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                switch Int.random(in: 0..<4, using: &generator) {
                case 0 where !text.isEmpty: text[Int.random(in: 0..<text.count, using: &generator)] = alphabet.randomElement(using: &generator)!
                case 1 where !text.isEmpty: text.remove(at: Int.random(in: 0..<text.count, using: &generator))
                case 2: text.insert(alphabet.randomElement(using: &generator)!, at: Int.random(in: 0...text.count, using: &generator))
                default: text = Array(text.prefix(Int.random(in: 0...text.count, using: &generator)))
                }
            }
            let judged = DKIMKeyRecord(text: String(text))
            counts[judged.status, default: 0] += 1
            #expect([.ok, .weak, .tooWeak].contains(judged.status) == (judged.keyBits != nil))
        }
        #expect(counts.values.reduce(0, +) == 100_000)
        #expect(counts[.invalid, default: 0] > 0 && counts[.ok, default: 0] > 0)
    }
}

/// SHA-256 from libcrypto against the FIPS 180-4 examples.
@Suite("SHA-256")
struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func digestsMatchTheStandardsExamples(input: String, hex: String) {
        #expect(SHA256.hex(Array(input.utf8)) == hex)
    }
}
