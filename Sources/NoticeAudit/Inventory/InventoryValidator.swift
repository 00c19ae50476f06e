/// The outcome of validating an inventory: every problem found, and the inventory when no problem
/// is an error.
public struct InventoryValidation: Sendable {
    /// The loaded inventory; nil when any problem is an error.
    public var inventory: Inventory?
    /// Every problem, in document order.
    public var problems: [InventoryProblem]

    public var errors: [InventoryProblem] { problems.filter { $0.severity == .error } }
    public var warnings: [InventoryProblem] { problems.filter { $0.severity == .warning } }
    public var isValid: Bool { inventory != nil }
}

/// Checks an inventory document and reports every problem at once, each with its JSON path, so that
/// consortium staff can fix a whole file in one pass.
public struct InventoryValidator {
    private var problems: [InventoryProblem] = []

    private static let rootKeys = ["consortium", "defaults", "institutions", "scanner", "reputation", "feedback"]
    private static let feedbackKeys = ["rua_address"]
    private static let scannerKeys = ["egress_addresses"]
    private static let reputationKeys = ["dnsbl"]
    private static let defaultsKeys = ["region", "delivery", "dkim_selectors", "sender_class"]
    private static let institutionKeys = [
        "id", "name", "alma_code", "region", "delivery", "sender_domains", "from_addresses", "relay", "envelope_from", "notes", "dkim_selectors",
        "sender_class",
    ]
    private static let relayKeys = ["host", "port", "security", "username", "password_env", "credentials_file", "admits_scanner", "egress_addresses"]

    /// Validates an inventory given as JSON text.
    public static func validate(text: String) -> InventoryValidation {
        let root: JSONNode, institutions: JSONParser.DeferredElements
        do {
            // The institutions are read one at a time from the text, not kept as one tree: the
            // tree of 100,000 of them took 130 MB (issue 22).
            (root, institutions) = try JSONParser.parse(text, deferringElementsOf: "institutions")
        } catch {
            let problem = InventoryProblem(
                .error, at: "$", position: error.position, "invalid JSON: \(error.message).",
                hint: "fix the JSON syntax at that place (a missing comma or quote is the usual cause).")
            return InventoryValidation(inventory: nil, problems: [problem])
        }
        var validator = InventoryValidator()
        let inventory = validator.readInventory(root, institutions: institutions)
        let problems = validator.problems
        let hasErrors = problems.contains { $0.severity == .error }
        return InventoryValidation(inventory: hasErrors ? nil : inventory, problems: problems)
    }

    private mutating func add(_ severity: InventoryProblem.Severity, _ path: String, _ node: JSONNode?, _ message: String, hint: String? = nil) {
        problems.append(InventoryProblem(severity, at: path, position: node?.position, message, hint: hint))
    }

    // MARK: Document structure

