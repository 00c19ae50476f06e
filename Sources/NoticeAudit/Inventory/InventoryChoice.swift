/// A value the inventory names by one of a few words (`"region": "NA"`, `"delivery": "relay"`): read
/// from its text whatever the case, or refused with the words allowed.
protocol InventoryChoice: RawRepresentable<String> {
    /// What the value is, in the error: `unknown <noun> "X".`
    static var inventoryNoun: String { get }
    /// The values allowed, as the error's hint says them.
    static var inventoryHint: String { get }
}

extension InventoryChoice {
    /// The value `text` names, lower case or upper case.
    init?(inventoryText text: String) {
        guard let value = Self(rawValue: text.lowercased()) ?? Self(rawValue: text.uppercased()) else { return nil }
        self = value
    }
}

extension AlmaRegion: InventoryChoice {
    static let inventoryNoun = "region code"
    static var inventoryHint: String { "use one of \(allCases.map { "\($0.code) (\($0.displayName))" }.joined(separator: ", "))." }
}

/// `sender_class`: `bulk` or `standard` (../shared/domain.md, "Sender class").
extension SenderClass: InventoryChoice {
    static let inventoryNoun = "sender class"
    static let inventoryHint = "use \"bulk\" (the domain sends 5,000 or more messages a day to Gmail or Outlook.com, the default) or \"standard\"."
}

extension DeliveryMethod: InventoryChoice {
    static let inventoryNoun = "delivery"
    static let inventoryHint = "use \"spf\" (Alma sends from the Ex Libris relays) or \"relay\" (Alma hands notices to the institution's SMTP relay)."
}

extension RelaySecurity: InventoryChoice {
    static let inventoryNoun = "security"
    static let inventoryHint = "use \"starttls\" (port 587), \"tls\" (implicit TLS, port 465) or \"none\" (port 25)."
}
