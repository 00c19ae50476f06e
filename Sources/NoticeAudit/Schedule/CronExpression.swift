/// A 5-field cron expression (minute hour day-of-month month day-of-week) as cronie reads it:
/// lists, ranges, steps, month and weekday names, `@yearly`, `@monthly`, `@weekly`, `@daily`,
/// `@hourly`; day-of-month and day-of-week are ORed unless either starts with `*`.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let minutes: Set<Int>
    public let hours: Set<Int>
    public let daysOfMonth: Set<Int>
    public let months: Set<Int>
    /// 0 = Sunday … 6 = Saturday (7 is read as Sunday).
    public let daysOfWeek: Set<Int>
    /// True when day-of-month or day-of-week starts with `*`: both must match (AND), else either (OR).
    public let daysAreANDed: Bool
    /// True when neither the minute nor the hour field starts with `*`: the job runs at fixed
    /// times of day, which cronie moves out of a skipped hour and runs once in a repeated one.
    public let isFixedTime: Bool
    public let text: String

    /// Why an expression is invalid, naming the field.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public var field: String?
        public var message: String
        public var description: String { field.map { "\($0) field: \(message)" } ?? message }
    }

    private struct FieldSpec {
        var name: String
        var range: ClosedRange<Int>
        var names: [String: Int] = [:]
    }

    private static let fields: [FieldSpec] = [
        FieldSpec(name: "minute", range: 0...59),
        FieldSpec(name: "hour", range: 0...23),
        FieldSpec(name: "day-of-month", range: 1...31),
        FieldSpec(name: "month", range: 1...12, names: ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]),
        FieldSpec(name: "day-of-week", range: 0...7, names: ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]),
    ]

    private static let aliases = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
                                  "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]

    public init(_ text: String) throws(SyntaxError) {
        self.text = text
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded: String
        if trimmed.hasPrefix("@") {
            guard let alias = Self.aliases[trimmed.lowercased()] else {
                throw SyntaxError(field: nil, message: "unknown shortcut '\(trimmed)' (use @yearly, @monthly, @weekly, @daily or @hourly)")
            }
            expanded = alias
        } else {
            expanded = trimmed
        }
        let parts = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count == 5 else {
            throw SyntaxError(field: nil, message: "expected 5 fields (minute hour day-of-month month day-of-week), found \(parts.count)")
        }
        var sets: [Set<Int>] = []
        for (part, spec) in zip(parts, Self.fields) { sets.append(try Self.parse(part, spec)) }
        minutes = sets[0]
        hours = sets[1]
        daysOfMonth = sets[2]
        months = sets[3]
        daysOfWeek = Set(sets[4].map { $0 % 7 })
        daysAreANDed = parts[2].hasPrefix("*") || parts[4].hasPrefix("*")
        isFixedTime = !parts[0].hasPrefix("*") && !parts[1].hasPrefix("*")
        if daysAreANDed || daysOfWeek.isEmpty {
            let longest = months.map { [1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31][$0]! }.max() ?? 31
            if let first = daysOfMonth.min(), first > longest {
                throw SyntaxError(field: "day-of-month", message: "day \(first) never occurs in the given months")
            }
        }
    }

    private static func parse(_ field: String, _ spec: FieldSpec) throws(SyntaxError) -> Set<Int> {
        var values = Set<Int>()
        for item in field.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !item.isEmpty else { throw SyntaxError(field: spec.name, message: "empty item in '\(field)'") }
            var body = Substring(item), step = 1
            if let slash = item.firstIndex(of: "/") {
                guard let parsed = Int(item[item.index(after: slash)...]), parsed > 0 else {
                    throw SyntaxError(field: spec.name, message: "invalid step in '\(item)' (a positive number after '/')")
                }
                step = parsed
                body = item[..<slash]
            }
            var lower: Int, upper: Int
            // Day-of-week steps run over 0-7 (7 is Sunday again), as cronsim's do.
            if body == "*" {
                (lower, upper) = (spec.range.lowerBound, spec.range.upperBound)
            } else if let dash = body.firstIndex(of: "-") {
                lower = try value(body[..<dash], spec)
                upper = try value(body[body.index(after: dash)...], spec)
                guard lower <= upper else { throw SyntaxError(field: spec.name, message: "range '\(body)' runs backwards") }
                // "5-5/15" reads as "5/15", as cronsim (the reference for cronie's behaviour) does.
                if lower == upper && item.contains("/") { upper = spec.range.upperBound }
            } else {
                lower = try value(body, spec)
                // "5/15" means from 5 to the end, every 15.
                upper = item.contains("/") ? spec.range.upperBound : lower
            }
            for candidate in stride(from: lower, through: upper, by: step) { values.insert(candidate) }
        }
        return values
    }

    private static func value(_ text: Substring, _ spec: FieldSpec) throws(SyntaxError) -> Int {
        if let number = Int(text) {
            guard spec.range.contains(number) else {
                throw SyntaxError(field: spec.name, message: "\(number) is out of range \(spec.range.lowerBound)-\(spec.range.upperBound)")
            }
            return number
        }
        if let named = spec.names[text.lowercased()] { return named }
        throw SyntaxError(field: spec.name, message: "'\(text)' is not a number\(spec.names.isEmpty ? "" : " or a name")")
    }

    /// Whether a calendar day (in the schedule's time zone) matches the day fields.
    func matches(month: Int, day: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        let dom = daysOfMonth.contains(day), dow = daysOfWeek.contains(weekday)
        return daysAreANDed ? dom && dow : dom || dow
    }

    public var description: String { text }
}
