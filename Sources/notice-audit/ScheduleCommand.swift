import ArgumentParser
import Foundation
import NoticeAudit

/// `notice-audit schedule next`
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Cron schedules with IANA time zones and cronie's daylight-saving rules.",
        subcommands: [Next.self, Run.self])

    /// `schedule run --config PATH`
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the jobs of a schedule config until SIGTERM or SIGINT (for hosts without cron).",
            discussion: "See deploy/schedule.json for an example config.")

        @Option(help: ArgumentHelp("The schedule config (JSON).", valueName: "path")) var config: String
        @Option(name: .customLong("time-scale"), help: .hidden) var timeScale: Double = 1
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let logger = logging.bootstrap()
            let loaded: (ScheduleConfig, [String: CronSchedule])
            do { loaded = try ScheduleConfig.load(path: config) } catch { throw CommandFailure.usage("error: \(error)") }
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            let scheduler = Scheduler(config: loaded.0, schedules: loaded.1, executable: executable, logger: logger, timeScale: timeScale)
            let signals = TerminationSignals.handle { _ in scheduler.stop() }
            defer { signals.forEach { $0.cancel() } }
            logger.notice("scheduler started with \(loaded.0.jobs.count) jobs")
            do { try await scheduler.run() } catch { throw CommandFailure.operational("error: \(error)") }
        }
    }

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
                guard let parsed = UTCTime.parseISO8601(after) else { throw CommandFailure.usage("error: --after '\(after)' is not ISO 8601 with an offset (2026-11-01T00:00:00-04:00)") }
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