    private mutating func readInventory(_ root: JSONNode, institutions deferred: JSONParser.DeferredElements) -> Inventory? {
        guard let root = object(root, path: "$", allowedKeys: Self.rootKeys) else { return nil }
        let consortium = string("consortium", in: root, required: true)
        var defaultRegion: AlmaRegion?
        var defaultDelivery = DeliveryMethod.spf
        var defaultSelectors: [String] = []
        var defaultClass = SenderClass.bulk
        if let defaultsNode = root["defaults"], let defaults = object(defaultsNode, path: "defaults", allowedKeys: Self.defaultsKeys) {
            defaultRegion = choice("region", in: defaults)
            defaultDelivery = choice("delivery", in: defaults) ?? .spf
            defaultSelectors = selectors(in: defaults) ?? []
            defaultClass = choice("sender_class", in: defaults) ?? .bulk
        }
        guard let institutionsNode = root["institutions"] else {
            add(.error, "institutions", JSONNode(.null, at: root.position), "the inventory has no \"institutions\" list.", hint: "add \"institutions\": [ … ] with one object per member institution.")
            return nil
        }
        guard case .array = institutionsNode.value else {
            add(.error, "institutions", institutionsNode, "expected an array of institutions, found \(institutionsNode.value.kindDescription).")
            return nil
        }
        if deferred.count == 0 {
            add(.error, "institutions", institutionsNode, "the institutions list is empty; there is nothing to check.", hint: "add at least one institution.")
        }
        var institutions: [Institution] = []
        institutions.reserveCapacity(deferred.count)
        var firstIndexOfID: [String: Int] = [:]
        for index in 0..<deferred.count {
            let path = "institutions[\(index)]"
            let element: JSONNode
            do { element = try deferred.element(index) } catch {
                add(.error, path, nil, "invalid JSON: \(error.message).")
                continue
            }
            let institution = readInstitution(element, path: path, defaultRegion: defaultRegion, defaultDelivery: defaultDelivery, defaultSelectors: defaultSelectors,
                                              defaultClass: defaultClass)
            if case .object(let members) = element.value, let idMember = members.last(where: { $0.key == "id" }),
                case .string(let rawID) = idMember.value.value
            {
                let id = rawID.trimmingWhitespace()
                if let first = firstIndexOfID[id] {
                    add(.error, "\(path).id", idMember.value, "duplicate id \"\(id)\" (also used by institutions[\(first)]).", hint: "give every institution its own id.")
                    continue
                }
                firstIndexOfID[id] = index
            }
            if let institution { institutions.append(institution) }
        }
        var scannerAddresses: [IPNetwork] = []
        if let scannerNode = root["scanner"], let scanner = object(scannerNode, path: "scanner", allowedKeys: Self.scannerKeys) {
            scannerAddresses = networkList("egress_addresses", in: scanner)
        }
        var zones = ReputationChecker.defaultZones
        if let reputationNode = root["reputation"], let reputation = object(reputationNode, path: "reputation", allowedKeys: Self.reputationKeys),
           reputation["dnsbl"] != nil {
            zones = domainList("dnsbl", in: reputation).map(\.name)
        }
        var reportAddress: EmailAddress?
        if let feedbackNode = root["feedback"], let feedback = object(feedbackNode, path: "feedback", allowedKeys: Self.feedbackKeys) {
            reportAddress = feedback["rua_address"].flatMap { email($0, path: feedback.path(of: "rua_address")) }
        }
        guard let consortium else { return nil }
        return Inventory(consortium: consortium, institutions: institutions, scannerAddresses: scannerAddresses, blocklistZones: zones, reportAddress: reportAddress)
    }

    private mutating func readInstitution(_ node: JSONNode, path: String, defaultRegion: AlmaRegion?, defaultDelivery: DeliveryMethod, defaultSelectors: [String],
                                          defaultClass: SenderClass) -> Institution? {
        guard let fields = object(node, path: path, allowedKeys: Self.institutionKeys) else { return nil }
        let id = identifier(in: fields)
        let name = string("name", in: fields, required: true)
        _ = string("notes", in: fields, required: false)
        let almaCode = string("alma_code", in: fields, required: false)
        if let almaCode, !Self.looksLikeAlmaCode(almaCode) {
            add(.warning, fields.path(of: "alma_code"), fields["alma_code"], "\"\(almaCode)\" does not look like an Alma institution code.", hint: "Alma codes look like 01FALSC_UFL.")
        }
        let region: AlmaRegion? = choice("region", in: fields) ?? defaultRegion
        if region == nil, fields["region"] == nil {
            add(.error, fields.path(of: "region"), node, "no region: neither the institution nor \"defaults\" gives one.",
                hint: "add \"region\": \"NA\" (one of \(AlmaRegion.allCases.map(\.code).joined(separator: ", "))) here or in \"defaults\".")
        }
        let delivery: DeliveryMethod = choice("delivery", in: fields) ?? defaultDelivery
        let fromAddresses = emailList("from_addresses", in: fields)
        var senderDomains: [DomainName] = []
        for address in fromAddresses where !senderDomains.contains(address.domain) { senderDomains.append(address.domain) }
        for domain in domainList("sender_domains", in: fields) where !senderDomains.contains(domain) { senderDomains.append(domain) }
        // Zero From domains would mean zero checks, which prove nothing (../shared/domain.md, "What is checked").
        if senderDomains.isEmpty && !problems.contains(where: { $0.severity == .error && ($0.path.hasPrefix(fields.path(of: "sender_domains")) || $0.path.hasPrefix(fields.path(of: "from_addresses"))) }) {
            add(.error, path, node, "no From domain: give at least one domain in \"sender_domains\" or address in \"from_addresses\".",
                hint: "add \"sender_domains\": [\"library.example.edu\"] with the domain(s) of the letters' From addresses.")
        }
        let envelopeFrom = fields["envelope_from"].flatMap { email($0, path: fields.path(of: "envelope_from")) }
        var relay: RelayConfiguration?
        if let relayNode = fields["relay"] {
            relay = readRelay(relayNode, path: fields.path(of: "relay"))
            if delivery == .spf {
                add(.warning, fields.path(of: "relay"), relayNode, "\"relay\" is ignored because delivery is \"spf\" (Alma allows one Mail Handling integration).",
                    hint: "set \"delivery\": \"relay\" if Alma hands notices to this relay, or remove \"relay\".")
            }
        } else if delivery == .relay {
            add(.error, fields.path(of: "relay"), node, "delivery is \"relay\" but no \"relay\" is given.",
                hint: "add \"relay\": {\"host\": \"smtp.example.edu\", \"port\": 587, \"security\": \"starttls\", \"username\": …, \"password_env\": …}.")
        }
        let dkimSelectors = selectors(in: fields) ?? defaultSelectors
        let senderClass: SenderClass = choice("sender_class", in: fields) ?? defaultClass
        guard let id, let name, let region else { return nil }
        return Institution(
            id: id, name: name, almaCode: almaCode, region: region, delivery: delivery, fromAddresses: fromAddresses,
            senderDomains: senderDomains, relay: delivery == .relay ? relay : nil, envelopeFrom: envelopeFrom, dkimSelectors: dkimSelectors,
            senderClass: senderClass)
    }

