import Foundation
import Logging
import Synchronization

/// `notice-audit schedule run`: a long-running scheduler for hosts without cron. Runs each job as
/// a child process of this binary at its cron times, one job at a time per database (a `flock`
/// lock), a run missed while the scheduler was down once at start-up (not once per missed night),
/// with optional jitter; on stop, the running job gets SIGTERM and is waited for.
public final class Scheduler: Sendable {
    public let config: ScheduleConfig
    let schedules: [String: CronSchedule]
    let executable: String
    let logger: Logger
    /// Simulated seconds per real second (tests run a day's schedule in minutes).
    let timeScale: Double
    let statePath: String
    private let started = Date()
    /// The running job's process id and whether `stop()` was asked, behind one lock.
    private let state = Mutex<(child: pid_t?, stopping: Bool)>((nil, false))

    public init(config: ScheduleConfig, schedules: [String: CronSchedule], executable: String, logger: Logger, timeScale: Double = 1) {
        self.config = config
        self.schedules = schedules
        self.executable = executable
        self.logger = logger
        self.timeScale = timeScale
        self.statePath = config.lock + ".schedule.json"
    }

    /// The scheduler's clock: real time, or scaled from the start for tests.
    var now: Date { started.addingTimeInterval(Date().timeIntervalSince(started) * timeScale) }

    /// Asks the loop to end; the running job (if any) gets SIGTERM.
    public func stop() {
        let running = state.withLock { state in
            state.stopping = true
            return state.child
        }
        if let running { kill(running, SIGTERM) }
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    /// Runs until `stop()`.
    public func run() async throws {
        let jobLock = try JobLock(path: config.lock + ".lock")
        var lastRuns = loadState()
        // A run missed while down: once, now.
        for job in config.jobs {
            if let last = lastRuns[job.name], let due = schedules[job.name]!.next(after: last, count: 1).first, due < now {
                logger.notice("missed run of \(job.name) (due \(UTCTime.iso8601(due))): running it once now", metadata: ["schedule.job": "\(job.name)"])
                try await execute(job, lock: jobLock, lastRuns: &lastRuns)
            } else if lastRuns[job.name] == nil {
                lastRuns[job.name] = now
            }
        }
        saveState(lastRuns)
        while !isStopping {
            let upcoming = config.jobs.compactMap { job in schedules[job.name]!.next(after: max(lastRuns[job.name] ?? now, now.addingTimeInterval(-1)), count: 1).first.map { (job, $0) } }
            guard let (job, due) = upcoming.min(by: { $0.1 < $1.1 }) else { break }
            let jitter = Double(Int.random(in: 0...max(0, config.jitterSeconds ?? 0)))
            let wait = max(0, due.timeIntervalSince(now) + jitter) / timeScale
            try await sleepUnlessStopped(seconds: wait)
            if isStopping { break }
            lastRuns[job.name] = due
            try await execute(job, lock: jobLock, lastRuns: &lastRuns)
        }
        logger.notice("scheduler stopped")
    }

    private func sleepUnlessStopped(seconds: Double) async throws {
        var left = seconds
        while left > 0 && !isStopping {
            let step = min(left, 0.2)
            try await Task.sleep(for: .milliseconds(Int64(step * 1000)))
            left -= step
        }
    }

    private func execute(_ job: ScheduleConfig.Job, lock jobLock: JobLock, lastRuns: inout [String: Date]) async throws {
        guard jobLock.tryLock() else {
            logger.warning("skipped \(job.name): another job holds \(jobLock.path)", metadata: ["schedule.job": "\(job.name)"])
            return
        }
        defer { jobLock.unlock() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = job.arguments
        let begun = Date()
        do {
            try process.run()
            state.withLock { $0.child = process.processIdentifier }
        } catch {
            logger.error("could not start \(job.name): \(error)", metadata: ["schedule.job": "\(job.name)"])
            return
        }
        if isStopping { kill(process.processIdentifier, SIGTERM) }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(100)) }
        state.withLock { $0.child = nil }
        lastRuns[job.name] = max(lastRuns[job.name] ?? now, now)
        saveState(lastRuns)
        let seconds = FixedPoint.text(Date().timeIntervalSince(begun), decimals: 1)
        logger.notice("\(job.name) finished with status \(process.terminationStatus) in \(seconds) s",
                      metadata: ["schedule.job": "\(job.name)", "schedule.status": "\(process.terminationStatus)"])
    }

    private func loadState() -> [String: Date] {
        guard let data = FileManager.default.contents(atPath: statePath),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Double] else { return [:] }
        return object.mapValues { Date(timeIntervalSince1970: $0) }
    }

    private func saveState(_ lastRuns: [String: Date]) {
        if let data = try? JSONSerialization.data(withJSONObject: lastRuns.mapValues { $0.timeIntervalSince1970 }, options: [.sortedKeys]) {
            try? data.write(to: URL(fileURLWithPath: statePath), options: .atomic)
        }
    }
}
