import Foundation

/// Where a relay's password comes from: the environment variable or credentials file the
/// inventory names. The password goes to the probe only, never into a result.
public struct RelayCredentials: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Why the credentials file of `relay` is exposed (readable by group or others); nil when it
    /// is not, or when the password comes from the environment.
    public func exposure(of relay: RelayConfiguration) -> String? {
        guard case .file(let path)? = relay.credential else { return nil }
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & 0o077 != 0 else { return nil }
        return "the credentials file \(path) is readable by \(status.st_mode & 0o070 != 0 ? "its group" : "others") (mode \(String(status.st_mode & 0o777, radix: 8)))"
    }

    /// The password, or why it is not available (nil for both when none is configured).
    public func password(for relay: RelayConfiguration) -> (password: String?, problem: String?) {
        switch relay.credential {
        case .environment(let name)?:
            guard let value = environment[name] else { return (nil, "the environment variable \(name) is not set") }
            return (value, nil)
        case .file(let path)?:
            guard let data = FileManager.default.contents(atPath: path) else { return (nil, "the credentials file \(path) cannot be read") }
            return (String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines), nil)
        case nil:
            return (nil, nil)
        }
    }
}
