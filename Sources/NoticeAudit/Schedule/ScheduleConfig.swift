import Foundation

/// The jobs of `notice-audit schedule run`, read from a JSON file:
///
/// ```json
/// { "timezone": "America/New_York", "lock": "/var/lib/notice-audit/history.sqlite", "jitter_seconds": 300,
///   "jobs": [ { "name": "nightly-scan", "cron": "30 3 * * *", "arguments": ["scan", "--trigger", "scheduled"] } ] }
/// ```
public struct ScheduleConfig: Sendable, Decodable {
    public struct Job: Sendable, Decodable {
        public var name: String
        public var cron: String
        /// The notice-audit arguments to run, e.g. `["scan", "--trigger", "scheduled"]`.
        public var arguments: [String]
    }

    public var timezone: String
    /// One job at a time per database: the lock file is this path plus `.lock`.
    public var lock: String
    /// A random delay of up to this many seconds before each run.
    public var jitterSeconds: Int?
    public var jobs: [Job]
    var comment: String?

    enum CodingKeys: String, CodingKey {
        case timezone, lock, jobs, comment = "_comment"
        case jitterSeconds = "jitter_seconds"
    }

    /// Reads and checks a config file; every problem is said with its place.
    public static func load(path: String) throws -> (ScheduleConfig, [String: CronSchedule]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw ScheduleError("cannot read the schedule config \(path)") }
        let config: ScheduleConfig
        do {
            config = try JSONDecoder().decode(ScheduleConfig.self, from: data)
        } catch {
            throw ScheduleError("the schedule config \(path) is invalid: \(error)")
        }
        guard let zone = TimeZone(identifier: config.timezone) else { throw ScheduleError("\(path): unknown time zone '\(config.timezone)'") }
        guard !config.jobs.isEmpty else { throw ScheduleError("\(path): no jobs") }
        var schedules: [String: CronSchedule] = [:]
        for (index, job) in config.jobs.enumerated() {
            do {
                schedules[job.name] = CronSchedule(expression: try CronExpression(job.cron), timeZone: zone)
            } catch {
                throw ScheduleError("\(path): jobs[\(index)] (\(job.name)): invalid cron '\(job.cron)': \(error)")
            }
            if job.arguments.isEmpty { throw ScheduleError("\(path): jobs[\(index)] (\(job.name)) has no arguments") }
        }
        return (config, schedules)
    }
}

/// A scheduler problem, for the person reading the log.
public struct ScheduleError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
