import Foundation
import GRDB

/// A date as history stores it: GRDB's text form, `yyyy-MM-dd HH:mm:ss.SSS` in UTC (to the nearest
/// millisecond, as its formatter rounds), written without the `DateFormatter` GRDB binds a `Date` through.
/// That formatter loads ICU's calendar and locale data, 4 MB of the scan's memory, and ran once per
/// institution (issue 22). GRDB reads the text back as a `Date` as before; a test compares the two.
enum DatabaseTime {
    static func text(_ date: Date) -> String { UTCTime.database(date) }

    /// The date in column `column` of `row`: its text read here (`yyyy-MM-dd HH:mm:ss[.SSS]`, what
    /// history holds), anything else through GRDB (whose reading goes through an ICU calendar).
    static func date(_ row: Row, _ column: String) -> Date {
        if let text = row[column] as String?, let date = parse(text) { return date }
        return row[column]
    }

    /// ``date(_:_:)`` of a column that may be NULL.
    static func optionalDate(_ row: Row, _ column: String) -> Date? {
        guard let text = row[column] as String? else { return row[column] }
        return parse(text) ?? row[column]
    }

    /// `yyyy-MM-dd HH:mm:ss` with an optional fraction of up to three digits, in UTC; nil otherwise.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 19 || (bytes.count >= 21 && bytes.count <= 23 && bytes[19] == UInt8(ascii: ".")) else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for index in range {
                let byte = bytes[index]
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int32(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        var fraction = 0.0
        if bytes.count > 19 {
            guard let digits = number(20..<bytes.count) else { return nil }
            fraction = Double(digits) / pow(10, Double(bytes.count - 20))
        }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let seconds = timegm(&parts)
        return Date(timeIntervalSinceReferenceDate: Double(seconds) - 978_307_200 + fraction)
    }
}
