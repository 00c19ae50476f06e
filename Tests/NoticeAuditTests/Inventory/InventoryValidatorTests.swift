import Testing
@testable import NoticeAudit

/// One broken inventory and the problem it must produce.
struct BrokenInventoryCase: CustomTestStringConvertible, Sendable {
    var name: String
    var json: String
    var path: String
    var message: String
    var severity: InventoryProblem.Severity = .error

    var testDescription: String { name }
}

/// Builds a minimal valid inventory around the given institution members.
func inventoryJSON(institution: String = #""id": "ufl", "name": "University of Florida", "sender_domains": ["ufl.edu"]"#, extraRoot: String = "") -> String {
    """
    {
      "consortium": "FALSC",
      "defaults": { "region": "NA", "delivery": "spf" },\(extraRoot)
      "institutions": [ { \(institution) } ]
    }
    """
}

let relayBase = #""id": "ufl", "name": "UF", "sender_domains": ["ufl.edu"], "delivery": "relay""#

let brokenInventories: [BrokenInventoryCase] = [
    .init(name: "invalid JSON", json: "{\n  \"consortium\": \"FALSC\",\n  \"institutions\": [\n    { \"id\": \"ufl\" \"name\": \"x\" }\n  ]\n}",
          path: "$", message: "invalid JSON: expected ',' or '}' but found character '\"'"),
    .init(name: "unknown key with typo", json: inventoryJSON(institution: #""id": "ufl", "name": "UF", "sender_domains": ["ufl.edu"], "delivey": "spf""#),
          path: "institutions[0].delivey", message: "unknown key \"delivey\""),
    .init(name: "unknown root key", json: inventoryJSON(extraRoot: #" "institutes": [],"#),
          path: "institutes", message: "unknown key \"institutes\""),
    .init(name: "duplicate id", json: """
        {"consortium": "FALSC", "defaults": {"region": "NA"}, "institutions": [
          {"id": "ufl", "name": "UF", "sender_domains": ["ufl.edu"]},
          {"id": "ufl", "name": "UF again", "sender_domains": ["ufl.edu"]}]}
        """, path: "institutions[1].id", message: "duplicate id \"ufl\" (also used by institutions[0])"),
    .init(name: "missing name", json: inventoryJSON(institution: #""id": "ufl", "sender_domains": ["ufl.edu"]"#),
          path: "institutions[0].name", message: "\"name\" is missing"),
    .init(name: "empty name", json: inventoryJSON(institution: #""id": "ufl", "name": "  ", "sender_domains": ["ufl.edu"]"#),
          path: "institutions[0].name", message: "\"name\" is empty"),
    .init(name: "malformed domain", json: inventoryJSON(institution: #""id": "ufl", "name": "UF", "sender_domains": ["ufl..edu"]"#),
          path: "institutions[0].sender_domains[0]", message: "\"ufl..edu\" is not a valid domain"),
    .init(name: "domain with scheme", json: inventoryJSON(institution: #""id": "ufl", "name": "UF", "sender_domains": ["https://ufl.edu"]"#),
          path: "institutions[0].sender_domains[0]", message: "contains ':'"),
    .init(name: "malformed email", json: inventoryJSON(institution: #""id": "ufl", "name": "UF", "from_addresses": ["circulation.library.ufl.edu"]"#),
          path: "institutions[0].from_addresses[0]", message: "is not a valid mail address: there is no single '@'"),
    .init(name: "malformed envelope sender", json: inventoryJSON(institution: #""id": "ufl", "name": "UF", "sender_domains": ["ufl.edu"], "envelope_from": "alma@@exlibrisgroup.com""#),
          path: "institutions[0].envelope_from", message: "is not a valid mail address"),
    .init(name: "unknown region", json: inventoryJSON(institution: #""id": "ufl", "name": "UF", "sender_domains": ["ufl.edu"], "region": "US""#),
          path: "institutions[0].region", message: "unknown region code \"US\""),
    .init(name: "unknown delivery", json: inventoryJSON(institution: #""id": "ufl", "name": "UF", "sender_domains": ["ufl.edu"], "delivery": "smtp""#),
          path: "institutions[0].delivery", message: "unknown delivery \"smtp\""),
    .init(name: "relay missing", json: inventoryJSON(institution: relayBase),
          path: "institutions[0].relay", message: "delivery is \"relay\" but no \"relay\" is given"),
    .init(name: "port out of range", json: inventoryJSON(institution: relayBase + #", "relay": {"host": "smtp.ufl.edu", "port": 70000, "security": "starttls"}"#),
          path: "institutions[0].relay.port", message: "port 70000 is out of range (1-65535)"),
    .init(name: "port zero", json: inventoryJSON(institution: relayBase + #", "relay": {"host": "smtp.ufl.edu", "port": 0}"#),
          path: "institutions[0].relay.port", message: "port 0 is out of range"),
    .init(name: "port as string", json: inventoryJSON(institution: relayBase + #", "relay": {"host": "smtp.ufl.edu", "port": "587"}"#),
          path: "institutions[0].relay.port", message: "expected a port number, found a string"),
    .init(name: "unknown security", json: inventoryJSON(institution: relayBase + #", "relay": {"host": "smtp.ufl.edu", "port": 587, "security": "ssl"}"#),
          path: "institutions[0].relay.security", message: "unknown security \"ssl\""),
    .init(name: "literal password", json: inventoryJSON(institution: relayBase + #", "relay": {"host": "smtp.ufl.edu", "port": 587, "username": "alma", "password": "hunter2"}"#),
          path: "institutions[0].relay.password", message: "a password must never be written in the inventory"),
    .init(name: "port 857", json: inventoryJSON(institution: relayBase + #", "relay": {"host": "smtp.ufl.edu", "port": 857, "security": "starttls"}"#),
          path: "institutions[0].relay.port", message: "no SMTP service uses 857; did you mean 587?", severity: .warning),
    .init(name: "no sender domain", json: inventoryJSON(institution: #""id": "ufl", "name": "UF""#),
          path: "institutions[0]", message: "no From domain"),
    // Zero From domains would be zero checks, which prove nothing (issue 19).
    .init(name: "empty sender domains", json: inventoryJSON(institution: #""id": "ufl", "name": "UF", "sender_domains": []"#),
          path: "institutions[0]", message: "no From domain"),
    .init(name: "no institutions", json: #"{"consortium": "FALSC", "defaults": {"region": "NA"}}"#,
          path: "institutions", message: "the inventory has no \"institutions\" list"),
    .init(name: "bad password_env", json: inventoryJSON(institution: relayBase + #", "relay": {"host": "smtp.ufl.edu", "username": "a", "password_env": "UFL PASSWORD"}"#),
          path: "institutions[0].relay.password_env", message: "is not an environment variable name"),
    .init(name: "relay host malformed", json: inventoryJSON(institution: relayBase + #", "relay": {"host": "smtp ufl edu"}"#),
          path: "institutions[0].relay.host", message: "is not a valid host name"),
    .init(name: "duplicate key", json: inventoryJSON(institution: #""id": "ufl", "name": "UF", "name": "University of Florida", "sender_domains": ["ufl.edu"]"#),
          path: "institutions[0].name", message: "duplicate key \"name\""),
    .init(name: "no region anywhere", json: #"{"consortium": "FALSC", "institutions": [{"id": "ufl", "name": "UF", "sender_domains": ["ufl.edu"]}]}"#,
          path: "institutions[0].region", message: "no region"),
    .init(name: "invalid id", json: inventoryJSON(institution: #""id": "U F", "name": "UF", "sender_domains": ["ufl.edu"]"#),
          path: "institutions[0].id", message: "\"U F\" is not a valid id"),
    .init(name: "clear-text credentials", json: inventoryJSON(institution: relayBase + #", "relay": {"host": "smtp.ufl.edu", "port": 25, "security": "none", "username": "a", "password_env": "P"}"#),
          path: "institutions[0].relay.security", message: "credentials would travel in clear text", severity: .warning),
]

@Suite("Inventory validation")
struct InventoryValidatorTests {
    @Test("each broken inventory reports its problem at the right path", arguments: brokenInventories)
    func brokenInventoryIsReported(_ broken: BrokenInventoryCase) {
        let validation = InventoryValidator.validate(text: broken.json)
        let match = validation.problems.first { $0.path == broken.path && $0.message.contains(broken.message) }
        #expect(match != nil, "problems were: \(validation.problems.map(\.description))")
        #expect(match?.severity == broken.severity)
        #expect(match?.position != nil, "every problem should carry a line and column")
        if broken.severity == .error {
            #expect(validation.inventory == nil)
        }
    }

    @Test func typoSuggestsTheIntendedKey() {
        let validation = InventoryValidator.validate(text: inventoryJSON(institution: #""id": "ufl", "name": "UF", "sender_domains": ["ufl.edu"], "delivey": "spf""#))
        #expect(validation.errors.first?.hint == "did you mean \"delivery\"?")
    }

    @Test func invalidJSONNamesLineAndColumn() {
        let validation = InventoryValidator.validate(text: "{\n  \"consortium\": \"FALSC\",\n  \"institutions\": [1,,2]\n}")
        #expect(validation.errors.count == 1)
        #expect(validation.errors.first?.position == JSONPosition(line: 3, column: 22))
    }

    @Test func everyProblemIsReportedAtOnce() {
        let json = """
            {"consortium": "FALSC", "defaults": {"region": "XX"}, "institutions": [
              {"id": "a", "name": "A", "sender_domains": ["bad_domain"], "delivey": "spf"},
              {"id": "b", "name": "B", "sender_domains": ["b.edu"], "delivery": "relay", "relay": {"host": "smtp.b.edu", "port": 99999, "password": "x"}}]}
            """
        let validation = InventoryValidator.validate(text: json)
        let paths = Set(validation.errors.map(\.path))
        #expect(paths.isSuperset(of: [
            "defaults.region", "institutions[0].sender_domains[0]", "institutions[0].delivey",
            "institutions[1].relay.port", "institutions[1].relay.password",
        ]))
    }

    @Test func passwordValueNeverAppearsInProblems() {
        let json = inventoryJSON(institution: relayBase + #", "relay": {"host": "smtp.ufl.edu", "username": "a", "password": "s3cret-Value"}"#)
        let validation = InventoryValidator.validate(text: json)
        #expect(!validation.problems.isEmpty)
        #expect(!validation.problems.map(\.description).joined().contains("s3cret-Value"))
    }

    @Test func defaultsAndSenderDomainsAreApplied() throws {
        let json = """
            {"consortium": "FALSC", "defaults": {"region": "NA", "delivery": "spf"}, "_comment": "staff fill in relays",
             "institutions": [
              {"id": "ufl", "name": "UF", "alma_code": "01FALSC_UFL", "sender_domains": ["ufl.edu", "UFL.edu."],
               "from_addresses": ["circulation@library.ufl.edu"], "delivery": "relay", "envelope_from": "alma@exlibrisgroup.com",
               "relay": {"host": "smtp.ufl.edu", "port": 587, "security": "starttls", "username": "alma-notices", "password_env": "UFL_RELAY_PASSWORD"}},
              {"id": "fsu", "name": "FSU", "region": "EU", "sender_domains": ["fsu.edu"]}]}
            """
        let validation = InventoryValidator.validate(text: json)
        let inventory = try #require(validation.inventory)
        let ufl = try #require(inventory.institution(id: "ufl"))
        #expect(ufl.region == .northAmerica)
        #expect(ufl.delivery == .relay)
        #expect(ufl.senderDomains.map(\.name) == ["library.ufl.edu", "ufl.edu"])
        #expect(ufl.relay == RelayConfiguration(host: "smtp.ufl.edu", port: 587, security: .starttls, username: "alma-notices", credential: .environment("UFL_RELAY_PASSWORD")))
        #expect(ufl.envelopeFrom?.description == "alma@exlibrisgroup.com")
        let fsu = try #require(inventory.institution(id: "fsu"))
        #expect(fsu.region == .europe)
        #expect(fsu.delivery == .spf)
        #expect(validation.warnings.map(\.path) == ["institutions[0].sender_domains[1]"])
    }

    @Test func dkimSelectorsAndAdmitsScannerAreReadAndChecked() throws {
        let json = """
            {"consortium": "FALSC", "defaults": {"region": "NA", "dkim_selectors": ["alma1"]},
             "institutions": [
              {"id": "a", "name": "A", "sender_domains": ["a.edu"]},
              {"id": "b", "name": "B", "sender_domains": ["b.edu"], "dkim_selectors": ["s2026", "alma-2.notices"]},
              {"id": "c", "name": "C", "sender_domains": ["c.edu"], "delivery": "relay",
               "relay": {"host": "smtp.c.edu", "admits_scanner": true}}]}
            """
        let inventory = try #require(InventoryValidator.validate(text: json).inventory)
        #expect(inventory.institution(id: "a")?.dkimSelectors == ["alma1"])
        #expect(inventory.institution(id: "b")?.dkimSelectors == ["s2026", "alma-2.notices"])
        #expect(inventory.institution(id: "c")?.relay?.admitsScanner == true)
        let broken = InventoryValidator.validate(text: inventoryJSON(institution: #""id": "u", "name": "U", "sender_domains": ["u.edu"], "dkim_selectors": ["ok", "bad_selector"]"#))
        #expect(broken.errors.map(\.path) == ["institutions[0].dkim_selectors[1]"])
        #expect(broken.errors.first?.message.contains("RFC 6376 §3.1") == true)
        let notBoolean = InventoryValidator.validate(text: inventoryJSON(institution: relayBase + #", "relay": {"host": "smtp.ufl.edu", "admits_scanner": "yes"}"#))
        #expect(notBoolean.errors.map(\.path) == ["institutions[0].relay.admits_scanner"])
    }

    @Test func relayPortDefaultsFromSecurity() throws {
        let json = inventoryJSON(institution: relayBase + #", "relay": {"host": "smtp.ufl.edu", "security": "tls"}"#)
        let inventory = try #require(InventoryValidator.validate(text: json).inventory)
        #expect(inventory.institutions.first?.relay?.port == 465)
    }

    /// Issue 20: `sender_class` (per institution or in defaults, bulk unless said) and
    /// `reputation.dnsbl` (default ZEN and SpamCop; an empty list turns blocklists off).
    @Test func senderClassAndBlocklists() throws {
        let json = """
            {"consortium": "X", "defaults": {"region": "NA", "sender_class": "standard"}, "reputation": {"dnsbl": ["bl.example.org"]},
             "institutions": [{"id": "a", "name": "A", "sender_domains": ["a.edu"]},
              {"id": "b", "name": "B", "sender_domains": ["b.edu"], "sender_class": "bulk"}]}
            """
        let inventory = try #require(InventoryValidator.validate(text: json).inventory)
        #expect(inventory.institution(id: "a")?.senderClass == .standard && inventory.institution(id: "b")?.senderClass == .bulk)
        #expect(inventory.blocklistZones == ["bl.example.org"])
        let plain = try #require(InventoryValidator.validate(text: inventoryJSON()).inventory)
        #expect(plain.institutions[0].senderClass == .bulk && plain.blocklistZones == ["zen.spamhaus.org", "bl.spamcop.net"])
        let off = try #require(InventoryValidator.validate(text: inventoryJSON(extraRoot: #" "reputation": {"dnsbl": []},"#)).inventory)
        #expect(off.blocklistZones.isEmpty)
        let wrong = InventoryValidator.validate(text: inventoryJSON(institution: #""id": "u", "name": "U", "sender_domains": ["u.edu"], "sender_class": "huge""#))
        #expect(wrong.errors.map(\.path) == ["institutions[0].sender_class"])
        let badZone = InventoryValidator.validate(text: inventoryJSON(extraRoot: #" "reputation": {"dnsbl": ["not a zone"]},"#))
        #expect(badZone.errors.map(\.path) == ["reputation.dnsbl[0]"])
    }
}
