import Foundation

/// The loopback lab's addresses, read from the env file `Tests/Lab/lab.sh start` writes (or the
/// file named by `LAB_ENV`).
struct LabEnvironment: Sendable {
    let values: [String: String]

    static let path: String = ProcessInfo.processInfo.environment["LAB_ENV"]
        ?? CommandRunner.packageRoot.appendingPathComponent("Tests/Lab/run/lab.env").path

    /// The lab, when its env file exists. Tests that need it are enabled only then; `make test`
    /// always starts the lab first, so there they always run.
    static let current: LabEnvironment? = {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        return LabEnvironment(values: values)
    }()

    static var isAvailable: Bool { current != nil }

    subscript(key: String) -> String {
        guard let value = values[key] else { fatalError("the lab env file \(Self.path) has no \(key)") }
        return value
    }
}
