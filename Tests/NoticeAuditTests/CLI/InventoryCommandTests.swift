import Foundation
import Testing
@testable import NoticeAudit

@Suite("notice-audit inventory validate (the binary)")
struct InventoryCommandTests {
    @Test func shippedInventoryIsValidAndListsTheWholeConsortium() async throws {
        let result = try await CommandRunner.run(["inventory", "validate", "inventory.json"])
        #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(result.stdout.contains("valid, consortium FALSC, 40 institutions"))

        let inventory = try InventoryLoader.load(path: CommandRunner.packageRoot.appendingPathComponent("inventory.json").path).inventory
        #expect(inventory.institutions.count == 40)
        #expect(Set(inventory.institutions.map(\.region)) == [.northAmerica])
        #expect(inventory.institutions.flatMap(\.senderDomains).map(\.name).contains("tsc.fl.edu"))
        #expect(Set(inventory.institutions.map(\.id)).count == 40)
    }

    @Test("each broken inventory exits 2 and names the path", arguments: brokenInventories.filter { $0.severity == .error })
    func brokenInventoryExitsTwo(_ broken: BrokenInventoryCase) async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(broken.json, to: "inventory.json")
        let result = try await CommandRunner.run(["inventory", "validate", file.path])
        #expect(result.status == 2)
        #expect(result.stdout.contains("error: \(broken.path) ("), "stdout: \(result.stdout)")
        #expect(result.stdout.contains(broken.message), "stdout: \(result.stdout)")
    }

    @Test func warningsAloneKeepTheInventoryValid() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(inventoryJSON(institution: relayBase + #", "relay": {"host": "smtp.ufl.edu", "port": 857}"#), to: "inventory.json")
        let result = try await CommandRunner.run(["inventory", "validate", file.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("warning: institutions[0].relay.port"))
        #expect(result.stdout.contains("did you mean 587?"))
    }

    @Test func jsonOutputListsProblemsWithPositions() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(inventoryJSON(institution: #""id": "ufl", "name": "UF", "sender_domains": ["ufl.edu"], "region": "US""#), to: "inventory.json")
        let result = try await CommandRunner.run(["inventory", "validate", "--json", file.path])
        #expect(result.status == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == false)
        let problems = try #require(object["problems"] as? [[String: Any]])
        #expect(problems.first?["path"] as? String == "institutions[0].region")
        #expect(problems.first?["line"] as? Int == 4)
    }

    @Test func missingFileExitsTwoWithAClearMessage() async throws {
        let result = try await CommandRunner.run(["inventory", "validate", "/nonexistent/inventory.json"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot read the inventory /nonexistent/inventory.json: no such file"))
    }

    @Test func usageErrorExitsTwo() async throws {
        let result = try await CommandRunner.run(["inventory", "validate", "--no-such-flag"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("Unknown option '--no-such-flag'"))
    }

    @Test func helpExitsZero() async throws {
        let result = try await CommandRunner.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("inventory"))
    }
}
