import Foundation

/// Every date notice-audit writes, in UTC, from one reading of the clock's fields (`gmtime_r`, whole
/// seconds cut): no `DateFormatter`, whose ICU calendar and locale data cost 4 MB and 3 % of a
/// 1,000-institution scan (issue 22). Reading: ISO 8601 with an offset, a day, a run folder's name.
public enum UTCTime {
    /// `2026-11-26T03:00:00Z`: scan.json, the reports, logs, command output.
    public static func iso8601(_ date: Date) -> String {
        let p = Fields(date)
        return "\(p.day)T\(p.two(p.hour)):\(p.two(p.minute)):\(p.two(p.second))Z"
    }

    /// `2026-11-26`.
    public static func day(_ date: Date) -> String { Fields(date).day }

    /// `2026-11-26 03:00 UTC`, for people (the digest).
    static func minute(_ date: Date) -> String {
        let p = Fields(date)
        return "\(p.day) \(p.two(p.hour)):\(p.two(p.minute)) UTC"
    }

    /// `2026-11-26T030000Z`, the start of a run folder's name.
    static func folderName(_ date: Date) -> String {
        let p = Fields(date)
        return "\(p.day)T\(p.two(p.hour))\(p.two(p.minute))\(p.two(p.second))Z"
    }

    /// `2026-11-26 03:00:00.123`, as history stores a date (GRDB's text form; the milliseconds rounded).
    static func database(_ date: Date) -> String {
        let milliseconds = Int64(((date.timeIntervalSinceReferenceDate + 978_307_200) * 1000).rounded())
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let p = Fields(seconds: time_t(seconds))
        let fraction = String(milliseconds - seconds * 1000)
        return "\(p.day) \(p.two(p.hour)):\(p.two(p.minute)):\(p.two(p.second)).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    /// ISO 8601 with `Z` or an offset (`2026-11-01T00:00:00-04:00`); nil otherwise.
    public static func parseISO8601(_ text: String) -> Date? { ISO8601DateFormatter().date(from: text) }

    /// `2026-11-26` as the start of that day in UTC; nil otherwise.
    public static func parseDay(_ text: String) -> Date? { parseISO8601(text + "T00:00:00Z") }

    /// The start of a run folder's name (``folderName(_:)``); nil otherwise.
    static func parseFolderName(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 18, bytes[10] == UInt8(ascii: "T"), bytes[17] == UInt8(ascii: "Z") else { return nil }
        let time = String(decoding: bytes[11..<17], as: UTF8.self)
        return parseISO8601("\(String(decoding: bytes[0..<10], as: UTF8.self))T\(time.prefix(2)):\(time.dropFirst(2).prefix(2)):\(time.suffix(2))Z")
    }

    /// The clock's fields of one second.
    private struct Fields {
        let day: String
        let hour: Int32, minute: Int32, second: Int32

        init(_ date: Date) {
            self.init(seconds: time_t(date.timeIntervalSince1970.rounded(.down)))
        }

        init(seconds: time_t) {
            var seconds = seconds
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let year = String(parts.tm_year + 1900)
            day = "\(String(repeating: "0", count: max(0, 4 - year.count)))\(year)-\(Self.two(parts.tm_mon + 1))-\(Self.two(parts.tm_mday))"
            hour = parts.tm_hour
            minute = parts.tm_min
            second = parts.tm_sec
        }

        func two(_ value: Int32) -> String { Self.two(value) }
        static func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    }
}
