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

    /// ISO 8601 with `Z` or an offset (`2026-11-01T00:00:00-04:00`), as `ISO8601DateFormatter` reads
    /// it by default (whole seconds); nil otherwise.
    public static func parseISO8601(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20 || bytes.count == 25, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = number(bytes, 0..<4), let month = number(bytes, 5..<7), let day = number(bytes, 8..<10),
              let hour = number(bytes, 11..<13), let minute = number(bytes, 14..<16), let second = number(bytes, 17..<19),
              let date = date(year: year, month: month, day: day, hour: hour, minute: minute, second: second) else { return nil }
        if bytes.count == 20 { return bytes[19] == UInt8(ascii: "Z") ? date : nil }
        guard bytes[19] == UInt8(ascii: "+") || bytes[19] == UInt8(ascii: "-"), bytes[22] == UInt8(ascii: ":"),
              let hours = number(bytes, 20..<22), let minutes = number(bytes, 23..<25), hours < 24, minutes < 60 else { return nil }
        let offset = Double(hours * 3600 + minutes * 60)
        return date.addingTimeInterval(bytes[19] == UInt8(ascii: "+") ? -offset : offset)
    }

    /// `Dec 26 17:21:00 2026 GMT`, as OpenSSL prints a certificate's dates (`ASN1_TIME_print`); nil otherwise.
    static func parseCertificateDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 5, parts[4] == "GMT", let month = months.firstIndex(of: String(parts[0])), let day = Int32(parts[1]), parts[1].count <= 2,
              let year = Int32(parts[3]), parts[3].count == 4 else { return nil }
        let time = Array(parts[2].utf8)
        guard time.count == 8, time[2] == UInt8(ascii: ":"), time[5] == UInt8(ascii: ":"),
              let hour = number(time, 0..<2), let minute = number(time, 3..<5), let second = number(time, 6..<8) else { return nil }
        return date(year: year, month: Int32(month + 1), day: day, hour: hour, minute: minute, second: second)
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The decimal digits of `bytes[range]`; nil when one is not a digit.
    private static func number(_ bytes: [UInt8], _ range: Range<Int>) -> Int32? {
        var value: Int32 = 0
        for index in range {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
            value = value * 10 + Int32(bytes[index] - UInt8(ascii: "0"))
        }
        return value
    }

    /// The moment of a UTC date and time; nil when a field is out of its range (February 30th).
    private static func date(year: Int32, month: Int32, day: Int32, hour: Int32, minute: Int32, second: Int32) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        var parts = tm()
        (parts.tm_year, parts.tm_mon, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec) = (year - 1900, month - 1, day, hour, minute, second)
        let seconds = timegm(&parts)
        guard parts.tm_mday == day, parts.tm_mon == month - 1 else { return nil }
        return Date(timeIntervalSince1970: Double(seconds))
    }

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
