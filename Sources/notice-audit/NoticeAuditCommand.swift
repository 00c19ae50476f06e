import ArgumentParser
import Foundation
import NoticeAudit

/// The root of the command tree, and the single place that turns errors into messages and exit codes.
@main
struct NoticeAuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notice-audit",
        abstract: "Checks that every institution of a consortium can send Ex Libris Alma patron notices without landing in spam.",
        discussion: """
            Exit status: 0 success (all compliant); 1 some noncompliant or unknown; 2 usage error or \
            invalid inventory; 3 the command could not run or was interrupted. No other status.
            """,
        version: NoticeAuditVersion.current,
        subcommands: [ScanCommand.self, InventoryCommand.self, SPFCommand.self, DKIMCommand.self, DMARCCommand.self, DMARCReportsCommand.self, InboxCommand.self, DNSCommand.self, RangesCommand.self, RelayCommand.self, ReportCommand.self, HistoryCommand.self, ScheduleCommand.self]
    )

    static func main() async {
        // One malloc arena instead of one per thread that allocates (the cooperative pool, the
        // report renderers, the c-ares and curl threads, GRDB's queues): memory freed by one thread
        // is reused by the others. Measured on a 1,000-institution scan: 2 – 3 MB less peak memory
        // than two arenas, no slower (docs/benchmarks.md, issue 22).
        HeapTrim.limitArenas(1)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let (status, message) = outcome(of: error)
            if status == 0 {
                if !message.isEmpty { print(message) }
            } else if !message.isEmpty {
                StandardError.write(message)
            }
            Foundation.exit(status)
        }
    }

    /// The only place an error becomes an exit status, so that every command keeps the contract of
    /// shared/interface.md: 0, 1 and 2 only as promised, 3 for anything that stopped the command.
    /// swift-argument-parser's own status for an unexpected error is 1, which means "noncompliant"
    /// here; it never reaches the shell.
    static func outcome(of error: any Error) -> (status: Int32, message: String) {
        if let failure = error as? CommandFailure { return (failure.exitStatus, failure.message) }
        if let history = error as? HistoryError { return (CommandFailure.operationalStatus, "error: \(history.message)") }
        let code = exitCode(for: error)
        let message = fullMessage(for: error)
        if code == .success { return (0, message) }
        // Help, version and parse errors come from swift-argument-parser; 64 (EX_USAGE) is its usage status.
        if code == .validationFailure { return (CommandFailure.usageStatus, message) }
        if let exit = error as? ExitCode, (0...3).contains(exit.rawValue) { return (exit.rawValue, message) }
        let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        return (CommandFailure.operationalStatus, "error: \(line.isEmpty ? String(describing: error) : line)")
    }
}