    private mutating func readRelay(_ node: JSONNode, path: String) -> RelayConfiguration? {
        guard let fields = object(node, path: path, allowedKeys: Self.relayKeys) else { return nil }
        var host: String?
        if let text = string("host", in: fields, required: true) {
            switch DomainName.parse(text) {
            case .success(let domain): host = domain.name
            case .failure where IPAddress.parseIPv4(Substring(text)) != nil: host = text
            case .failure(let problem):
                add(.error, fields.path(of: "host"), fields["host"], "\"\(text)\" is not a valid host name: \(problem).", hint: "use the relay's DNS name, e.g. smtp.example.edu.")
            }
        }
        let security: RelaySecurity = choice("security", in: fields) ?? .starttls
        let port = portNumber(in: fields, security: security) ?? security.defaultPort
        let username = string("username", in: fields, required: false)
        let passwordEnv = string("password_env", in: fields, required: false)
        let credentialsFile = string("credentials_file", in: fields, required: false)
        var credential: CredentialSource?
        if let passwordEnv {
            if Self.isEnvironmentVariableName(passwordEnv) {
                credential = .environment(passwordEnv)
            } else {
                add(.error, fields.path(of: "password_env"), fields["password_env"], "\"\(passwordEnv)\" is not an environment variable name.",
                    hint: "name the variable that holds the password, e.g. UFL_RELAY_PASSWORD (letters, digits, underscores).")
            }
        }
        if let credentialsFile {
            if passwordEnv != nil {
                add(.error, fields.path(of: "credentials_file"), fields["credentials_file"], "both \"password_env\" and \"credentials_file\" are given.", hint: "keep one of them.")
            } else if credentialsFile.isEmpty {
                add(.error, fields.path(of: "credentials_file"), fields["credentials_file"], "the credentials file path is empty.")
            } else {
                credential = .file(credentialsFile)
            }
        }
        if credential != nil && username == nil {
            add(.error, fields.path(of: "username"), node, "a password source is given but no \"username\".", hint: "add the relay account's \"username\".")
        }
        if username != nil && passwordEnv == nil && credentialsFile == nil {
            add(.warning, fields.path(of: "password_env"), node, "\"username\" is given without a password source, so AUTH cannot be tested.",
                hint: "add \"password_env\" naming the variable that holds the password.")
        }
        if security == .none && username != nil {
            add(.warning, fields.path(of: "security"), fields["security"] ?? node, "credentials would travel in clear text: security is \"none\".",
                hint: "use \"starttls\" on port 587 so the password is encrypted.")
        }
        let admitsScanner = boolean("admits_scanner", in: fields) ?? false
        let egress = networkList("egress_addresses", in: fields)
        guard let host else { return nil }
        return RelayConfiguration(host: host, port: port, security: security, username: username, credential: credential, admitsScanner: admitsScanner,
                                  egressAddresses: egress)
    }

