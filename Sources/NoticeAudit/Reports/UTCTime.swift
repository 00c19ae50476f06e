import Foundation

/// Dates as the reports write them: UTC, a fixed pattern, the POSIX locale.
enum UTCTime {
    /// The run folder's pattern: `2026-11-26T030000Z`.
    static let folderPattern = "yyyy-MM-dd'T'HHmmss'Z'"

    static func formatter(_ pattern: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter
    }

    /// `date` in `pattern`, in UTC.
    static func format(_ date: Date, _ pattern: String) -> String { formatter(pattern).string(from: date) }

    /// `text` read with `pattern`, in UTC; nil when it does not match.
    static func parse(_ text: String, _ pattern: String) -> Date? { formatter(pattern).date(from: text) }
}
