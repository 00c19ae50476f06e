import Foundation

/// Dates as the reports write them: UTC, a fixed pattern, the POSIX locale.
enum UTCTime {
    /// The run folder's pattern: `2026-11-26T030000Z`.
    static let folderPattern = "yyyy-MM-dd'T'HHmmss'Z'"
    /// What `ISO8601DateFormatter` writes by default: `2026-11-26T03:00:00Z`.
    static let iso8601Pattern = "yyyy-MM-dd'T'HH:mm:ss'Z'"

    static func formatter(_ pattern: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter
    }

    /// `date` in `pattern`, in UTC: the fields `yyyy`, `MM`, `dd`, `HH`, `mm`, `ss` and `'quoted'`
    /// text, as `DateFormatter` writes them (whole seconds, cut), without building a formatter per
    /// date (that was 3 % of a 1,000-institution scan's CPU).
    static func format(_ date: Date, _ pattern: String) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        var out = ""
        var characters = pattern[...]
        while let first = characters.first {
            if first == "'" {
                let literal = characters.dropFirst().prefix { $0 != "'" }
                out += literal
                characters = characters.dropFirst(literal.count + 2)
                continue
            }
            let run = characters.prefix { $0 == first }
            characters = characters.dropFirst(run.count)
            switch (first, run.count) {
            case ("y", 4): out += digits(parts.tm_year + 1900, 4)
            case ("M", 2): out += digits(parts.tm_mon + 1, 2)
            case ("d", 2): out += digits(parts.tm_mday, 2)
            case ("H", 2): out += digits(parts.tm_hour, 2)
            case ("m", 2): out += digits(parts.tm_min, 2)
            case ("s", 2): out += digits(parts.tm_sec, 2)
            case (let character, _) where character.isLetter: out += formatter(String(run)).string(from: date)
            default: out += run
            }
        }
        return out
    }

    /// `text` read with `pattern`, in UTC; nil when it does not match.
    static func parse(_ text: String, _ pattern: String) -> Date? { formatter(pattern).date(from: text) }
}
