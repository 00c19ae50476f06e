import Foundation

/// Fire times of a cron expression in an IANA time zone, with cronie's daylight-saving rules:
/// a fixed-time job whose time is skipped runs once, at the first minute after the gap; one in a
/// repeated hour runs once (the first time); a job that runs every hour or minute runs in both
/// passes of a repeated hour and not in a skipped one.
public struct CronSchedule: Sendable {
    public let expression: CronExpression
    public let timeZone: TimeZone

    public init(expression: CronExpression, timeZone: TimeZone) {
        self.expression = expression
        self.timeZone = timeZone
    }

    /// The next `count` fire times strictly after `after` (within 50 years).
    public func next(after: Date, count: Int) -> [Date] {
        var results: [Date] = []
        let afterSeconds = Int(after.timeIntervalSince1970.rounded(.down))
        // Wall-clock seconds: local time written as if it were UTC.
        let afterWall = afterSeconds + timeZone.secondsFromGMT(for: after)
        var cursorWall = afterWall
        var day = Self.floorDiv(afterWall, 86_400) - 1
        let lastDay = day + 366 * 50
        let hours = expression.hours.sorted(), minutes = expression.minutes.sorted()
        while results.count < count && day <= lastDay {
            defer { day += 1 }
            let (year, month, dayOfMonth) = Self.civil(fromDays: day)
            guard expression.matches(month: month, day: dayOfMonth, weekday: Self.weekday(ofDays: day)) else { continue }
            _ = year
            var instants: [Int] = []
            for hour in hours {
                for minute in minutes {
                    let wall = day * 86_400 + hour * 3600 + minute * 60
                    let found = instantsFor(wall: wall)
                    if expression.isFixedTime {
                        // cronie moves through wall-clock time: each wall time at most once.
                        guard wall > cursorWall else { continue }
                        if let first = found.first {
                            instants.append(first)
                            cursorWall = wall
                        } else {
                            // Skipped by a spring-forward gap: the first real minute after it.
                            var later = wall
                            repeat { later += 60 } while instantsFor(wall: later).isEmpty
                            instants.append(instantsFor(wall: later)[0])
                            cursorWall = later
                        }
                    } else {
                        instants += found
                    }
                }
            }
            for instant in Set(instants).sorted() where instant > afterSeconds {
                results.append(Date(timeIntervalSince1970: TimeInterval(instant)))
                if results.count == count { break }
            }
        }
        return results
    }

    /// The instants (seconds since 1970) whose local wall-clock time is `wall`: none in a gap,
    /// two in a repeated hour, earliest first.
    func instantsFor(wall: Int) -> [Int] {
        var offsets = Set<Int>()
        for probe in [wall - 86_400, wall - 3 * 3600, wall, wall + 3 * 3600, wall + 86_400] {
            offsets.insert(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(probe))))
        }
        return offsets.map { wall - $0 }
            .filter { timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval($0))) == wall - $0 }
            .sorted()
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int { (a - ((a % b) + b) % b) / b }

    /// 0 = Sunday; 1970-01-01 was a Thursday.
    static func weekday(ofDays days: Int) -> Int { ((days + 4) % 7 + 7) % 7 }

    /// (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian; H. Hinnant's civil_from_days).
    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
