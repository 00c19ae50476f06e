/// The members of one JSON object of the inventory, checked against the keys that object allows.
///
/// Building it reports duplicate keys, unknown keys (with a "did you mean" for typos such as
/// `delivey`) and any literal password. Keys that start with `_` are comments and are ignored.
struct InventoryObjectFields {
    let path: String
    let position: JSONPosition
    private(set) var fields: [String: JSONNode] = [:]

    private static let passwordKeys: Set<String> = ["password", "passwd", "pass", "secret"]

    init(members: [JSONMember], path: String, position: JSONPosition, allowedKeys: [String], problems: inout [InventoryProblem]) {
        self.path = path
        self.position = position
        var firstPositions: [String: JSONPosition] = [:]
        for member in members where !member.key.hasPrefix("_") {
            let memberPath = Self.join(path, member.key)
            if Self.passwordKeys.contains(member.key.lowercased()) {
                problems.append(InventoryProblem(
                    .error, at: memberPath, position: member.keyPosition,
                    "a password must never be written in the inventory (it would end up in backups, version control and support tickets).",
                    hint: "remove \"\(member.key)\", put the password in an environment variable and name that variable in \"password_env\", or point \"credentials_file\" at a file only the scan's user can read."))
                continue
            }
            if let first = firstPositions[member.key] {
                problems.append(InventoryProblem(
                    .error, at: memberPath, position: member.keyPosition,
                    "duplicate key \"\(member.key)\" (first at \(first)); JSON readers disagree on which one wins.",
                    hint: "keep one \"\(member.key)\"."))
                continue
            }
            firstPositions[member.key] = member.keyPosition
            guard allowedKeys.contains(member.key) else {
                let hint: String
                if let suggestion = Self.closestKey(to: member.key, among: allowedKeys) {
                    hint = "did you mean \"\(suggestion)\"?"
                } else {
                    hint = "allowed keys here: \(allowedKeys.joined(separator: ", ")); keys starting with \"_\" are comments."
                }
                problems.append(InventoryProblem(.error, at: memberPath, position: member.keyPosition, "unknown key \"\(member.key)\".", hint: hint))
                continue
            }
            fields[member.key] = member.value
        }
    }

    subscript(key: String) -> JSONNode? { fields[key] }

    func path(of key: String) -> String { Self.join(path, key) }

    static func join(_ path: String, _ key: String) -> String {
        path == "$" ? key : "\(path).\(key)"
    }

    /// The allowed key nearest to `key` by edit distance, when it is near enough to be a typo.
    static func closestKey(to key: String, among candidates: [String]) -> String? {
        let lowered = key.lowercased()
        let scored = candidates.map { ($0, editDistance(lowered, $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let tolerance = max(1, min(3, best.0.count / 3))
        return best.1 <= tolerance ? best.0 : nil
    }

    /// Levenshtein distance between two strings, by characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
