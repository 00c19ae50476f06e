import Foundation
import Testing
@testable import NoticeAudit

@Suite("Cron schedules")
struct CronScheduleTests {
    static let python = CommandRunner.packageRoot.appendingPathComponent("Tests/Lab/.venv/bin/python")
    static var cronsimAvailable: Bool { FileManager.default.isExecutableFile(atPath: python.path) }

    static func next(_ cron: String, _ zone: String, after: String, count: Int) throws -> [String] {
        let schedule = CronSchedule(expression: try CronExpression(cron), timeZone: TimeZone(identifier: zone)!)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: zone)!
        return schedule.next(after: ISO8601DateFormatter().date(from: after)!, count: count).map(formatter.string)
    }

    @Test func springForwardRunsASkippedFixedTimeOnceAtTheTransition() throws {
        #expect(try Self.next("30 2 * * *", "America/New_York", after: "2026-03-07T12:00:00-05:00", count: 2)
            == ["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"])
    }

    @Test func fallBackRunsAFixedTimeOnceAndAnHourlyJobTwice() throws {
        #expect(try Self.next("30 1 * * *", "America/New_York", after: "2026-10-31T12:00:00-04:00", count: 2)
            == ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"])
        #expect(try Self.next("0 * * * *", "America/New_York", after: "2026-11-01T00:30:00-04:00", count: 3)
            == ["2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00"])
    }

    @Test func shortcutsNamesAndTheDayOrRule() throws {
        #expect(try Self.next("@daily", "UTC", after: "2026-01-01T00:00:00Z", count: 1) == ["2026-01-02T00:00:00Z"])
        #expect(try Self.next("0 9 * jan-mar mon-fri", "UTC", after: "2026-01-02T10:00:00Z", count: 1) == ["2026-01-05T09:00:00Z"])
        // Day 13 or any Friday (both restricted: OR).
        #expect(try Self.next("0 0 13 * 5", "UTC", after: "2026-02-01T00:00:00Z", count: 3) == ["2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z", "2026-02-20T00:00:00Z"])
    }

    @Test(arguments: [
        ("61 * * * *", "minute field: 61 is out of range 0-59"), ("* 24 * * *", "hour field"), ("* * 0 * *", "day-of-month field"),
        ("* * * 13 *", "month field"), ("* * * * 8", "day-of-week field"), ("* * * * * *", "expected 5 fields"), ("*/0 * * * *", "invalid step"),
        ("5-1 * * * *", "runs backwards"), ("0 0 31 feb *", "never occurs"), ("@reboot", "unknown shortcut"), ("x * * * *", "minute field"),
    ])
    func invalidExpressionsNameTheField(cron: String, message: String) {
        #expect { try CronExpression(cron) } throws: { ($0 as? CronExpression.SyntaxError)?.description.contains(message) == true }
    }

    /// 560 generated expressions × zones × DST transitions, against cronsim (cronie's rules).
    @Test(.enabled(if: cronsimAvailable, "the lab's Python environment is missing (Tests/Lab/install-deps.sh)"))
    func agreesWithCronsim() throws {
        var random = SeededGenerator(seed: 2026)
        func field(_ range: ClosedRange<Int>, names: [String] = []) -> String {
            switch Int.random(in: 0..<9, using: &random) {
            case 0, 1: return "*"
            case 2: return "*/\(Int.random(in: 2...max(2, range.upperBound / 2), using: &random))"
            case 3:
                let a = Int.random(in: range, using: &random), b = Int.random(in: a...range.upperBound, using: &random)
                return "\(a)-\(b)"
            case 4:
                let a = Int.random(in: range, using: &random), b = Int.random(in: a...range.upperBound, using: &random)
                return "\(a)-\(b)/\(Int.random(in: 1...3, using: &random))"
            case 5: return (0..<Int.random(in: 2...3, using: &random)).map { _ in String(Int.random(in: range, using: &random)) }.joined(separator: ",")
            case 6 where !names.isEmpty: return names.randomElement(using: &random)!
            default: return String(Int.random(in: range, using: &random))
            }
        }
        let zones = ["America/New_York", "Europe/London", "Australia/Sydney", "America/St_Johns", "Asia/Kolkata", "Europe/Berlin", "Pacific/Chatham", "UTC"]
        // Just before spring-forward and fall-back transitions of 2026 in both hemispheres.
        let afters = ["2026-03-07T22:00:00Z", "2026-03-28T20:00:00Z", "2026-04-04T10:00:00Z", "2026-09-26T10:00:00Z", "2026-10-03T12:00:00Z",
                      "2026-10-24T20:00:00Z", "2026-10-31T20:00:00Z", "2026-01-15T08:17:00Z"]
        var cases: [[String: Any]] = []
        for index in 0..<560 {
            let hourField: String = Int.random(in: 0..<3, using: &random) == 0 ? String(Int.random(in: 0...3, using: &random)) : field(0...23)
            let expression = [field(0...59), hourField, Int.random(in: 0..<3, using: &random) == 0 ? field(1...31) : "*",
                              Int.random(in: 0..<4, using: &random) == 0 ? field(1...12, names: ["jan", "mar", "oct", "nov"]) : "*",
                              Int.random(in: 0..<3, using: &random) == 0 ? field(0...6, names: ["mon", "sun", "sat"]) : "*"].joined(separator: " ")
            guard (try? CronExpression(expression)) != nil else { continue }
            cases.append(["expr": expression, "tz": zones[index % zones.count], "after": afters[(index / zones.count) % afters.count], "count": 8])
        }
        #expect(cases.count >= 500)
        let process = Process()
        process.executableURL = Self.python
        process.arguments = [CommandRunner.packageRoot.appendingPathComponent("Tests/Lab/cronsim_next.py").path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: cases))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let expected = try #require(try JSONSerialization.jsonObject(with: data) as? [[String]])
        let utc = ISO8601DateFormatter()
        var mismatches: [String] = []
        for (index, testCase) in cases.enumerated() {
            let cron = testCase["expr"] as! String, zone = testCase["tz"] as! String, after = testCase["after"] as! String
            let ours = CronSchedule(expression: try CronExpression(cron), timeZone: TimeZone(identifier: zone)!)
                .next(after: utc.date(from: after)!, count: 8).map(utc.string)
            if ours != expected[index] { mismatches.append("\(cron) in \(zone) after \(after): ours \(ours), cronsim \(expected[index])") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) differ; first: \(mismatches.prefix(3))")
        print("cron cases compared with cronsim: \(cases.count), mismatches: \(mismatches.count)")
    }
}
