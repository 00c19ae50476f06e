import Foundation

/// What a run of the built `notice-audit` binary produced.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the built binary, as swift-argument-parser's `AssertExecuteCommand` does.
enum CommandRunner {
    /// The package's root folder, derived from this file's location.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary under test: `NOTICE_AUDIT_BIN`, else the debug build of this package.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["NOTICE_AUDIT_BIN"] { return URL(fileURLWithPath: path) }
        return packageRoot.appendingPathComponent(".build/debug/notice-audit")
    }

    /// Runs the binary and waits for it on a thread of its own, so that waiting never holds a
    /// thread of the test pool (two cores: two threads; blocking them starved other tests).
    /// `executable` runs another program instead of the binary (e.g. `unshare` wrapping it).
    static func run(_ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil, executable: String? = nil) async throws -> CommandResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(arguments, environment: environment, in: directory, executable: executable) })
            }
        }
    }

    /// The environment every process a test starts gets: the test's own, less what the machine
    /// could leak into the binary under test (proxy variables in both cases, every
    /// `NOTICE_AUDIT_*` setting), plus what the test sets (a proxy test sets its own).
    static func environment(adding extra: [String: String] = [:]) -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !isInherited($0.key) }.merging(extra) { $1 }
    }

    /// Whether a variable of the machine must not reach the binary under test.
    static func isInherited(_ name: String) -> Bool {
        let proxies: Set<String> = ["http_proxy", "https_proxy", "all_proxy", "no_proxy", "ftp_proxy"]
        return proxies.contains(name.lowercased()) || name.hasPrefix("NOTICE_AUDIT_")
    }

    private static func runBlocking(_ arguments: [String], environment: [String: String], in directory: URL?, executable: String?) throws -> CommandResult {
        let process = Process()
        process.executableURL = executable.map { URL(fileURLWithPath: $0) } ?? binary
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? packageRoot
        process.environment = Self.environment(adding: environment)
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes at once before waiting: a child that fills one pipe while the other is
        // read would block for ever (a debug log of more than 64 KB on stderr did).
        let errorsRead = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var errors = Data()
        Thread.detachNewThread {
            errors = stderr.fileHandleForReading.readDataToEndOfFile()
            errorsRead.signal()
        }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        errorsRead.wait()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self), stderr: String(decoding: errors, as: UTF8.self))
    }
}

/// A temporary folder removed when the value is released.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("notice-audit-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func write(_ text: String, to name: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
