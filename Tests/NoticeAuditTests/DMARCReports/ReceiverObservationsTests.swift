import Foundation
import Testing
@testable import NoticeAudit

/// The thresholds of ../shared/domain.md "What receivers report", in memory.
@Suite("receiver observations (in memory)")
struct ReceiverObservationsTests {
    static func observations(_ rows: [(String, Int, Bool, Bool)], from: String = "lib.example.edu") -> ReceiverObservations {
        ReceiverObservations(days: 7, rows: [from: rows.enumerated().map { index, row in
            ReceiverObservations.Row(report: "r\(index % 2)", source: IPAddress(row.0)!, count: row.1, dkimPass: row.2, spfPass: row.3,
                                     disposition: row.2 || row.3 ? "none" : "quarantine", exLibrisEnvelopePass: true)
        }])
    }

    static let relays = [IPNetwork(cidr: "192.0.2.16/28")!]

    @Test func noticeRecordsAreSendingAddressesTimesFromDomains() throws {
        let observations = Self.observations([("192.0.2.20", 19, true, false), ("192.0.2.21", 1, false, false), ("203.0.113.5", 50, false, false)])
        let observed = try #require(observations.observed(fromDomains: ["lib.example.edu"], sendingAddresses: Self.relays))
        #expect(observed.messages == 20 && observed.dmarcPass == 19 && observed.dkimAlignedPass == 19 && observed.quarantined == 1 && observed.reports == 2)
        #expect(observed.dkimSeen, "19 of 20 is 95 %")
        #expect(observations.observed(fromDomains: ["other.edu"], sendingAddresses: Self.relays) == nil)
        // 1 of 20 failing is 5 %: over 2 %, a compliant prediction is contradicted.
        #expect(ReceiverObservations.contradiction(observed, status: .compliant, institution: "i")?.code == .predictionContradicted)
        #expect(ReceiverObservations.contradiction(observed, status: .noncompliant, institution: "i") == nil, "not every one passed")
        #expect(ReceiverObservations.contradiction(observed, status: .unknown, institution: "i") == nil)
        // Drift: the address outside every relay set, with its count.
        let drift = try #require(observations.drift(members: [("lib", ["lib.example.edu"]), ("other", ["other.edu"])], relays: Self.relays))
        #expect(drift.message.contains("203.0.113.5 (50 messages)") && !drift.campusCanFix)
        // Like every run-level cause, it names the institutions it concerns (issue 32 item 4).
        #expect(drift.institutions == ["lib"])
    }

    /// Drift is judged against the relay sets of every region the catalog knows: a member's mail
    /// from another region's Ex Libris relay is not drift (issue 32 item 4).
    @Test func mailFromAnotherRegionsRelayIsNotDrift() {
        let observations = Self.observations([("203.0.113.10", 40, true, true)])
        #expect(observations.drift(members: [("lib", ["lib.example.edu"])], relays: Self.relays) != nil, "outside the NA set alone")
        let europe = IPNetwork(cidr: "203.0.113.10/31")!
        #expect(observations.drift(members: [("lib", ["lib.example.edu"])], relays: Self.relays + [europe]) == nil)
    }

    @Test func tooFewMessagesSettleNothing() throws {
        let observed = try #require(Self.observations([("192.0.2.20", 19, true, true)]).observed(fromDomains: ["lib.example.edu"], sendingAddresses: Self.relays))
        #expect(!observed.dkimSeen, "19 messages are fewer than 20")
        #expect(ReceiverObservations.contradiction(observed, status: .noncompliant, institution: "i") == nil)
        let fiftyTwo = try #require(Self.observations([("192.0.2.20", 51, true, false), ("192.0.2.21", 1, false, false)])
            .observed(fromDomains: ["lib.example.edu"], sendingAddresses: Self.relays))
        #expect(ReceiverObservations.contradiction(fiftyTwo, status: .compliant, institution: "i") == nil, "1 of 52 (1.9 %) is not over 2 %")
        #expect(fiftyTwo.dkimSeen && fiftyTwo.percent(51) == "98" && fiftyTwo.percent(1) == "1.9")
    }
}