    // MARK: Typed fields

    private mutating func object(_ node: JSONNode, path: String, allowedKeys: [String]) -> InventoryObjectFields? {
        guard case .object(let members) = node.value else {
            add(.error, path, node, "expected an object, found \(node.value.kindDescription).")
            return nil
        }
        return InventoryObjectFields(members: members, path: path, position: node.position, allowedKeys: allowedKeys, problems: &problems)
    }

    /// `dkim_selectors`: DKIM selectors (RFC 6376 §3.1), each checked; nil when the key is absent.
    private mutating func selectors(in fields: InventoryObjectFields) -> [String]? {
        guard fields["dkim_selectors"] != nil else { return nil }
        var selectors: [String] = []
        for (text, node, path) in strings("dkim_selectors", in: fields) {
            guard DKIMKeyCheck.isValidSelector(text) else {
                add(.error, path, node, "\"\(text)\" is not a DKIM selector (RFC 6376 §3.1).",
                    hint: "use the selector Ex Libris gave for the DKIM set-up, e.g. \"alma1\": letters, digits and hyphens, labels separated by dots.")
                continue
            }
            if !selectors.contains(text) { selectors.append(text) }
        }
        return selectors
    }

    private mutating func boolean(_ key: String, in fields: InventoryObjectFields) -> Bool? {
        guard let node = fields[key] else { return nil }
        guard case .bool(let value) = node.value else {
            add(.error, fields.path(of: key), node, "expected true or false, found \(node.value.kindDescription).", hint: "write \"\(key)\": true or false, without quotes.")
            return nil
        }
        return value
    }

    private mutating func string(_ key: String, in fields: InventoryObjectFields, required: Bool) -> String? {
        guard let node = fields[key] else {
            if required {
                add(.error, fields.path(of: key), JSONNode(.null, at: fields.position), "\"\(key)\" is missing.", hint: "add \"\(key)\": \"…\".")
            }
            return nil
        }
        guard case .string(let text) = node.value else {
            add(.error, fields.path(of: key), node, "expected a string, found \(node.value.kindDescription).")
            return nil
        }
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty {
            add(.error, fields.path(of: key), node, "\"\(key)\" is empty.")
            return nil
        }
        if trimmed != text {
            add(.warning, fields.path(of: key), node, "\"\(key)\" has leading or trailing white space; it was trimmed.")
        }
        return trimmed
    }

    private mutating func strings(_ key: String, in fields: InventoryObjectFields) -> [(String, JSONNode, String)] {
        guard let node = fields[key] else { return [] }
        let elements: [JSONNode]
        let isList: Bool
        switch node.value {
        case .array(let array): (elements, isList) = (array, true)
        case .string: (elements, isList) = ([node], false)
        default:
            add(.error, fields.path(of: key), node, "expected an array of strings, found \(node.value.kindDescription).")
            return []
        }
        var result: [(String, JSONNode, String)] = []
        for (index, element) in elements.enumerated() {
            let path = isList ? "\(fields.path(of: key))[\(index)]" : fields.path(of: key)
            guard case .string(let text) = element.value else {
                add(.error, path, element, "expected a string, found \(element.value.kindDescription).")
                continue
            }
            result.append((text.trimmingWhitespace(), element, path))
        }
        return result
    }

    private mutating func domainList(_ key: String, in fields: InventoryObjectFields) -> [DomainName] {
        var domains: [DomainName] = []
        for (text, node, path) in strings(key, in: fields) {
            switch DomainName.parse(text) {
            case .success(let domain):
                if domains.contains(domain) {
                    add(.warning, path, node, "\"\(text)\" is listed twice.", hint: "remove the repeated domain.")
                } else {
                    domains.append(domain)
                }
            case .failure(let problem):
                add(.error, path, node, "\"\(text)\" is not a valid domain: \(problem).", hint: "write the bare domain, e.g. library.ufl.edu (no scheme, no @, no path).")
            }
        }
        return domains
    }

