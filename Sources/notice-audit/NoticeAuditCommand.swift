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
            invalid inventory; any other non-zero value: the command could not run.
            """,
        version: NoticeAuditVersion.current,
        subcommands: [ScanCommand.self, InventoryCommand.self, SPFCommand.self, RangesCommand.self, RelayCommand.self, ReportCommand.self, HistoryCommand.self, ScheduleCommand.self]
    )

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            if !failure.message.isEmpty { StandardError.write(failure.message) }
            Foundation.exit(failure.exitStatus)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { StandardError.write(message) }
            // ArgumentParser reports usage errors as 64 (EX_USAGE); the interface promises 2.
            Foundation.exit(code == .validationFailure ? CommandFailure.usageStatus : code.rawValue)
        }
    }
}
