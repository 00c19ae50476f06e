import Foundation

/// An inventory file that could not be used: unreadable, or invalid.
public enum InventoryLoadError: Error, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(path: String, problems: [InventoryProblem])

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read the inventory \(path): \(reason)"
        case .invalid(let path, let problems):
            (["the inventory \(path) is invalid (\(problems.filter { $0.severity == .error }.count) errors):"] + problems.map { "  \($0)" })
                .joined(separator: "\n")
        }
    }
}

/// Reads and validates inventory files. Every command that needs the inventory goes through here,
/// so the rules of ``InventoryValidator`` hold everywhere.
public enum InventoryLoader {
    /// Reads the file at `path` and validates it. Throws only when the file cannot be read.
    public static func validate(path: String) throws(InventoryLoadError) -> InventoryValidation {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: Self.reason(for: error, path: path))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path, reason: "the file is not UTF-8 text (RFC 8259 §8.1 requires UTF-8)")
        }
        return InventoryValidator.validate(text: text)
    }

    /// Reads, validates and returns the inventory; throws when it is unreadable or has any error.
    public static func load(path: String) throws(InventoryLoadError) -> (inventory: Inventory, warnings: [InventoryProblem]) {
        let validation = try validate(path: path)
        guard let inventory = validation.inventory else { throw .invalid(path: path, problems: validation.problems) }
        return (inventory, validation.warnings)
    }

    private static func reason(for error: any Error, path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return String(describing: error)
    }
}