    /// A list of addresses or CIDR ranges (`192.0.2.25`, `2001:db8::/64`).
    private mutating func networkList(_ key: String, in fields: InventoryObjectFields) -> [IPNetwork] {
        var networks: [IPNetwork] = []
        for (text, node, path) in strings(key, in: fields) {
            let trimmed = text.trimmingWhitespace()
            if let network = IPNetwork(cidr: trimmed) ?? IPAddress(trimmed).map(IPNetwork.init(host:)) {
                if !networks.contains(network) { networks.append(network) }
            } else {
                add(.error, path, node, "\"\(text)\" is not an IP address or CIDR range.", hint: "write an address such as 192.0.2.25 or a range such as 192.0.2.0/28.")
            }
        }
        return networks
    }

    private mutating func emailList(_ key: String, in fields: InventoryObjectFields) -> [EmailAddress] {
        strings(key, in: fields).compactMap { text, node, path in email(JSONNode(.string(text), at: node.position), path: path) }
    }

    private mutating func email(_ node: JSONNode, path: String) -> EmailAddress? {
        guard case .string(let raw) = node.value else {
            add(.error, path, node, "expected a mail address string, found \(node.value.kindDescription).")
            return nil
        }
        let text = raw.trimmingWhitespace()
        switch EmailAddress.parse(text) {
        case .success(let address): return address
        case .failure(let problem):
            add(.error, path, node, "\"\(text)\" is not a valid mail address: \(problem).", hint: "write a bare address such as circulation@library.example.edu (no display name, no angle brackets).")
            return nil
        }
    }

    private mutating func identifier(in fields: InventoryObjectFields) -> String? {
        guard let id = string("id", in: fields, required: true) else { return nil }
        guard Self.isIdentifier(id) else {
            add(.error, fields.path(of: "id"), fields["id"], "\"\(id)\" is not a valid id.",
                hint: "use lower-case letters, digits, '-' and '_' (at most 64, starting with a letter or digit), e.g. \"ufl\".")
            return nil
        }
        return id
    }

    /// The value `key` names (``InventoryChoice``); nil, with the error, when it names none.
    private mutating func choice<Value: InventoryChoice>(_ key: String, in fields: InventoryObjectFields) -> Value? {
        guard let text = string(key, in: fields, required: false) else { return nil }
        if let value = Value(inventoryText: text) { return value }
        add(.error, fields.path(of: key), fields[key], "unknown \(Value.inventoryNoun) \"\(text)\".", hint: Value.inventoryHint)
        return nil
    }

    private mutating func portNumber(in fields: InventoryObjectFields, security: RelaySecurity) -> Int? {
        guard let node = fields["port"] else { return nil }
        let path = fields.path(of: "port")
        guard case .number(let value, let literal) = node.value else {
            add(.error, path, node, "expected a port number, found \(node.value.kindDescription).", hint: "write the port without quotes, e.g. 587.")
            return nil
        }
        guard value == value.rounded(), !literal.contains(".") else {
            add(.error, path, node, "port \(literal) is not a whole number.", hint: "use \(security.defaultPort) for \(security.rawValue).")
            return nil
        }
        guard (1...65535).contains(value) else {
            add(.error, path, node, "port \(literal) is out of range (1-65535).", hint: "use \(security.defaultPort) for \(security.rawValue).")
            return nil
        }
        let port = Int(value)
        if port == 857 {
            add(.warning, path, node, "no SMTP service uses 857; did you mean 587?", hint: "use 587 (submission with STARTTLS).")
        } else if port == 465 && security == .starttls {
            add(.warning, path, node, "port 465 is implicit TLS but security is \"starttls\".", hint: "use port 587 with \"starttls\", or \"security\": \"tls\" with 465.")
        } else if port == 587 && security == .tls {
            add(.warning, path, node, "port 587 normally uses STARTTLS but security is \"tls\".", hint: "use port 465 with \"tls\", or \"security\": \"starttls\" with 587.")
        }
        return port
    }

    // MARK: Lexical rules

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 64 else { return false }
        let allowed: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
        return allowed(first) && first != "-" && first != "_" && text.unicodeScalars.allSatisfy(allowed)
    }

    static func isEnvironmentVariableName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    static func looksLikeAlmaCode(_ text: String) -> Bool {
        let parts = text.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count >= 3, parts[0].prefix(2).allSatisfy(\.isNumber) else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }
}
