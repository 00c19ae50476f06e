import ArgumentParser
import Foundation
import NoticeAudit

/// `notice-audit schedule next`
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Cron schedules with IANA time zones and cronie's daylight-saving rules.",
        subcommands: [Next.self])

    struct Next: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the next fire times of a 5-field cron expression, ISO 8601 with offset, one a line.")

        @Option(help: "The cron expression, e.g. \"30 2 * * *\" or @daily.") var cron: String
        @Option(help: "An IANA time zone, e.g. America/New_York.") var tz: String
        @Option(help: "Start after this time (ISO 8601 with offset). Default: now.") var after: String?
        @Option(help: "How many fire times.") var count = 5

        func run() async throws {
            let expression: CronExpression
            do { expression = try CronExpression(cron) } catch { throw CommandFailure.usage("error: invalid cron expression '\(cron)': \(error)") }
            guard let zone = TimeZone(identifier: tz) else { throw CommandFailure.usage("error: unknown time zone '\(tz)' (use an IANA name such as America/New_York)") }
            guard count > 0 else { throw CommandFailure.usage("error: --count must be positive") }
            var start = Date()
            if let after {
                guard let parsed = ISO8601DateFormatter().date(from: after) else { throw CommandFailure.usage("error: --after '\(after)' is not ISO 8601 with an offset (2026-11-01T00:00:00-04:00)") }
                start = parsed
            }
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = zone
            formatter.formatOptions = [.withInternetDateTime]
            for date in CronSchedule(expression: expression, timeZone: zone).next(after: start, count: count) {
                print(formatter.string(from: date))
            }
        }
    }
}
