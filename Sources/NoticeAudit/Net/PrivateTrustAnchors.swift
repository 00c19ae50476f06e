import Foundation
import Synchronization

/// Combined trust-anchor bundles (the system store plus `--ca-file`) as files libcurl can cache
/// (CURLOPT_CA_CACHE_TIMEOUT), kept in a directory that `mkdtemp(3)` creates for this process
/// with mode 0700, so no other local user can create, replace or add to them. The directory is
/// removed when the process exits normally.
final class PrivateTrustAnchors: Sendable {
    static let shared = PrivateTrustAnchors()

    /// The directory and the files written so far, by content.
    private let state = Mutex<(directory: String?, files: [[UInt8]: String])>((nil, [:]))

    /// The file holding `bundle`, written once per process.
    func file(for bundle: [UInt8]) throws -> String {
        try state.withLock { state in
            if let path = state.files[bundle] { return path }
            let directory: String
            if let existing = state.directory {
                directory = existing
            } else {
                directory = try Self.makeDirectory()
                state.directory = directory
                Self.removeAtExit(directory)
            }
            let path = "\(directory)/ca-bundle-\(state.files.count).pem"
            guard FileManager.default.createFile(atPath: path, contents: Data(bundle), attributes: [.posixPermissions: 0o600]) else {
                throw CurlSetupError("cannot write the combined CA bundle to \(path)")
            }
            state.files[bundle] = path
            return path
        }
    }

    /// The process's private directory, where one was made.
    var directory: String? { state.withLock { $0.directory } }

    private static func makeDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/notice-audit-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CurlSetupError("cannot create a private directory for the CA bundle under \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    private static let removalList = Mutex<[String]>([])

    private static func removeAtExit(_ directory: String) {
        let first = removalList.withLock { list in
            list.append(directory)
            return list.count == 1
        }
        guard first else { return }
        atexit {
            for directory in PrivateTrustAnchors.removalList.withLock({ $0 }) {
                try? FileManager.default.removeItem(atPath: directory)
            }
        }
    }
}
