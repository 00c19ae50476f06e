import Foundation
import Logging
import NoticeAudit

/// Human output of the commands: remote-controlled text (records, banners, explanations, page
/// text) is printed with its control characters made visible, so an ANSI escape sequence in a
/// record cannot drive the terminal or the cron mail that shows it.
enum TerminalText {
    static func print(_ line: String) {
        Swift.print(UntrustedText.visible(line))
    }
}

/// The text log handler, with control characters in messages and metadata made visible (log lines
/// quote DNS answers and SMTP replies at debug level).
struct VisibleTextLogHandler: LogHandler {
    var inner: StreamLogHandler

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(UntrustedText.visible("\(event.message)"))"
        event.metadata = event.metadata?.mapValues { .string(UntrustedText.visible("\($0)")) }
        inner.log(event: event)
    }
}
