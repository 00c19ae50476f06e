/// One thing wrong with an inventory, located by JSON path and, when known, line and column.
public struct InventoryProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable, Comparable {
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
    }

    public var severity: Severity
    /// A JSON path such as `institutions[3].relay.port`; `$` is the document itself.
    public var path: String
    public var position: JSONPosition?
    public var message: String
    /// What to change to fix it.
    public var hint: String?

    public init(_ severity: Severity, at path: String, position: JSONPosition?, _ message: String, hint: String? = nil) {
        self.severity = severity
        self.path = path
        self.position = position
        self.message = message
        self.hint = hint
    }

    /// `error: institutions[3].relay.port (line 12, column 21): … Fix: …`
    public var description: String {
        var text = "\(severity.rawValue): \(path)"
        if let position { text += " (\(position))" }
        text += ": \(message)"
        if let hint { text += " Fix: \(hint)" }
        return text
    }
}
