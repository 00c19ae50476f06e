import Testing
@testable import NoticeAudit

@Suite("IP addresses and networks")
struct IPNetworkTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"), ("2001:DB8::1", "2001:db8::1"), ("::", "::"), ("::1", "::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("::ffff:192.0.2.1", "::ffff:c000:201"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6"), ("fe80::", "fe80::"),
    ])
    func parsesAndPrintsCanonically(text: String, canonical: String) {
        #expect(IPAddress(text)?.description == canonical)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-1", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "g::1", "::1.2.3"])
    func rejectsMalformedAddresses(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func containmentAndHostBits() throws {
        let network = try #require(IPNetwork(cidr: "192.0.2.77/24"))
        #expect(network.description == "192.0.2.0/24")
        #expect(network.contains(IPAddress("192.0.2.255")!))
        #expect(!network.contains(IPAddress("192.0.3.0")!))
        #expect(!network.contains(IPAddress("::ffff:192.0.2.1")!))
        #expect(IPNetwork(cidr: "192.0.2.77/24", strict: true) == nil)
        #expect(IPNetwork(cidr: "0.0.0.0/0")!.contains(IPAddress("255.255.255.255")!))
        #expect(IPNetwork(cidr: "::/0")!.lastBits == .max)
    }

    @Test func coveringGivesTheSmallestExactCIDRList() {
        let family = IPAddress.v4(0)
        let first = IPAddress("192.0.2.5")!.bits, last = IPAddress("192.0.2.20")!.bits
        #expect(IPNetwork.covering(first: first, last: last, family: family).map(\.description)
            == ["192.0.2.5/32", "192.0.2.6/31", "192.0.2.8/29", "192.0.2.16/30", "192.0.2.20/32"])
        #expect(IPNetwork.covering(first: 0, last: UInt128(UInt32.max), family: family).map(\.description) == ["0.0.0.0/0"])
        #expect(IPNetwork.covering(first: 0, last: .max, family: .v6(0)).map(\.description) == ["::/0"])
    }

    @Test func coveringIsExactOnRandomIntervals() {
        var random = SeededGenerator(seed: 7)
        for _ in 0..<500 {
            let a = UInt128(UInt32.random(in: 0...UInt32.max, using: &random))
            let b = min(UInt128(UInt32.max), a + UInt128(UInt32.random(in: 0...70000, using: &random)))
            let networks = IPNetwork.covering(first: a, last: b, family: .v4(0))
            #expect(networks.first?.firstBits == a)
            #expect(networks.last?.lastBits == b)
            for (left, right) in zip(networks, networks.dropFirst()) { #expect(left.lastBits + 1 == right.firstBits) }
        }
    }

    @Test func containmentAgreesWithMaskingOnRandomNetworks() {
        var random = SeededGenerator(seed: 11)
        for round in 0..<4000 {
            let v6 = round.isMultiple(of: 2)
            let width = v6 ? 128 : 32
            func randomAddress() -> IPAddress {
                v6 ? .v6(UInt128(random.next()) << 64 | UInt128(random.next())) : .v4(UInt32(truncatingIfNeeded: random.next()))
            }
            let length = Int.random(in: 0...width, using: &random)
            let network = IPNetwork(address: randomAddress(), prefixLength: length)!
            // Half the candidates share the network bits, so both answers are exercised.
            var candidate = randomAddress()
            if Bool.random(using: &random) { candidate = candidate.withBits(network.firstBits | (candidate.bits & ~IPNetwork.mask(length, width: width))) }
            let expected = candidate.bits & IPNetwork.mask(length, width: width) == network.firstBits
            #expect(network.contains(candidate) == expected, "\(network) ∋ \(candidate)")
            #expect(!network.contains(v6 ? .v4(0) : .v6(0)), "the other family is never contained")
        }
    }

    @Test func reverseNamesAndMacroForms() {
        #expect(IPAddress("192.0.2.1")!.reverseLookupName == "1.2.0.192.in-addr.arpa")
        #expect(IPAddress("2001:db8::cb01")!.reverseLookupName.hasPrefix("1.0.b.c.0.0.0.0"))
        #expect(IPAddress("2001:db8::cb01")!.spfMacroForm.hasPrefix("2.0.0.1.0.D.B.8"))
        #expect(IPAddress("::ffff:192.0.2.1")!.unmappingIPv4 == IPAddress("192.0.2.1"))
    }
}
