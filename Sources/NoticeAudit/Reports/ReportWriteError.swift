import Foundation

/// The reports could not be written: where, and the system's reason.
public struct ReportWriteError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var detail: String

    init(path: String, detail: String) {
        self.path = path
        self.detail = detail
    }

    init(path: String, errno code: Int32) {
        self.init(path: path, detail: String(cString: strerror(code)))
    }

    /// The system's words for a Foundation file error (its POSIX cause when it has one).
    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        return nsError.localizedDescription
    }

    public var description: String { "cannot write \(path): \(detail)" }

    /// Runs `body`, a file operation on `path`, its error said as this one.
    static func attempt(_ path: String, _ body: () throws -> Void) throws(ReportWriteError) {
        do { try body() } catch {
            throw ReportWriteError(path: path, detail: reason(error))
        }
    }
}
